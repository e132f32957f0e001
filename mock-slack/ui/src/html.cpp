#include "mock_slack_ui/html.hpp"

#include <algorithm>
#include <array>
#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>

#include "embedded.hpp"
#include "mock_slack_ui/mrkdwn.hpp"
#include "text.hpp"

namespace mock_slack::ui {
namespace {

namespace mus = kainjow::mustache;

enum class Page : std::size_t { head, foot, error, timeline, incident, channels, channel, count };

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
    case Page::channels:
      return embedded::channels_html;
    case Page::channel:
      return embedded::channel_html;
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

/// Sets `key` only for a non-empty value: kainjow renders a section for any string, even "".
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

/// Cuts at `max_bytes` without splitting a UTF-8 sequence.
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

constexpr double kChartWidth = kChartPlotLeft + kChartPlotWidth + 30.0;
constexpr double kRowHeight = 16.0;
constexpr double kBarHeight = 12.0;
constexpr double kChartTop = 4.0;
constexpr int kTicks = 6;

/// Adds the chart's rows, ticks and size to `d`; whether any bar is in the window.
bool add_chart(mus::data& d, const TimelinePage& page, TimeWindow window, UnixMillis now_ms) {
  // Rows: one per incident, newest (latest start) first; occurrences without an incident last.
  struct Row {
    std::optional<std::int64_t> incident_id;
    UnixMillis newest_start_ms = 0;
    std::vector<const OccurrenceView*> occurrences;
  };
  std::map<std::optional<std::int64_t>, Row> by_incident;
  for (const OccurrenceView& o : page.chart_occurrences) {
    Row& row = by_incident[o.incident_id];
    row.incident_id = o.incident_id;
    row.newest_start_ms =
        row.occurrences.empty() ? o.starts_at_ms : std::max(row.newest_start_ms, o.starts_at_ms);
    row.occurrences.push_back(&o);
  }
  std::vector<Row*> rows;
  rows.reserve(by_incident.size());
  for (auto& [id, row] : by_incident) rows.push_back(&row);
  std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) {
    if (a->incident_id.has_value() != b->incident_id.has_value()) return a->incident_id.has_value();
    if (a->newest_start_ms != b->newest_start_ms) return a->newest_start_ms > b->newest_start_ms;
    return a->incident_id > b->incident_id;
  });

  mus::data& row_list = add_list(d, "rows", rows.size());
  std::size_t row_index = 0;
  std::vector<std::pair<const OccurrenceView*, ChartBar>> visible;
  for (const Row* row : rows) {
    visible.clear();
    for (const OccurrenceView* o : row->occurrences) {
      if (const auto bar = chart_bar(o->starts_at_ms, o->ends_at_ms, window, now_ms)) {
        visible.emplace_back(o, *bar);
      }
    }
    if (visible.empty()) continue;
    const double y = kChartTop + static_cast<double>(row_index) * kRowHeight;
    const std::string href = row->incident_id ? incident_href(*row->incident_id) : std::string("/");
    mus::data& r = append_object(row_list);
    mus::data& bars = add_list(r, "bars", visible.size());
    for (const auto& [o, geometry] : visible) {
      const ChartBar* bar = &geometry;
      const bool firing = o->status == AlertStatus::firing;
      const std::string severity = detail::severity_of(*o);
      mus::data& b = append_object(bars);
      b.set("x", detail::format_fixed(bar->x, 2));
      b.set("y", detail::format_fixed(y, 2));
      b.set("width", detail::format_fixed(bar->width, 2));
      b.set("height", detail::format_fixed(kBarHeight, 2));
      b.set("fill", severity_fill(severity_rank(severity)));
      b.set("state", firing ? "firing" : "resolved");
      b.set("firing", firing);
      b.set("resolved", !firing);
      b.set("href", href);
      std::string tooltip = o->alertname + " (" + display_severity(severity) + ", " +
                            to_string(o->status) + ") from " + detail::format_utc(o->starts_at_ms);
      tooltip += o->ends_at_ms ? " to " + detail::format_utc(*o->ends_at_ms) : " to now";
      if (const auto it = o->labels.find("instance"); it != o->labels.end()) {
        tooltip += " on " + it->second;
      }
      b.set("tooltip", tooltip);
    }
    r.set("href", href);
    r.set("text_y", detail::format_fixed(y + kBarHeight - 2, 2));
    std::string label = row->incident_id ? "#" + std::to_string(*row->incident_id) + " " : "";
    label += row->occurrences.front()->alertname;
    r.set("label", truncate_utf8(label, 22));
    ++row_index;
  }

