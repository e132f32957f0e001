#pragma once

/// Server-rendered HTML pages of mock-slack. Pure functions: view models in, a complete HTML
/// document out. Every value from alerts and messages is HTML-escaped by the templates; links are
/// emitted only for http(s) URLs (safe_url). The pages contain no script and no inline style, so
/// they work with JavaScript off and under kContentSecurityPolicy. Thread-safe.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui {

/// Value of the Content-Security-Policy header for every page and asset.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

inline constexpr std::string_view kHtmlContentType = "text/html; charset=utf-8";
inline constexpr std::string_view kCssContentType = "text/css; charset=utf-8";
inline constexpr std::string_view kMarkdownContentType = "text/markdown; charset=utf-8";

/// The one stylesheet, to serve at kStylePath with kCssContentType.
inline constexpr std::string_view kStylePath = "/static/style.css";
std::string_view style_css();

/// Returns `url` unchanged when it is an absolute http:// or https:// URL with a host and no
/// whitespace or control characters anywhere; otherwise the empty string (javascript:, data:,
/// "java\tscript:", "//host", relative paths, ...).
std::string safe_url(std::string_view url);
/// safe_url(), or also a mailto: address (with something after the colon, under the same rules):
/// what a link in a Slack message may point to.
std::string safe_link(std::string_view url);

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);

/// Alertmanager's "new silence" form pre-filled with matchers for `labels` (alertname first):
/// `<externalURL>/#/silences/new?filter=%7Balertname%3D%22X%22%2C...%7D`. Empty when the external
/// URL is not http(s).
std::string silence_url(std::string_view external_url, const LabelMap& labels);

/// Parameters as cpp-httplib's Request::params holds them.
using QueryParams = std::multimap<std::string, std::string>;

struct ParsedTimelineQuery {
  TimelineQuery query;
  std::string error;  ///< empty when valid; otherwise names the parameter (answer 400)
};

/// Reads the timeline filters from query parameters: status (firing|resolved), severity,
/// alertname, service, matcher (repeatable), range (1h|6h|24h|7d|30d|custom), since and until
/// (custom range; "YYYY-MM-DDTHH:MM[:SS][Z]" in UTC as a datetime-local input sends it, or Unix
/// milliseconds), cursor, limit (1..500), refresh (seconds, 0..3600). Empty values mean "any".
/// Matchers are passed through for the store to validate.
ParsedTimelineQuery parse_timeline_query(const QueryParams& params);

/// The query string ("status=firing&range=6h", no leading '?') that parse_timeline_query reads
/// back to an equal TimelineQuery. Defaults are left out.
std::string to_query_string(const TimelineQuery& query);

/// "1h", "6h", "24h", "7d", "30d" or "custom", as the `range` parameter spells it.
std::string_view range_name(RangePreset preset);

struct TimeWindow {
  UnixMillis since_ms = 0;
  UnixMillis until_ms = 0;
};

/// The range a query covers at `now_ms`: presets end at now, custom ranges default to the last
/// 24 hours before `until` (or now). Always since < until.
TimeWindow resolve_window(const TimelineQuery& query, UnixMillis now_ms);

/// Geometry of one bar of the timeline chart, in SVG user units.
struct ChartBar {
  double x = 0;
  double width = 0;
};

/// The chart's plot area: x from kChartPlotLeft to kChartPlotLeft + kChartPlotWidth covers the
/// window; a bar is never narrower than kChartMinBarWidth so short alerts stay visible.
inline constexpr double kChartPlotLeft = 120.0;
inline constexpr double kChartPlotWidth = 840.0;
inline constexpr double kChartMinBarWidth = 2.0;

/// Where the bar of an occurrence from `starts_at_ms` to `ends_at_ms` (nullopt: firing, drawn to
/// now) lies in `window`, clipped to it; nullopt when it does not overlap the window.
std::optional<ChartBar> chart_bar(UnixMillis starts_at_ms, std::optional<UnixMillis> ends_at_ms,
                                  TimeWindow window, UnixMillis now_ms);

/// `/`: filters, counts, the chart and the incident list with paging links.
std::string render_timeline(const TimelinePage& page, const TimelineQuery& query,
                            UnixMillis now_ms);

/// The incident page details at most this many alerts (earliest first) and says how many more
/// there are, so an alert storm's page stays small; the postmortem draft lists every alert.
inline constexpr std::size_t kIncidentPageMaxAlerts = 300;

/// The incident page's SLI section: the chart (an <img> of /incidents/{id}/sli.svg) and its
/// figures, or in words why there is none.
struct IncidentSliSection {
  std::string prometheus_url;        ///< empty: no Prometheus configured
  std::string error;                 ///< Prometheus did not answer: said instead of the chart
  std::string chart_href;            ///< the SVG
  std::vector<std::string> figures;  ///< sli_summary(): one line each
};

/// `/incidents/{id}`.
std::string render_incident(const IncidentView& incident, UnixMillis now_ms,
                            const IncidentSliSection& sli = {});

/// `/channels`.
std::string render_channels(const std::vector<ChannelSummary>& channels);

/// `/channels/{name}`: messages newest first (sorted here; any input order).
std::string render_channel(std::string_view name, const std::vector<SlackMessageView>& messages);

/// An error page (404, 400) with a title and one line of detail, both escaped.
std::string render_error_page(std::string_view title, std::string_view detail);

/// `page` (a document rendered here) with an alarm banner, `text` HTML-escaped, at the top of its
/// <main>: `<div class="alarm" role="alert">`. `page` unchanged when `text` is empty.
std::string with_banner(std::string page, std::string_view text);

/// The message a webhook notification shows in the channel named after its receiver, modelled on
/// Alertmanager's default Slack template: colour danger/good, title "[FIRING:2] <group labels>",
/// title link to Alertmanager's alert list for the receiver, one line per alert.
SlackMessageView default_slack_message(const NotificationView& notification);

/// The colour bar of a Slack attachment: "#rrggbb" (lower-cased) for a valid "#rrggbb" or
/// good/warning/danger; empty for anything else.
std::string slack_color(std::string_view color);

}  // namespace mock_slack::ui
