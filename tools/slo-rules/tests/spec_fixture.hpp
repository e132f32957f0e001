#pragma once
// A small valid slos.yaml spec for slo-rules' tests, changed one setting at a time.

#include <yaml-cpp/yaml.h>

#include <string>

namespace slo_rules::testing {

/// A small valid spec; tests change one setting at a time.
inline YAML::Node valid_spec() {
  return YAML::Load(R"(
version: 1
runbook_base_url: http://rb.example/runbooks
dashboard_base_url: http://grafana.example/d/slo
period: 30d
drill: {factor: 60, scrape_interval: 1s, evaluation_interval: 1s}
burn_rate_alerts:
  - {severity: page, long_window: 1h, short_window: 5m, burn_rate: 14.4}
  - {severity: ticket, long_window: 3d, short_window: 6h, burn_rate: 1}
min_requests: 100
services:
  - service: portal
    sli_absent_alert: {name: PortalSLIAbsent, for: 10m, severity: page}
    slos:
      - slo: availability
        objective: 0.999
        description: API requests that do not answer 5xx
        alert: PortalAvailabilityBudgetBurn
        sli:
          errors: http_requests_total{job="portal",code=~"5.."}
          total: http_requests_total{job="portal"}
      - slo: latency
        objective: 0.99
        description: API requests answered within 500 ms
        alert: PortalLatencyBudgetBurn
        sli:
          good: http_request_duration_seconds_bucket{job="portal",le="0.5"}
          total: http_request_duration_seconds_bucket{job="portal",le="+Inf"}
  - service: batch-sync
    freshness_slos:
      - slo: freshness
        description: a successful run at least every 2 schedule periods
        schedule_period: 5m
        drill_schedule_period: 1m
        max_periods_without_success: 2
        last_success_metric: batch_sync_last_success_timestamp_seconds{job="batch-sync"}
        last_run_success_metric: batch_sync_last_run_success{job="batch-sync"}
        stale_alert: {name: BatchSyncStale, severity: page}
        failed_alert: {name: BatchSyncFailed, severity: ticket}
)");
}

}  // namespace slo_rules::testing
