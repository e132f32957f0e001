#pragma once
// Restart counting for scan mode. A pod's restartCount is cumulative and starts again at zero when
// the pod is replaced, so the signal is its increase since the pass that last saw the pod. The
// ledger of one workload (what each pod showed last, and the increases within the window) is kept
// in the workload's annotation kLedgerAnnotation between passes. Pure: time comes in as `now`.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auto_healer/decision.hpp"
#include "auto_healer/kit.hpp"

namespace auto_healer {

inline constexpr const char* kLedgerAnnotation = "firedrill.io/autoheal-restarts";

/// One pod as a pass sees it: its uid, the sum of its containers' restartCount, and when it was
/// created (metadata.creationTimestamp).
struct PodRestarts {
  std::string uid;
  std::int64_t restarts = 0;
  TimePoint created;
};

struct RestartIncrease {
  TimePoint at;
  std::int64_t count = 0;
  bool operator==(const RestartIncrease&) const = default;
};

struct RestartLedger {
  std::map<std::string, std::int64_t> last_seen;  ///< pod uid -> restartCount at the last pass
  std::vector<RestartIncrease> increases;         ///< within the window, oldest first
  bool operator==(const RestartLedger&) const = default;
};

struct Observation {
  RestartLedger ledger;        ///< to store for the next pass
  std::int64_t increase = 0;   ///< new restarts seen by this pass
  std::int64_t in_window = 0;  ///< restarts within the window, this pass's included
};

/// Folds this pass's pods into the ledger. A pod seen before counts its increase (its full count
/// if the count went down, which only a replaced container status can do). A pod not seen before
/// counts its full restartCount if it was created within the window, else none: a first pass must
/// not act on restarts from long ago. Pods gone are forgotten.
Observation observe(const RestartLedger& previous, const std::vector<PodRestarts>& pods,
                    TimePoint now, Seconds window);

/// The annotation's value: {"pods":{"<uid>":n},"increases":[["<RFC 3339>",n]]}.
std::string serialize_ledger(const RestartLedger& ledger);
/// Parses an annotation; nullopt (and `error`) for a value this code did not write. The caller
/// starts again from an empty ledger then, which can only under-count.
std::optional<RestartLedger> parse_ledger(std::string_view text, std::string& error);

}  // namespace auto_healer
