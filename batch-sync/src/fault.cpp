#include "batch_sync/fault.hpp"

namespace batch_sync {

std::optional<FailMode> parse_fail_mode(std::string_view text) {
  if (text == "error") return FailMode::error;
  if (text == "hang") return FailMode::hang;
  if (text == "crash") return FailMode::crash;
  return std::nullopt;
}

std::string_view to_string(FailMode mode) {
  switch (mode) {
    case FailMode::error:
      return "error";
    case FailMode::hang:
      return "hang";
    case FailMode::crash:
      return "crash";
  }
  return "error";
}

FaultPlan decide_fault(double fail_rate, FailMode mode, std::mt19937_64& rng) {
  // One draw whatever the rate, so the generator's later use (jitter) does not depend on it.
  const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  return FaultPlan{draw < fail_rate, mode};
}

}  // namespace batch_sync
