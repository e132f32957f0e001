#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace slo_rules {

/// A Prometheus duration ("5m", "1h30m", "30d"), held in milliseconds.
using Duration = std::chrono::milliseconds;

/// Parses a Prometheus duration: one or more <integer><unit> with units y, w, d, h, m, s, ms,
/// largest first. Throws std::invalid_argument naming the text when it is not one.
Duration parse_duration(std::string_view text);

/// Formats a duration the way Prometheus writes it, using d, h, m, s and ms ("1h12m", "30d").
/// Weeks and years are spelled in days so recording-rule names read "rate30d", not "rate4w2d".
std::string format_duration(Duration duration);

}  // namespace slo_rules