  const double axis_y = kChartTop + static_cast<double>(row_index) * kRowHeight + 2;
  mus::data ticks{mus::data::type::list};
  const UnixMillis span = window.until_ms - window.since_ms;
  for (int i = 0; i <= kTicks; ++i) {
    const UnixMillis t = window.since_ms + span * i / kTicks;
    const std::string utc = detail::format_utc(t);  // "YYYY-MM-DD HH:MM:SSZ"
    mus::data tick;
    tick.set("x", detail::format_fixed(kChartPlotLeft + kChartPlotWidth * i / kTicks, 2));
    tick.set("label", span <= UnixMillis{24} * 3'600'000 ? utc.substr(11, 5) : utc.substr(5, 11));
    ticks.push_back(tick);
  }
  d.set("ticks", ticks);
  d.set("axis_y", detail::format_fixed(axis_y, 2));
  d.set("label_y", detail::format_fixed(axis_y + 12, 2));
  d.set("chart_width", detail::format_fixed(kChartWidth, 0));
  d.set("chart_height", detail::format_fixed(axis_y + 16, 0));
  return row_index > 0;
}

/// A Block Kit text object (`mrkdwn` or `plain_text`) as HTML from mrkdwn.hpp; empty for
/// anything else.
std::string text_object_html(const nlohmann::json& object) {
  if (!object.is_object()) return {};
  const auto text = object.find("text");
  const auto type = object.find("type");
  if (text == object.end() || !text->is_string() || type == object.end()) return {};
  if (*type == "mrkdwn") return mrkdwn_to_html(text->get_ref<const std::string&>());
  if (*type == "plain_text") {
    const auto emoji = object.find("emoji");
    const bool shortcodes = emoji == object.end() || !emoji->is_boolean() || emoji->get<bool>();
    return slack_plain_to_html(text->get_ref<const std::string&>(), shortcodes);
  }
  return {};
}

const nlohmann::json* array_member(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_array() ? &*it : nullptr;
}

/// Block Kit blocks as Slack lays them out: header, section (text and a two-column grid of
/// fields), context (small text and image descriptions), divider. Other block types are named,
/// and the raw JSON is on the page as well. Every *_html value comes from mrkdwn.hpp.
void add_blocks(mus::data& message, const std::string& blocks_json) {
  const auto blocks = nlohmann::json::parse(blocks_json, nullptr, false);
  if (blocks.is_discarded() || !blocks.is_array()) return;
  mus::data& list = add_list(message, "blocks", blocks.size());
  for (const auto& block : blocks) {
    if (!block.is_object()) continue;
    const auto type_it = block.find("type");
    const std::string type =
        type_it != block.end() && type_it->is_string() ? type_it->get<std::string>() : "";
    mus::data& b = append_object(list);
    if (type == "header") {
      b.set("is_header", true);
      if (const auto text = block.find("text"); text != block.end()) {
        set_if(b, "header_html", text_object_html(*text));
      }
    } else if (type == "section") {
      b.set("is_section", true);
      if (const auto text = block.find("text"); text != block.end()) {
        set_if(b, "section_text_html", text_object_html(*text));
      }
      const nlohmann::json* fields = array_member(block, "fields");
      mus::data& field_list = add_list(b, "section_fields", fields ? fields->size() : 0);
      bool any_field = false;
      if (fields) {
        for (const auto& field : *fields) {
          std::string html = text_object_html(field);
          if (html.empty()) continue;
          append_object(field_list).set("section_field_html", html);
          any_field = true;
        }
      }
      b.set("has_section_fields", any_field);
    } else if (type == "context") {
      b.set("is_context", true);
      const nlohmann::json* elements = array_member(block, "elements");
      mus::data& element_list = add_list(b, "context_elements", elements ? elements->size() : 0);
      if (!elements) continue;
      for (const auto& element : *elements) {
        std::string html = text_object_html(element);
        if (html.empty() && element.is_object() && element.contains("type") &&
            element["type"] == "image") {
          // Images are not loaded (the CSP allows none from elsewhere): their description.
          const auto alt = element.find("alt_text");
          html = "[" +
                 slack_plain_to_html(alt != element.end() && alt->is_string()
                                         ? alt->get_ref<const std::string&>()
                                         : std::string("image")) +
                 "]";
        }
        if (!html.empty()) append_object(element_list).set("context_element_html", html);
      }
    } else if (type == "divider") {
      b.set("is_divider", true);
    } else {
      b.set("other_type", type.empty() ? std::string("untyped") : type);
    }
  }
}

