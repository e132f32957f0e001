#pragma once
// Drill failures of a batch-sync run (--fail-rate, --fail-mode): how one shows itself and the
// plan drawn once per run from the seeded generator. Pure; thread-safe.

#include <optional>
#include <random>
#include <string_view>

#include "batch_sync/kit.hpp"

namespace batch_sync {

/// How a drill failure shows itself: the run reports an error and exits 1, hangs until the
/// deadline cuts it (what activeDeadlineSeconds and the stale alert exist for), or crashes without
/// reporting anything.
enum class FailMode { error, hang, crash };

std::optional<FailMode> parse_fail_mode(std::string_view text);
std::string_view to_string(FailMode mode);

/// Whether this run fails on purpose, decided once at the start from the seeded generator so that
/// a logged seed replays the same run.
struct FaultPlan {
  bool inject = false;
  FailMode mode = FailMode::error;
};

/// Draws the plan: inject with probability `fail_rate` (0 never draws true, 1 always does).
FaultPlan decide_fault(double fail_rate, FailMode mode, std::mt19937_64& rng);

}  // namespace batch_sync
