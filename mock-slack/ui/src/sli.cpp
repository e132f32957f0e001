// The SLI over an incident from Prometheus, and the incident's times (mock_slack_ui/sli.hpp;
// tests/sli_test.cpp, tests/sli_prometheus_test.cpp).
#include "mock_slack_ui/sli.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <tuple>

#include "firedrill/alerting/matcher.hpp"
#include "mock_slack_ui/prometheus.hpp"
#include "text.hpp"

namespace mock_slack::ui {
namespace {

constexpr std::string_view kErrorRatioRule = "slo:sli_error:ratio_rate5m";
constexpr std::string_view kTotalRateRule = "slo:sli_total:rate5m";

std::string selector(std::string_view metric, const std::string& service, const std::string& slo) {
  return std::string(metric) + "{service=" + firedrill::alerting::quote(service) +
         ",slo=" + firedrill::alerting::quote(slo) + "}";
}

/// The threshold of a generated burn-rate alert: the number after the first
/// `slo:burn_rate:...{...} >`; nullopt when the expression has another shape.
std::optional<double> burn_rate_threshold(std::string_view query) {
  const std::size_t metric = query.find("slo:burn_rate:");
  if (metric == std::string_view::npos) return std::nullopt;
  const std::size_t close = query.find('}', metric);
  if (close == std::string_view::npos) return std::nullopt;
  std::size_t i = close + 1;
  while (i < query.size() && (query[i] == ' ' || query[i] == '\n')) ++i;
  if (i >= query.size() || query[i] != '>' || (i + 1 < query.size() && query[i + 1] == '=')) {
    return std::nullopt;
  }
  const std::string rest(query.substr(i + 1));
  char* end = nullptr;
  const double v = std::strtod(rest.c_str(), &end);
  if (end == rest.c_str() || !std::isfinite(v) || v <= 0) return std::nullopt;
  return v;
}

/// X of a rule `vector(X)`, or nullopt.
std::optional<double> vector_constant(std::string_view query) {
  constexpr std::string_view open = "vector(";
  if (query.substr(0, open.size()) != open || query.back() != ')') return std::nullopt;
  const std::string number(query.substr(open.size(), query.size() - open.size() - 1));
  char* end = nullptr;
  const double v = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

struct SloRules {
  std::optional<double> objective;  ///< from `slo:objective:ratio`'s `vector(0.999)`
  std::string error_ratio_query;
  std::string total_rate_query;
  std::vector<double> page_burn_rates;
};

std::chrono::seconds ceil_seconds(UnixMillis ms) {
  return std::chrono::seconds(std::max<UnixMillis>(1, (ms + 999) / 1000));
}

/// The first value of a one-series answer, or nullopt (no series).
std::optional<double> single(const std::vector<InstantSample>& v) {
  if (v.empty() || !std::isfinite(v.front().value)) return std::nullopt;
  return v.front().value;
}

}  // namespace

double SloSli::period_requests(std::chrono::seconds period) const {
  const auto p = static_cast<double>(period.count());
  if (held_seconds <= 0) return period_requests_held;
  return period_requests_held * p / std::min(held_seconds, p);
}

double SloSli::budget_consumed_ratio(std::chrono::seconds period) const {
  const double budget = (1.0 - objective) * period_requests(period);
  return budget > 0 ? errors / budget : 0.0;
}

double SloSli::peak_burn_rate() const {
  double peak = 0;
  if (objective >= 1.0) return 0;
  for (const auto& [t, v] : error_ratio) {
    if (std::isfinite(v)) peak = std::max(peak, v / (1.0 - objective));
  }
  return peak;
}

std::vector<std::string> sli_summary(const IncidentSli& sli) {
  std::vector<std::string> out;
  if (!sli.error.empty()) return out;
  out.push_back("Impact from " + detail::format_utc(sli.impact_start_ms) + " to " +
                detail::format_utc(sli.impact_end_ms) + " (" +
                detail::format_duration(sli.impact_end_ms - sli.impact_start_ms) + "), " +
                (sli.impact_from_sli ? "from the first bad minute of the SLI"
                                     : "from the first alert (no bad minute before it)") +
                ".");
  for (const SloSli& s : sli.slos) {
    out.push_back(s.service + " " + s.slo + ": " +
                  detail::format_fixed(s.budget_consumed_ratio(sli.options.period) * 100.0, 3) +
                  "% of the " + sli.options.period_label + " error budget consumed (" +
                  detail::format_fixed(s.errors, 0) + " of " + detail::format_fixed(s.requests, 0) +
                  " requests failed), peak burn rate " +
                  detail::format_fixed(s.peak_burn_rate(), 1) + "x.");
  }
  if (sli.slos.empty()) out.push_back("No SLO recording rules for these services.");
  return out;
}

IncidentTimes incident_times(const IncidentView& incident_in, const IncidentSli* sli) {
  IncidentView incident = incident_in;
  complete_from_occurrences(incident);
  IncidentTimes t;
  t.alert_start_ms = incident.started_at_ms;
  t.started_ms = incident.started_at_ms;
  if (sli != nullptr && sli->error.empty() && sli->impact_from_sli) {
    t.started_ms = sli->impact_start_ms;
    t.started_from_sli = true;
  }
  t.detected_ms = incident.first_notified_at_ms;
  std::vector<const IncidentEventView*> events;
  for (const IncidentEventView& e : incident.events) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(),
                   [](const auto* a, const auto* b) { return a->at_ms < b->at_ms; });
  std::optional<UnixMillis> resolved;
  std::string resolved_by;
  for (const IncidentEventView* e : events) {
    if (e->kind == "acknowledged" && !t.acknowledged_ms) {
      t.acknowledged_ms = e->at_ms;
      t.acknowledged_by = e->author;
    } else if (e->kind == "mitigated" && !t.mitigated_ms) {
      t.mitigated_ms = e->at_ms;
      t.mitigated_by = e->author;
    } else if (e->kind == "resolved" && !resolved) {
      resolved = e->at_ms;
      resolved_by = e->author;
    } else if (e->kind == "reopened") {
      resolved.reset();
      resolved_by.clear();
    }
  }
  if (resolved) {
    t.resolved_ms = resolved;
    t.resolved_by = resolved_by;
  } else {
    t.resolved_ms = incident.resolved_at_ms;
  }
  return t;
}

IncidentSli fetch_incident_sli(std::string_view base_url, const IncidentView& incident_in,
                               UnixMillis now_ms, const SliOptions& options) {
  IncidentView incident = incident_in;
  complete_from_occurrences(incident);
  IncidentSli out;
  out.prometheus_url = std::string(base_url);
  out.options = options;
  const IncidentTimes times = incident_times(incident, nullptr);
  out.alert_start_ms = incident.started_at_ms;
  out.impact_start_ms = incident.started_at_ms;
  out.impact_end_ms = std::max(times.resolved_ms.value_or(now_ms), incident.started_at_ms);
  const auto fail = [&out](const PrometheusError& e) {
    out.error = e.message;
    out.slos.clear();
    return out;
  };

  PrometheusClient prom(base_url, options.timeout);
  auto rules = prom.rules();
  if (const auto* e = std::get_if<PrometheusError>(&rules)) return fail(*e);

  std::map<std::pair<std::string, std::string>, SloRules> by_slo;
  const auto wanted =
      [&](const LabelMap& labels) -> std::optional<std::pair<std::string, std::string>> {
    const auto service = labels.find("service");
    const auto slo = labels.find("slo");
    if (service == labels.end() || slo == labels.end()) return std::nullopt;
    if (std::find(incident.services.begin(), incident.services.end(), service->second) ==
        incident.services.end()) {
      return std::nullopt;
    }
    return std::make_pair(service->second, slo->second);
  };
  for (const PrometheusRule& r : std::get<std::vector<PrometheusRule>>(rules)) {
    const auto key = wanted(r.labels);
    if (!key) continue;
    if (!r.alerting && r.name == kErrorRatioRule) {
      by_slo[*key].error_ratio_query = r.query;
    } else if (!r.alerting && r.name == kTotalRateRule) {
      by_slo[*key].total_rate_query = r.query;
    } else if (!r.alerting && r.name == "slo:objective:ratio") {
      by_slo[*key].objective = vector_constant(r.query);
    } else if (r.alerting) {
      const auto sev = r.labels.find("severity");
      const auto threshold = burn_rate_threshold(r.query);
      if (sev != r.labels.end() && sev->second == "page" && threshold) {
        by_slo[*key].page_burn_rates.push_back(*threshold);
      }
    }
  }

  const std::chrono::seconds step = std::max(options.impact_step, std::chrono::seconds(1));
  const std::chrono::seconds wanted_lookback = options.lookback.value_or(options.period / 120);
  const std::chrono::seconds lookback(
      std::max<long long>(1, wanted_lookback.count() / step.count()) * step.count());
  const UnixMillis step_ms = step.count() * 1000;

  for (auto& [key, rules_of] : by_slo) {
    if (rules_of.error_ratio_query.empty() || rules_of.total_rate_query.empty()) continue;
    SloSli s;
    s.service = key.first;
    s.slo = key.second;
    std::sort(rules_of.page_burn_rates.begin(), rules_of.page_burn_rates.end(), std::greater<>());
    rules_of.page_burn_rates.erase(
        std::unique(rules_of.page_burn_rates.begin(), rules_of.page_burn_rates.end()),
        rules_of.page_burn_rates.end());
    s.page_burn_rates = rules_of.page_burn_rates;

    // The objective from its rule (the generator writes `vector(0.999)`), else its series.
    std::optional<double> obj = rules_of.objective;
    if (!obj) {
      const std::string objective_q = selector("slo:objective:ratio", s.service, s.slo);
      out.queries.push_back(objective_q);
      auto objective = prom.query(objective_q, out.impact_end_ms);
      if (const auto* e = std::get_if<PrometheusError>(&objective)) return fail(*e);
      obj = single(std::get<std::vector<InstantSample>>(objective));
    }
    if (!obj || *obj <= 0 || *obj >= 1) continue;  // not an SLO with an objective
    s.objective = *obj;

    // The bad steps ending at the alert's start: each point is the error ratio of the step
    // before it, increase() over increase().
    const auto [per_step_q, ranges] = with_range(rules_of.error_ratio_query, step);
    if (ranges == 0) continue;
    out.queries.push_back(per_step_q);
    auto before = prom.query_range(per_step_q, out.alert_start_ms - lookback.count() * 1000,
                                   out.alert_start_ms, step);
    if (const auto* e = std::get_if<PrometheusError>(&before)) return fail(*e);
    const auto& series = std::get<std::vector<RangeSeries>>(before);
    if (!series.empty()) {
      const auto& points = series.front().points;
      std::optional<UnixMillis> expected;
      for (auto it = points.rbegin(); it != points.rend(); ++it) {
        const bool bad = std::isfinite(it->second) && it->second > 1.0 - s.objective;
        if (!expected) {
          // The run must reach the alert: its last point or the one before.
          if (it->first < out.alert_start_ms - 2 * step_ms) break;
          if (!bad) continue;
        } else if (it->first != *expected || !bad) {
          break;
        }
        s.first_bad_ms = it->first - step_ms;
        expected = it->first - step_ms;
      }
    }
    out.slos.push_back(std::move(s));
  }

  for (const SloSli& s : out.slos) {
    if (s.first_bad_ms && (!out.impact_from_sli || *s.first_bad_ms < out.impact_start_ms)) {
      out.impact_start_ms = *s.first_bad_ms;
      out.impact_from_sli = true;
    }
  }
  out.impact_end_ms = std::max(out.impact_end_ms, out.impact_start_ms);
  const std::chrono::seconds window = ceil_seconds(out.impact_end_ms - out.impact_start_ms);
  const UnixMillis span = out.impact_end_ms - out.impact_start_ms;
  const UnixMillis margin = std::max<UnixMillis>(span / 10, 2 * step_ms);
  out.chart_from_ms = out.impact_start_ms - margin;
  // Every mark in view: the detection may come after the end of an incident that was short.
  out.chart_to_ms = std::min(now_ms, std::max(out.impact_end_ms, times.detected_ms) + margin);
  if (out.chart_to_ms <= out.chart_from_ms) out.chart_to_ms = out.impact_end_ms;
  const auto chart_step = ceil_seconds((out.chart_to_ms - out.chart_from_ms) / 300);

  for (SloSli& s : out.slos) {
    const SloRules& r = by_slo[{s.service, s.slo}];
    const std::string ratio_q = with_range(r.error_ratio_query, window).first;
    const std::string total_q = with_range(r.total_rate_query, window).first;
    const std::string period_q = with_range(r.total_rate_query, options.period).first;
    const std::string held_q =
        "min_over_time(timestamp(" + selector(kTotalRateRule, s.service, s.slo) + ")[" +
        std::to_string(options.period.count()) + "s:" + std::to_string(step.count()) + "s])";
    const std::string chart_q = selector(kErrorRatioRule, s.service, s.slo);
    for (const std::string* q : {&ratio_q, &total_q, &period_q, &held_q, &chart_q}) {
      out.queries.push_back(*q);
    }
    std::optional<double> values[4];
    const std::string* instant[] = {&ratio_q, &total_q, &period_q, &held_q};
    for (std::size_t i = 0; i < 4; ++i) {
      auto v = prom.query(*instant[i], out.impact_end_ms);
      if (const auto* e = std::get_if<PrometheusError>(&v)) return fail(*e);
      values[i] = single(std::get<std::vector<InstantSample>>(v));
    }
    const double ratio = values[0].value_or(0);
    s.requests = values[1].value_or(0) * static_cast<double>(window.count());
    s.errors = s.requests > 0 ? ratio * std::max(1.0, s.requests) : 0.0;
    s.period_requests_held = values[2].value_or(0) * static_cast<double>(options.period.count());
    if (values[3]) {
      s.held_seconds = std::clamp(static_cast<double>(out.impact_end_ms) / 1000.0 - *values[3], 1.0,
                                  static_cast<double>(options.period.count()));
    }
    auto chart = prom.query_range(chart_q, out.chart_from_ms, out.chart_to_ms, chart_step);
    if (const auto* e = std::get_if<PrometheusError>(&chart)) return fail(*e);
    const auto& cs = std::get<std::vector<RangeSeries>>(chart);
    if (!cs.empty()) s.error_ratio = cs.front().points;
  }
  return out;
}

}  // namespace mock_slack::ui
