#pragma once
// What every page of mock-slack's web UI shares (html.hpp's renderers, in page_layout.cpp,
// timeline_page.cpp, incident_page.cpp and channel_page.cpp): the built-in templates and the
// layout around a page body, kainjow data built in place, and small formatting helpers. Internal
// to mock_slack_ui. Pure; thread-safe (each thread keeps its own parsed templates).

#include <cstddef>
#include <cstdint>
#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui::detail {

namespace mus = kainjow::mustache;

/// The built-in templates (templates/*.mustache, embedded at configure time).
enum class Page : std::size_t {
  head,
  foot,
  error,
  timeline,
  incident,
  incident_response,
  channels,
  channel,
  search,
  count
};

/// Renders template `page` with `data`, appended to `out`.
void render_into(std::string& out, Page page, const mus::data& data);

/// A whole document: the head (title, a meta refresh when `refresh_seconds` > 0), `body_page`
/// rendered with `body`, and the foot.
std::string layout(std::string_view title, int refresh_seconds, Page body_page,
                   const mus::data& body);

/// kainjow's set() and push_back() deep-copy their argument: these add an empty list (with room
/// for `capacity` elements) or object and hand back a reference to fill in place.
mus::data& add_list(mus::data& parent, const std::string& key, std::size_t capacity);
mus::data& append_object(mus::data& list);

/// Sets `key` only for a non-empty value: kainjow renders a section for any string, even "".
void set_if(mus::data& d, const std::string& key, const std::string& value);

/// The chart's and badges' colour of a severity rank (4 critical .. 1 info, else grey).
const char* severity_fill(int rank);
/// "none" for an alert without a severity.
std::string display_severity(const std::string& severity);
/// Cuts at `max_bytes` without splitting a UTF-8 sequence, with "…" when cut.
std::string truncate_utf8(const std::string& text, std::size_t max_bytes);

std::string incident_href(std::int64_t id);
/// "/" or "/?<query>": the timeline with `q`'s filters.
std::string timeline_href(const TimelineQuery& q);
/// One <option> of a filter's <select>.
mus::data option(const std::string& value, const std::string& label, bool selected);
/// An incident's title: its first three alert names ("A, B, C, …"), or its group key.
std::string incident_title(const IncidentView& incident);
std::string join(const std::vector<std::string>& values, std::string_view sep);

}  // namespace mock_slack::ui::detail
