#pragma once
// slos.yaml as slo-rules reads it: the spec's model and its parser, which names the offending
// setting in one line. Pure; thread-safe.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "slo_rules/duration.hpp"

namespace YAML {
class Node;
}

namespace slo_rules {

/// A spec that cannot be used; what() is one line naming the offending setting.
class SpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One row of the SRE Workbook's table 5-8: alert when the error budget burns faster than
/// `burn_rate` times the sustainable rate over both windows.
struct BurnRateWindow {
  std::string severity;
  Duration long_window;
  Duration short_window;
  double burn_rate = 0;
};

/// A named alert with its severity and, where it applies, its pending period.
struct AlertRef {
  std::string name;
  std::string severity;
  Duration for_duration{0};
};

/// An event-based SLI: `errors` (bad events) or `good`, and `total`, as series selectors of
/// counters. Exactly one of errors/good is set.
struct EventSli {
  std::string errors;
  std::string good;
  std::string total;
};

/// A request-ratio SLO over the spec's period (availability, latency).
struct RatioSlo {
  std::string slo;
  std::string description;
  double objective = 0;
  std::string alert;
  EventSli sli;
  /// What the auto-healer may do when a page of this SLO fires ("restart"); empty for nothing.
  /// Put as the `remediation` label on the alert of the fastest page window only (the shortest
  /// short window), never on tickets: a slow burn is for a human, and a slower page stays firing
  /// for its short window after a fix, which the auto-healer would take for a failed restart.
  std::string remediation;
};

/// A freshness SLO for a scheduled job: a success at least every
/// `max_periods_without_success` schedule periods.
struct FreshnessSlo {
  std::string slo;
  std::string description;
  Duration schedule_period{0};
  /// The job's schedule period in the drill profile of the local stack. Not derived from the
  /// factor: the job runs on the wall clock. Unset: the drill uses `schedule_period`.
  std::optional<Duration> drill_schedule_period;
  int max_periods_without_success = 0;
  std::string last_success_metric;
  std::string last_run_success_metric;
  AlertRef stale_alert;
  AlertRef failed_alert;
};

struct ServiceSpec {
  std::string service;
  std::optional<AlertRef> sli_absent_alert;
  std::vector<RatioSlo> slos;
  std::vector<FreshnessSlo> freshness_slos;
};

struct DrillSettings {
  int factor = 60;
  Duration scrape_interval{1000};
  Duration evaluation_interval{1000};
};

/// Where the rules of one Kubernetes overlay (k8s/overlays/<overlay>) point their links, and the
/// external URLs of the Prometheus and Alertmanager that overlay uses.
struct OverlayLinks {
  std::string overlay;  ///< the overlay's directory name: [a-z0-9-]+
  /// "standalone": the overlay runs its own Prometheus, Alertmanager and Grafana (the URLs go into
  /// external-urls.env); "kube-prometheus-stack": they belong to that Helm release (the URLs go
  /// into kube-prometheus-stack-values.yaml).
  std::string monitoring;
  std::string runbook_base_url;
  std::string dashboard_base_url;  ///< ends in /d/<uid> like the spec's dashboard_base_url
  std::string prometheus_url;
  std::string alertmanager_url;
};

/// The whole of alert-rules/slos.yaml.
struct Spec {
  /// The local stack's links (alert-rules/ and alert-rules/drill/, both profiles of scripts/stack).
  std::string runbook_base_url;
  std::string dashboard_base_url;
  /// One entry per Kubernetes overlay, in the spec's order.
  std::vector<OverlayLinks> overlays;
  Duration period{0};
  DrillSettings drill;
  std::vector<BurnRateWindow> burn_rate_alerts;
  double min_requests = 0;
  std::vector<ServiceSpec> services;
};

/// Reads and validates a spec. Throws SpecError on any problem, naming the setting
/// (e.g. "services[0].slos[1].objective: must be between 0 and 1 (exclusive), got 1.5").
Spec parse_spec(const YAML::Node& root);

/// Loads `path` and parses it; YAML syntax errors become SpecError too.
Spec load_spec(const std::string& path);

}  // namespace slo_rules
