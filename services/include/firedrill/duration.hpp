#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace firedrill {

/// Parses a duration such as "500ms", "5s", "2m", "1h", "90d" or "1h30m" (Prometheus style).
/// A bare "0" is accepted. Returns nullopt for anything else, including negative values.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// Formats a duration the way parse_duration reads it ("1h30m", "250ms", "0s").
std::string format_duration(std::chrono::milliseconds d);

/// The error text used when a duration setting cannot be parsed.
inline constexpr std::string_view kDurationHelp =
    "expected a duration such as 500ms, 5s, 2m, 1h or 90d";

}  // namespace firedrill
