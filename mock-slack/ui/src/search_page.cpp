// `/search`: render_search() (tests/search_page_test.cpp).
#include "mock_slack_ui/search_page.hpp"

#include "mock_slack_ui/html.hpp"
#include "page_layout.hpp"
#include "text.hpp"

namespace mock_slack::ui {

using namespace detail;  // the pages' shared parts (page_layout.hpp)

namespace {
/// A result's text on the page: long annotations and messages are cut.
constexpr std::size_t kMaxResultTextBytes = 300;
}  // namespace

std::string render_search(std::string_view q, const std::vector<SearchResultView>& results,
                          std::string_view error) {
  mus::data d;
  d.set("q", std::string(q));
  d.set("has_error", !error.empty());
  d.set("error", std::string(error));
  d.set("searched", error.empty() && !q.empty());
  d.set("has_results", !results.empty());
  mus::data& list = add_list(d, "results", results.size());
  for (const SearchResultView& r : results) {
    mus::data& item = append_object(list);
    item.set("type", r.type);
    item.set("time", format_utc(r.time_ms));
    item.set("title", r.title);
    const std::string text = truncate_utf8(r.text, kMaxResultTextBytes);
    item.set("has_text", !text.empty());
    item.set("text", text);
    mus::data& incidents = add_list(item, "incidents", r.incident_ids.size());
    for (std::int64_t id : r.incident_ids) {
      mus::data& link = append_object(incidents);
      link.set("id", std::to_string(id));
      link.set("href", incident_href(id));
    }
    const bool channel_link = r.incident_ids.empty() && !r.channel.empty();
    if (channel_link) {
      item.set("channel", r.channel);
      item.set("channel_href", "/channels/" + url_encode(r.channel));
    }
    item.set("has_links", !r.incident_ids.empty() || channel_link);
  }
  return layout(q.empty() ? "Search" : "Search: " + truncate_utf8(std::string(q), 80), 0,
                Page::search, d);
}

}  // namespace mock_slack::ui
