#pragma once

/// The SLI chart of an incident: a hand-written SVG (no script, no style element, no external
/// reference), one panel per SLO, drawing the burn rate of the 5m error ratio against the page
/// alerts' thresholds (left axis: burn rate; right axis: the error ratio it stands for), with
/// vertical marks at the break (impact start), detection, acknowledgement, mitigation and
/// resolution. Served at `/incidents/{id}/sli.svg` and saved beside a postmortem draft. Every
/// text is XML-escaped; the document is well-formed XML whatever the labels hold.

#include <string>
#include <string_view>

#include "mock_slack_ui/sli.hpp"

namespace mock_slack::ui {

inline constexpr std::string_view kSvgContentType = "image/svg+xml; charset=utf-8";

/// The chart's geometry, in SVG user units (tests place the marks with it).
inline constexpr double kSliChartWidth = 960.0;
inline constexpr double kSliPanelHeight = 260.0;
inline constexpr double kSliPlotLeft = 80.0;
inline constexpr double kSliPlotRight = 880.0;  ///< the right axis
inline constexpr double kSliPlotTop = 56.0;     ///< inside a panel
inline constexpr double kSliPlotBottom = 220.0;
/// The burn-rate axis turns logarithmic (from kSliLogScaleMin) when the peak is more than
/// kSliLogScaleAbove times the highest page threshold.
inline constexpr double kSliLogScaleAbove = 4.0;
inline constexpr double kSliLogScaleMin = 0.1;

/// x of time `at_ms` on the chart of `sli` (chart_from_ms at kSliPlotLeft, chart_to_ms at
/// kSliPlotRight).
double sli_chart_x(const IncidentSli& sli, UnixMillis at_ms);

/// The SVG document. `sli.error` must be empty (the caller says why there is no chart); an
/// incident without SLO series gets a one-panel document saying so.
std::string render_sli_chart(const IncidentSli& sli, const IncidentTimes& times,
                             std::int64_t incident_id);

/// `text` safe in XML content and attribute values: & < > " ' escaped, control characters and
/// invalid UTF-8 replaced (XML 1.0 cannot hold them).
std::string xml_escape(std::string_view text);

}  // namespace mock_slack::ui
