#pragma once

/// Postmortem drafts: Markdown following postmortems/TEMPLATE.md (the Google SRE book's example
/// postmortem), filled from an incident; and the Prometheus queries for its error-budget figures.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui {

/// One SLO's figures over the incident window.
struct SloBudgetFigures {
  std::string service;
  std::string slo;
  double peak_burn_rate = 0;         ///< max of slo:burn_rate:ratio_rate5m over the window
  double budget_consumed_ratio = 0;  ///< share of the period's error budget used (0.02 = 2%)
};

struct BudgetFigures {
  std::string prometheus_url;          ///< where they came from, quoted in the draft
  std::string period = "30d";          ///< the SLO period the budget refers to
  std::vector<SloBudgetFigures> slos;  ///< empty: Prometheus answered but had no series
  std::vector<std::string> queries;    ///< the PromQL evaluated, listed in the draft
};

/// The draft for `GET /incidents/{id}/postmortem.md`. `now_ms` dates the draft and ends the
/// window of an incident still firing. Without `budget`, the draft says the figures were not
/// available. Values are Markdown-escaped; links only for http(s) URLs.
std::string render_postmortem(const IncidentView& incident,
                              const std::optional<BudgetFigures>& budget, UnixMillis now_ms);

/// Escapes text for inline Markdown, including inside a table cell: backslash-escapes ASCII
/// punctuation that has meaning in CommonMark/GFM (`*_[]<>|#` and friends), and turns line breaks
/// and other control characters into spaces.
std::string markdown_escape(std::string_view text);

/// PromQL for the error-budget figures of one service over a window ending at the query's
/// evaluation time. `slo` empty: every SLO of the service (the result has one series per `slo`).
struct PrometheusBudgetQuery {
  /// `max_over_time(slo:burn_rate:ratio_rate5m{service="S",slo="O"}[<window>s])`
  static std::string peak_burn_rate(std::string_view service, std::string_view slo,
                                    std::chrono::seconds window);
  /// Budget consumed during the window as a share of the period's budget: the mean burn rate
  /// over the window times window / period,
  /// `avg_over_time(slo:burn_rate:ratio_rate5m{...}[<window>s]) * <window> / <period>`.
  static std::string budget_consumed(std::string_view service, std::string_view slo,
                                     std::chrono::seconds window,
                                     std::chrono::seconds period = std::chrono::hours(24 * 30));
};

struct BudgetFetchOptions {
  std::chrono::milliseconds timeout{2000};                    ///< connect and read, per request
  std::chrono::seconds period = std::chrono::hours(24 * 30);  ///< the SLO period (drill: 12h)
  std::string period_label = "30d";
};

/// Queries `base_url` (e.g. "http://127.0.0.1:9090", a path prefix allowed) with
/// /api/v1/query at the end of the incident window (resolved_at or now) for every service of the
/// incident, and collects the figures per (service, slo). nullopt on any error (bad base URL,
/// unreachable, timeout, non-200, bad JSON, a non-success status), logged with the peer; an
/// answer without series gives figures with no SLOs. Blocking; 2 requests per service.
std::optional<BudgetFigures> fetch_budget_figures(std::string_view base_url,
                                                  const IncidentView& incident, UnixMillis now_ms,
                                                  const BudgetFetchOptions& options = {});

}  // namespace mock_slack::ui
