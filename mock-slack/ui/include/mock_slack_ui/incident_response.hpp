#pragma once

/// The people's side of an incident, from its incident events: who acknowledged it and when, who
/// marked it mitigated, who resolved it by hand (or reopened it since); and the incident page's
/// "Response" section that shows it with the forms to add to it. Pure; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui {

/// One moment of the response: when, who, and what they wrote.
struct ResponseMark {
  UnixMillis at_ms = 0;
  std::string author;
  std::string text;
};

struct IncidentResponse {
  std::optional<ResponseMark> acknowledged;  ///< the first acknowledgement
  std::optional<ResponseMark> mitigated;     ///< the first mark of mitigation
  /// The latest resolution by hand, unless a reopening came after it (then `reopened`).
  std::optional<ResponseMark> resolved;
  std::optional<ResponseMark> reopened;  ///< the latest reopening after the latest resolution
  std::size_t notes = 0;
};

/// Reads the events in time order (then their input order), whatever order they come in.
IncidentResponse response_of(const std::vector<IncidentEventView>& events);

/// The kinds a person posts with the incident page's forms, in the order the page offers them.
inline constexpr const char* kFormEventKinds[] = {"acknowledged", "note", "mitigated", "resolved",
                                                  "reopened"};

/// The incident page's "Response" section (an HTML fragment): who acknowledged, mitigated and
/// resolved by hand, and, when `incident.forms.offered`, the forms that POST to
/// /incidents/{id}/events (plain HTML, no script); else a line saying how to enable them.
std::string render_incident_response(const IncidentView& incident);

}  // namespace mock_slack::ui
