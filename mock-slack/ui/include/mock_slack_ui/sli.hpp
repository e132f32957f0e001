#pragma once

/// The SLI over an incident, from Prometheus: the series the SLI chart draws (sli_chart.hpp), the
/// impact window (from the first bad minute before the alert to the resolution) and the
/// request-weighted error budget consumed, which the postmortem draft reports.
///
/// The SLOs and their SLIs are read from the rules Prometheus has loaded (generated from
/// alert-rules/slos.yaml by tools/slo-rules), so there is one source of truth:
/// - `slo:sli_error:ratio_rate5m{service,slo}`: its expression, evaluated over another window
///   (with_range), is the SLI's request-weighted error ratio over that window: increase() of the
///   error counter over increase() of the total counter;
/// - `slo:sli_total:rate5m{service,slo}`: its expression over a window gives the request rate;
/// - `slo:objective:ratio{service,slo}`: the objective (its rule's `vector(X)`, else its value);
/// - the `severity="page"` alerting rules of the SLO: the page burn-rate thresholds
///   (`slo:burn_rate:ratio_rate1h{...} > 14.4`).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui {

struct SliOptions {
  std::chrono::milliseconds timeout{2000};                    ///< per request
  std::chrono::seconds period = std::chrono::hours(24 * 30);  ///< the SLO period (drill: 12h)
  std::string period_label = "30d";
  /// The impact window's resolution, "a minute": the first bad step before the alert starts it.
  /// Should span a few scrape intervals (1m for a 15s scrape; the drill stack's 1s scrape: 5s).
  std::chrono::seconds impact_step{60};
  /// How far before the alert's startsAt the first bad step is looked for: period / 120 (6h of
  /// a 30d period, the long window of the slower page alert) unless set.
  std::optional<std::chrono::seconds> lookback;
};

/// One SLO of a service over the incident.
struct SloSli {
  std::string service;
  std::string slo;
  double objective = 0;                 ///< slo:objective:ratio, e.g. 0.999
  std::vector<double> page_burn_rates;  ///< the page alerts' thresholds, highest first
  std::vector<std::pair<UnixMillis, double>> error_ratio;  ///< slo:sli_error:ratio_rate5m
  std::optional<UnixMillis> first_bad_ms;  ///< start of the bad steps ending at startsAt
  // Over the impact window:
  double requests = 0;  ///< increase() of the total counter
  double errors = 0;    ///< increase() of the error counter (error ratio x requests)
  // Over the SLO period ending at the impact window's end:
  double period_requests_held = 0;  ///< requests Prometheus holds for the period
  double held_seconds = 0;          ///< how much of the period it holds data for
  /// The period's requests: period_requests_held scaled from held_seconds to the period.
  double period_requests(std::chrono::seconds period) const;
  /// errors / ((1 - objective) x period_requests); 0 without requests.
  double budget_consumed_ratio(std::chrono::seconds period) const;
  /// max of error_ratio / (1 - objective) over the chart.
  double peak_burn_rate() const;
};

struct IncidentSli {
  std::string prometheus_url;  ///< where it came from
  std::string error;           ///< non-empty: Prometheus could not answer; nothing else is set
  SliOptions options;
  UnixMillis chart_from_ms = 0;  ///< the chart's range
  UnixMillis chart_to_ms = 0;
  UnixMillis alert_start_ms = 0;     ///< the incident's first startsAt
  UnixMillis impact_start_ms = 0;    ///< earliest first_bad_ms, else alert_start_ms
  UnixMillis impact_end_ms = 0;      ///< resolution (or now)
  bool impact_from_sli = false;      ///< false: no bad step before startsAt was found
  std::vector<SloSli> slos;          ///< empty: no SLO rules for the incident's services
  std::vector<std::string> queries;  ///< the PromQL evaluated, for the draft's appendix
};

/// Asks Prometheus at `base_url` for the SLI of every SLO of the incident's services. Never
/// throws: an unreachable Prometheus, an error answer or unusable rules give `error` set.
/// `now_ms` ends the window of an incident still firing. Blocking; about 6 requests per SLO.
IncidentSli fetch_incident_sli(std::string_view base_url, const IncidentView& incident,
                               UnixMillis now_ms, const SliOptions& options = {});

/// The figures in one line each, for the incident page: the impact window, then per SLO the
/// budget consumed, the failed and total requests and the peak burn rate. Empty with an error.
std::vector<std::string> sli_summary(const IncidentSli& sli);

/// The times of an incident, and how each was found.
struct IncidentTimes {
  UnixMillis started_ms = 0;  ///< impact start (the SLI's first bad step), else first startsAt
  bool started_from_sli = false;
  UnixMillis alert_start_ms = 0;              ///< the first alert's startsAt
  UnixMillis detected_ms = 0;                 ///< first notification received
  std::optional<UnixMillis> acknowledged_ms;  ///< first "acknowledged" event
  std::string acknowledged_by;
  std::optional<UnixMillis> mitigated_ms;  ///< first "mitigated" event
  std::string mitigated_by;
  std::optional<UnixMillis> resolved_ms;  ///< a "resolved" event by hand, else all alerts resolved
  std::string resolved_by;                ///< the author, or empty when the alerts resolved
};
/// `sli` (when it answered) moves the start to the impact start. A "reopened" event voids the
/// "resolved" events before it.
IncidentTimes incident_times(const IncidentView& incident, const IncidentSli* sli);

}  // namespace mock_slack::ui
