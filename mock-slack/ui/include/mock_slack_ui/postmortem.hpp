#pragma once

/// Postmortem drafts: Markdown following postmortems/TEMPLATE.md (the Google SRE book's example
/// postmortem), filled from an incident, its events and its SLI from Prometheus (sli.hpp).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock_slack_ui/sli.hpp"
#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui {

/// The draft for `GET /incidents/{id}/postmortem.md`. `now_ms` dates the draft and ends the
/// window of an incident still firing. `sli` (fetch_incident_sli) gives the impact window, the
/// request-weighted error budget consumed and the chart; nullopt (no Prometheus configured) or
/// an `sli.error` (Prometheus did not answer) is said in words. `chart_link` is where the SLI
/// chart is (a relative path beside a saved draft, or the page's /incidents/{id}/sli.svg);
/// empty: no link. Every figure is followed by one line saying how it was computed; a drill's
/// measured and expected figures come from its "drill" events. Values are Markdown-escaped;
/// links only for http(s) URLs and `chart_link`.
std::string render_postmortem(const IncidentView& incident, const std::optional<IncidentSli>& sli,
                              UnixMillis now_ms, std::string_view chart_link = {});

/// Escapes text for inline Markdown, including inside a table cell: backslash-escapes ASCII
/// punctuation that has meaning in CommonMark/GFM (`*_[]<>|#` and friends), and turns line breaks
/// and other control characters into spaces.
std::string markdown_escape(std::string_view text);

}  // namespace mock_slack::ui
