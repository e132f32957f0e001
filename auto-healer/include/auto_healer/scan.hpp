#pragma once
// `auto-healer scan`: one pass over the Deployments that carry the selector label in the allowed
// namespaces. Each workload's restart increases since the last pass (restart_ledger.hpp) and its
// recent actions are kept in its annotations, so that the threshold, the cooldown, the attempts
// and the cap in total hold across passes of a CronJob. The ledger is written even in dry-run
// mode: it is the auto-healer's bookkeeping on metadata, never a change to the pod template.

#include <cstdint>
#include <string>
#include <vector>

#include "auto_healer/audit.hpp"
#include "auto_healer/kit.hpp"
#include "auto_healer/kube_backend.hpp"

namespace auto_healer {

inline constexpr const char* kActionsAnnotation = "firedrill.io/autoheal-actions";

struct ScanReport {
  bool success = true;
  std::int64_t workloads = 0;
  std::int64_t restarted = 0;  ///< acted or dry-run
  std::int64_t errors = 0;
  std::vector<Decision> decisions;
};

/// Runs one pass. Errors on one workload are counted and the pass goes on with the next.
ScanReport run_scan(KubeBackend& backend, const Policy& policy,
                    const std::vector<std::string>& namespaces, Audit& audit,
                    const Healer::Clock& clock);

/// The actions annotation: a JSON array of RFC 3339 times; times it cannot read are dropped.
std::vector<TimePoint> parse_actions(std::string_view text);
std::string serialize_actions(const std::vector<TimePoint>& times);

}  // namespace auto_healer