bool mrkdwn_in(const SlackAttachment& a, std::string_view field) {
  return std::find(a.mrkdwn_in.begin(), a.mrkdwn_in.end(), field) != a.mrkdwn_in.end();
}

/// An attachment's text as HTML: mrkdwn when `mrkdwn_in` lists `field`, plain text otherwise.
std::string attachment_html(const SlackAttachment& a, std::string_view field,
                            const std::string& text) {
  return mrkdwn_in(a, field) ? mrkdwn_to_html(text) : slack_plain_to_html(text);
}

}  // namespace

std::string slack_color(std::string_view color) {
  if (color == "good") return "#2eb886";
  if (color == "warning") return "#daa038";
  if (color == "danger") return "#a30200";
  if (color.size() != 7 || color[0] != '#') return {};
  std::string out = "#";
  for (std::size_t i = 1; i < 7; ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(color[i])));
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
    out += c;
  }
  return out;
}

std::string render_channel(std::string_view name, const std::vector<SlackMessageView>& messages) {
  std::vector<const SlackMessageView*> sorted;
  sorted.reserve(messages.size());
  for (const SlackMessageView& m : messages) sorted.push_back(&m);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const SlackMessageView* a, const SlackMessageView* b) {
                     return a->received_at_ms > b->received_at_ms;
                   });
  mus::data d;
  mus::data& list = add_list(d, "messages", sorted.size());
  for (const SlackMessageView* m : sorted) {
    mus::data& md = append_object(list);
    md.set("msg_username", m->username.empty() ? std::string("incoming-webhook") : m->username);
    md.set("msg_received", detail::format_utc(m->received_at_ms));
    if (m->channel != name) set_if(md, "msg_channel", m->channel);
    // The *_html values are HTML from mrkdwn.hpp (escaped there) and are the only values the
    // channel template inserts unescaped; everything else goes through {{ }}.
    set_if(md, "msg_text_html", m->mrkdwn ? mrkdwn_to_html(m->text) : slack_plain_to_html(m->text));
    mus::data& attachments = add_list(md, "attachments", m->attachments.size());
    for (const SlackAttachment& a : m->attachments) {
      mus::data& ad = append_object(attachments);
      const std::string color = slack_color(a.color);
      ad.set("att_color", color.empty() ? std::string("#dddddd") : color);
      set_if(ad, "att_pretext_html", attachment_html(a, "pretext", a.pretext));
      set_if(ad, "att_title", slack_unescape(a.title));
      set_if(ad, "att_title_link", safe_url(a.title_link));
      set_if(ad, "att_text_html", attachment_html(a, "text", a.text));
      set_if(ad, "att_footer", slack_unescape(a.footer));
      mus::data& fields = add_list(ad, "att_fields", a.fields.size());
      for (const SlackField& f : a.fields) {
        mus::data& fd = append_object(fields);
        fd.set("field_title", slack_unescape(f.title));
        fd.set("field_value_html", attachment_html(a, "fields", f.value));
        fd.set("field_short", f.short_field);
      }
    }
    if (!m->blocks_json.empty()) add_blocks(md, m->blocks_json);
    set_if(md, "msg_blocks_json", m->blocks_json);
  }
  d.set("name", std::string(name));
  d.set("count", std::to_string(messages.size()));
  return layout("#" + std::string(name), 0, Page::channel, d);
}

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
  return layout(title, 0, Page::error, d);
}

