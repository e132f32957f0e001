#pragma once
// The postmortem draft's figures (internal to mock_slack_ui; postmortem_figures.cpp): the times
// and TTD/TTA/TTM/TTR, the impact window, the request-weighted error budget, the SLI chart's link
// and a drill's measurements. Each figure is a bullet followed by one "How:" line.

#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "mock_slack_ui/sli.hpp"
#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui::detail {

/// An inline code span that keeps `text` literal (postmortem.cpp).
std::string code_span(std::string_view text, bool in_table);

/// "started, detected, acknowledged, mitigated, resolved" and the four durations.
void times_section(std::ostringstream& md, const IncidentTimes& times, UnixMillis now_ms);

/// The impact window, the error budget per SLO and the chart link, or why they are missing.
void budget_section(std::ostringstream& md, const std::optional<IncidentSli>& sli,
                    const IncidentTimes& times, UnixMillis now_ms, std::string_view chart_link);

/// The measured and expected figures of every "drill" event with `details.measurements`:
/// [{"what", "expected_seconds", "low_seconds", "high_seconds", "measured_seconds"}], and
/// `details.scenario` and `details.result`. Nothing when no drill ran.
void drill_section(std::ostringstream& md, const IncidentView& incident);

}  // namespace mock_slack::ui::detail
