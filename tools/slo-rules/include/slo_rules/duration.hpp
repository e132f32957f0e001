#pragma once
// Durations in a spec and in the rules slo-rules writes: the kit's Prometheus-duration parser in
// its strict mode (Prometheus and Alertmanager read these files again), with slo-rules' error.
// Pure; thread-safe.

#include <chrono>
#include <string_view>

#include "firedrill/duration.hpp"

namespace slo_rules {

/// A Prometheus duration ("5m", "1h30m", "30d"), held in milliseconds.
using Duration = std::chrono::milliseconds;

/// Parses a Prometheus duration: "0", or one or more <integer><unit> with units y, w, d, h, m, s,
/// ms, each at most once and largest first (firedrill::DurationMode::strict). Throws
/// std::invalid_argument quoting the text when it is not one.
Duration parse_duration(std::string_view text);

/// Formats a duration the way Prometheus writes it, with d, h, m, s and ms ("1h12m", "30d").
using firedrill::format_duration;

}  // namespace slo_rules