std::string render_timeline(const TimelinePage& page, const TimelineQuery& query,
                            UnixMillis now_ms) {
  const TimeWindow window = resolve_window(query, now_ms);
  mus::data d;
  d.set("has_chart", add_chart(d, page, window, now_ms));

  mus::data status_options{mus::data::type::list};
  status_options.push_back(option("", "any", !query.status));
  status_options.push_back(option("firing", "firing", query.status == AlertStatus::firing));
  status_options.push_back(option("resolved", "resolved", query.status == AlertStatus::resolved));
  d.set("status_options", status_options);
  d.set("severity", query.severity);
  d.set("alertname", query.alertname);
  d.set("service", query.service);
  mus::data matchers{mus::data::type::list};
  for (const std::string& m : query.matchers) {
    mus::data md;
    md.set("value", m);
    matchers.push_back(md);
  }
  d.set("matchers", matchers);

  mus::data range_options{mus::data::type::list};
  mus::data range_links{mus::data::type::list};
  for (const RangePreset preset :
       {RangePreset::last_1h, RangePreset::last_6h, RangePreset::last_24h, RangePreset::last_7d,
        RangePreset::last_30d, RangePreset::custom}) {
    const std::string name(range_name(preset));
    range_options.push_back(option(name, name, preset == query.range));
    if (preset == RangePreset::custom) continue;
    TimelineQuery q = query;
    q.range = preset;
    q.since_ms.reset();
    q.until_ms.reset();
    q.cursor.clear();
    mus::data link;
    link.set("label", name);
    link.set("href", timeline_href(q));
    link.set("current", preset == query.range);
    range_links.push_back(link);
  }
  d.set("range_options", range_options);
  d.set("range_links", range_links);
  if (query.range == RangePreset::custom) {
    if (query.since_ms) d.set("since_value", detail::format_datetime_local(*query.since_ms));
    if (query.until_ms) d.set("until_value", detail::format_datetime_local(*query.until_ms));
  }
  std::vector<int> refresh_values{0, 10, 30, 60, 300};
  if (std::find(refresh_values.begin(), refresh_values.end(), query.refresh_seconds) ==
      refresh_values.end()) {
    refresh_values.push_back(query.refresh_seconds);
  }
  mus::data refresh_options{mus::data::type::list};
  for (const int r : refresh_values) {
    refresh_options.push_back(option(std::to_string(r), r == 0 ? "off" : std::to_string(r) + " s",
                                     r == query.refresh_seconds));
  }
  d.set("refresh_options", refresh_options);
  d.set("has_limit", query.limit != TimelineQuery{}.limit);
  d.set("limit", std::to_string(query.limit));

  d.set("incidents", std::to_string(page.counts.incidents));
  d.set("incidents_firing", std::to_string(page.counts.incidents_firing));
  d.set("occurrences", std::to_string(page.counts.occurrences));
  d.set("occurrences_firing", std::to_string(page.counts.occurrences_firing));
  d.set("window_since", detail::format_utc(window.since_ms));
  d.set("window_until", detail::format_utc(window.until_ms));

  mus::data legend{mus::data::type::list};
  for (const auto& [rank, label] :
       std::array<std::pair<int, const char*>, 5>{{{4, "critical / page"},
                                                   {3, "error"},
                                                   {2, "warning / ticket"},
                                                   {1, "info, other"},
                                                   {0, "no severity"}}}) {
    mus::data item;
    item.set("fill", severity_fill(rank));
    item.set("label", label);
    legend.push_back(item);
  }
  d.set("legend", legend);

  // The incident table is "incidents" in the counts line too; name the list distinctly.
  mus::data& rows = add_list(d, "incident_rows", page.incidents.size());
  for (const IncidentView& incident : page.incidents) {
    const detail::IncidentFacts facts = detail::incident_facts(incident);
    const std::string& severity = facts.highest_severity;
    mus::data& r = append_object(rows);
    r.set("id", std::to_string(incident.id));
    r.set("href", incident_href(incident.id));
    r.set("status", to_string(incident.status));
    r.set("severity", display_severity(severity));
    r.set("severity_rank", std::to_string(severity_rank(severity)));
    r.set("title", incident_title(incident));
    r.set("services", join(facts.services, ", "));
    r.set("started", detail::format_utc(facts.started_at_ms));
    r.set("duration",
          detail::format_duration(incident.resolved_at_ms.value_or(now_ms) - facts.started_at_ms));
  }
  d.set("has_incidents", !page.incidents.empty());

  if (!query.cursor.empty()) {
    TimelineQuery first = query;
    first.cursor.clear();
    d.set("has_first", true);
    d.set("first_href", timeline_href(first));
  }
  if (!page.next_cursor.empty()) {
    TimelineQuery next = query;
    next.cursor = page.next_cursor;
    d.set("has_next", true);
    d.set("next_href", timeline_href(next));
  }
  return layout("Alert timeline", query.refresh_seconds, Page::timeline, d);
}

