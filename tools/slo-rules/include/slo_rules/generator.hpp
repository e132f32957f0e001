#pragma once
// The generator: the SLO rule files (recording rules and multi-window burn-rate alerts) and the
// drill copies of alert-rules/, at production or drill scale, from a parsed spec. Pure;
// thread-safe.

#include <string>
#include <vector>

#include "slo_rules/spec.hpp"

namespace YAML {
class Node;
}

namespace slo_rules {

/// The time scale rules are generated at. Production is factor 1; the drill divides the SLO
/// period, every burn-rate window and the SLI-absent delay by `factor`.
struct Scale {
  int factor = 1;

  bool is_drill() const { return factor != 1; }
  /// `duration / factor`; throws SpecError when the division is not exact to the millisecond.
  Duration apply(Duration duration, const std::string& what) const;
};

/// A file the tool writes, relative to the directory holding slos.yaml.
struct GeneratedFile {
  std::string relative_path;
  std::string content;
};

/// Name of the generated rule file of `service` ("slo-portal.rules.yml").
std::string rule_file_name(const ServiceSpec& service);

/// Rule groups (one per SLO, plus the SLI-absent group) for one service at one scale.
std::string render_service_rules(const Spec& spec, const ServiceSpec& service, const Scale& scale);

/// The rule files of the production Prometheus configuration that slo-rules does not generate
/// (portal.rules.yml, pipeline.rules.yml): each gets a drill copy in drill/.
std::vector<std::string> hand_written_rule_files(const YAML::Node& production, const Spec& spec);

/// The production Prometheus configuration rewritten for the drill: global scrape and evaluation
/// intervals from the spec's drill settings, per-job intervals removed, generated rule files
/// replaced by their drill copies (generated and hand-written alike) and other relative paths
/// rebased onto the parent directory.
std::string render_drill_prometheus(const YAML::Node& production, const Spec& spec,
                                    const Scale& scale);

/// The production Alertmanager configuration with every route timing (group_wait,
/// group_interval, repeat_interval) and resolve_timeout divided by the factor and relative
/// paths rebased onto the parent directory.
std::string render_drill_alertmanager(const YAML::Node& production, const Scale& scale);

/// Everything the tool writes: production rules, drill rules (generated from the spec and
/// scaled from the hand-written files) and the two drill configurations,
/// which are derived from `config_dir`/prometheus.yml and `config_dir`/alertmanager.yml; and, when
/// `overlays_dir` (relative to `config_dir`) is not empty, the files of every overlay of the spec
/// in `overlays_dir`/<overlay>/generated/ (see render_overlay()).
/// Deterministic: the same inputs give byte-identical files.
std::vector<GeneratedFile> generate_all(const Spec& spec, const std::string& config_dir,
                                        int drill_factor, const std::string& overlays_dir = {});

}  // namespace slo_rules
