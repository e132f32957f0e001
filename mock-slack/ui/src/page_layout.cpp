// The layout around every page and what the pages share (page_layout.hpp), and the public
// style_css(), with_banner() and render_error_page() (tests/page_layout_test.cpp).
#include "page_layout.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

#include "embedded.hpp"
#include "mock_slack_ui/html.hpp"

namespace mock_slack::ui {
namespace detail {
namespace {
std::string_view page_source(Page page) {
  switch (page) {
    case Page::head:
      return embedded::layout_head_html;
    case Page::foot:
      return embedded::layout_foot_html;
    case Page::error:
      return embedded::error_html;
    case Page::timeline:
      return embedded::timeline_html;
    case Page::incident:
      return embedded::incident_html;
    case Page::incident_response:
      return embedded::incident_response_html;
    case Page::channels:
      return embedded::channels_html;
    case Page::channel:
      return embedded::channel_html;
    case Page::search:
      return embedded::search_html;
    case Page::count:
      break;
  }
  throw std::logic_error("unknown page template");
}

// Templates are parsed once per thread, not per request. Rendering only reads the parsed tree, but
// kainjow's render() is not const, so each request thread keeps its own copy instead of sharing
// one behind a const_cast.
mus::mustache& page_template(Page page) {
  thread_local std::array<std::unique_ptr<mus::mustache>, static_cast<std::size_t>(Page::count)>
      cache;
  auto& slot = cache[static_cast<std::size_t>(page)];
  if (!slot) {
    slot = std::make_unique<mus::mustache>(std::string(page_source(page)));
    if (!slot->is_valid()) {
      throw std::logic_error("invalid built-in template: " + slot->error_message());
    }
  }
  return *slot;
}

}  // namespace

void render_into(std::string& out, Page page, const mus::data& data) {
  page_template(page).render(data, [&out](const std::string& text) { out += text; });
}

std::string layout(std::string_view title, int refresh_seconds, Page body_page,
                   const mus::data& body) {
  mus::data head;
  head.set("title", std::string(title));
  head.set("has_refresh", refresh_seconds > 0);
  head.set("refresh_seconds", std::to_string(refresh_seconds));
  std::string out;
  out.reserve(std::size_t{64} * 1024);
  render_into(out, Page::head, head);
  render_into(out, body_page, body);
  render_into(out, Page::foot, mus::data{});
  return out;
}

// kainjow's set() and push_back() deep-copy their argument, so building nested data bottom-up
// copies every leaf once per level. These insert an empty child first and hand back a reference
// to fill in place (the element is a non-const object owned by `parent`, so the const_cast is
// sound), keeping the work linear with one copy per value.
// `capacity` matters: basic_data's move constructor is not noexcept, so a growing vector would
// deep-copy every element it already holds.
mus::data& add_list(mus::data& parent, const std::string& key, std::size_t capacity) {
  parent.set(key, mus::data{mus::data::type::list});
  auto& list = const_cast<mus::data&>(*parent.get(key));
  const_cast<mus::list&>(list.list_value()).reserve(capacity);
  return list;
}

mus::data& append_object(mus::data& list) {
  list.push_back(mus::data{});
  return const_cast<mus::data&>(list.list_value().back());
}

void set_if(mus::data& d, const std::string& key, const std::string& value) {
  if (!value.empty()) d.set(key, value);
}

const char* severity_fill(int rank) {
  switch (rank) {
    case 4:
      return "#d1242f";
    case 3:
      return "#e16f24";
    case 2:
      return "#d4a72c";
    case 1:
      return "#3b82c4";
    default:
      return "#8c959f";
  }
}

std::string display_severity(const std::string& severity) {
  return severity.empty() ? "none" : severity;
}

std::string truncate_utf8(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

std::string incident_href(std::int64_t id) { return "/incidents/" + std::to_string(id); }

std::string timeline_href(const TimelineQuery& q) {
  const std::string qs = to_query_string(q);
  return qs.empty() ? "/" : "/?" + qs;
}

mus::data option(const std::string& value, const std::string& label, bool selected) {
  mus::data d;
  d.set("value", value);
  d.set("label", label);
  d.set("selected", selected);
  return d;
}

std::string incident_title(const IncidentView& incident) {
  std::vector<std::string> names;
  for (const OccurrenceView& o : incident.occurrences) {
    if (std::find(names.begin(), names.end(), o.alertname) == names.end()) {
      names.push_back(o.alertname);
      if (names.size() > 3) break;
    }
  }
  if (names.empty()) return incident.group_key;
  std::string title;
  for (std::size_t i = 0; i < names.size() && i < 3; ++i) {
    if (i > 0) title += ", ";
    title += names[i];
  }
  if (names.size() > 3) title += ", …";
  return title;
}

std::string join(const std::vector<std::string>& values, std::string_view sep) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += sep;
    out += v;
  }
  return out;
}

}  // namespace detail

using detail::Page;
namespace mus = detail::mus;

std::string_view style_css() { return embedded::style_css; }

std::string with_banner(std::string page, std::string_view text) {
  if (text.empty()) return page;
  thread_local mus::mustache banner("<div class=\"alarm\" role=\"alert\">{{text}}</div>\n");
  mus::data d;
  d.set("text", std::string(text));
  std::string html;
  banner.render(d, [&html](const std::string& part) { html += part; });
  constexpr std::string_view kMain = "<main>\n";
  const auto at = page.find(kMain);
  page.insert(at == std::string::npos ? 0 : at + kMain.size(), html);
  return page;
}

std::string render_error_page(std::string_view title, std::string_view detail) {
  mus::data d;
  d.set("title", std::string(title));
  d.set("detail", std::string(detail));
  return detail::layout(title, 0, Page::error, d);
}

}  // namespace mock_slack::ui