std::string render_incident(const IncidentView& incident_in, UnixMillis now_ms) {
  IncidentView incident = incident_in;
  complete_from_occurrences(incident);

  mus::data d;
  d.set("id", std::to_string(incident.id));
  d.set("title", incident_title(incident));
  d.set("status", to_string(incident.status));
  d.set("postmortem_href", incident_href(incident.id) + "/postmortem.md");
  d.set("started", detail::format_utc(incident.started_at_ms));
  d.set("detected", detail::format_utc(incident.first_notified_at_ms));
  d.set("time_to_detect",
        detail::format_duration(incident.first_notified_at_ms - incident.started_at_ms));
  d.set("has_resolved", incident.resolved_at_ms.has_value());
  if (incident.resolved_at_ms) {
    d.set("resolved", detail::format_utc(*incident.resolved_at_ms));
    d.set("time_to_resolve",
          detail::format_duration(*incident.resolved_at_ms - incident.first_notified_at_ms));
  }
  d.set("duration",
        detail::format_duration(incident.resolved_at_ms.value_or(now_ms) - incident.started_at_ms));
  d.set("severity", display_severity(incident.highest_severity));
  d.set("severity_rank", std::to_string(severity_rank(incident.highest_severity)));
  mus::data services{mus::data::type::list};
  for (const std::string& s : incident.services) services.push_back(s);
  d.set("services", services);
  mus::data instances{mus::data::type::list};
  for (const std::string& s : incident.instances) instances.push_back(s);
  d.set("instances", instances);
  d.set("group_key", incident.group_key);

  std::vector<const OccurrenceView*> occurrences;
  occurrences.reserve(incident.occurrences.size());
  for (const OccurrenceView& o : incident.occurrences) occurrences.push_back(&o);
  std::stable_sort(occurrences.begin(), occurrences.end(),
                   [](const OccurrenceView* a, const OccurrenceView* b) {
                     if (a->starts_at_ms != b->starts_at_ms)
                       return a->starts_at_ms < b->starts_at_ms;
                     return a->alertname < b->alertname;
                   });
  if (occurrences.size() > kIncidentPageMaxAlerts) {
    d.set("has_hidden", true);
    d.set("hidden_count", std::to_string(occurrences.size() - kIncidentPageMaxAlerts));
    occurrences.resize(kIncidentPageMaxAlerts);
  }
  mus::data& occ_list = add_list(d, "occurrences", occurrences.size());
  for (const OccurrenceView* o : occurrences) {
    const std::string severity = detail::severity_of(*o);
    mus::data& od = append_object(occ_list);
    od.set("alertname", o->alertname);
    od.set("status", to_string(o->status));
    od.set("severity", display_severity(severity));
    od.set("severity_rank", std::to_string(severity_rank(severity)));
    od.set("silenced", o->silenced);
    od.set("inhibited", o->inhibited);
    od.set("starts_at", detail::format_utc(o->starts_at_ms));
    od.set("has_ends", o->ends_at_ms.has_value());
    if (o->ends_at_ms) od.set("ends_at", detail::format_utc(*o->ends_at_ms));
    od.set("duration", detail::format_duration(o->ends_at_ms.value_or(now_ms) - o->starts_at_ms));
    od.set("times_notified", std::to_string(o->times_notified));
    od.set("first_notified", detail::format_utc(o->first_notified_at_ms));
    od.set("last_notified", detail::format_utc(o->last_notified_at_ms));
    od.set("fingerprint", o->fingerprint);
    set_if(od, "generator_url", safe_url(o->generator_url));
    if (const auto it = o->annotations.find("runbook_url"); it != o->annotations.end()) {
      set_if(od, "runbook_url", safe_url(it->second));
    }
    set_if(od, "silence_url", silence_url(incident.external_url, o->labels));
    mus::data& labels = add_list(od, "labels", o->labels.size());
    for (const auto& [name, value] : o->labels) {
      mus::data& kv = append_object(labels);
      kv.set("name", name);
      kv.set("value", value);
    }
    mus::data& annotations = add_list(od, "annotations", o->annotations.size());
    for (const auto& [name, value] : o->annotations) {
      mus::data& kv = append_object(annotations);
      kv.set("name", name);
      kv.set("value", value);
    }
    od.set("has_annotations", !o->annotations.empty());
  }
  d.set("occurrence_count", std::to_string(incident.occurrences.size()));

  // The timeline: alert transitions and incident events (an auto-healer action, a note), in time
  // order; at equal times a transition comes before the event that answered it.
  struct Entry {
    UnixMillis at_ms;
    int order;
    std::size_t seq;
    std::string kind, author, text;
  };
  std::vector<Entry> entries;
  for (const OccurrenceView& o : incident.occurrences) {
    entries.push_back(
        {o.starts_at_ms, 0, entries.size(), "firing", "Alertmanager", o.alertname + " firing"});
    if (o.ends_at_ms) {
      entries.push_back({*o.ends_at_ms, 2, entries.size(), "resolved", "Alertmanager",
                         o.alertname + " resolved"});
    }
  }
  for (const IncidentEventView& e : incident.events) {
    entries.push_back({e.at_ms, 1, entries.size(), e.kind, e.author, e.text});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.at_ms, a.order, a.seq) < std::tie(b.at_ms, b.order, b.seq);
  });
  mus::data& timeline = add_list(d, "timeline", entries.size());
  for (const Entry& e : entries) {
    mus::data& row = append_object(timeline);
    row.set("time", detail::format_utc(e.at_ms));
    row.set("kind", e.kind);
    row.set("author", e.author);
    row.set("text", e.text);
  }
  d.set("event_count", std::to_string(incident.events.size()));

  std::vector<const NotificationView*> notifications;
  notifications.reserve(incident.notifications.size());
  for (const NotificationView& n : incident.notifications) notifications.push_back(&n);
  std::stable_sort(notifications.begin(), notifications.end(),
                   [](const NotificationView* a, const NotificationView* b) {
                     return a->received_at_ms < b->received_at_ms;
                   });
  mus::data& log = add_list(d, "notifications", notifications.size());
  for (const NotificationView* n : notifications) {
    mus::data& nd = append_object(log);
    nd.set("received", detail::format_utc(n->received_at_ms));
    nd.set("receiver", n->receiver);
    nd.set("channel_href", "/channels/" + url_encode(n->receiver));
    nd.set("status", to_string(n->status));
    nd.set("group_key", n->group_key);
  }
  d.set("notification_count", std::to_string(incident.notifications.size()));
  return layout("Incident #" + std::to_string(incident.id), 0, Page::incident, d);
}

std::string render_channels(const std::vector<ChannelSummary>& channels) {
  mus::data list{mus::data::type::list};
  for (const ChannelSummary& c : channels) {
    mus::data cd;
    cd.set("name", c.name);
    cd.set("href", "/channels/" + url_encode(c.name));
    cd.set("count", std::to_string(c.message_count));
    cd.set("has_last", c.last_message_at_ms.has_value());
    if (c.last_message_at_ms) cd.set("last", detail::format_utc(*c.last_message_at_ms));
    list.push_back(cd);
  }
  mus::data d;
  d.set("has_channels", !channels.empty());
  d.set("channels", list);
  return layout("Channels", 0, Page::channels, d);
}

}  // namespace mock_slack::ui
