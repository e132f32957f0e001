#pragma once
// The one reader and writer of Prometheus-style durations ("500ms", "5m", "1h30m", "90d") in the
// tree: the services' flags and query parameters, and slo-rules' specs and rule files. Pure;
// thread-safe.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace firedrill {

/// How strictly parse_duration reads the order of a duration's terms.
enum class DurationMode {
  /// Terms in any order, each unit as often as it comes, summed ("1h30m", "90m", also "30m1h"):
  /// what the services' flags and query parameters have always accepted.
  lenient,
  /// Prometheus's own grammar (model.ParseDuration): each unit at most once and largest first
  /// ("1h30m", never "30m1h" or "1h1h"). For text that Prometheus or Alertmanager reads again.
  strict,
};

/// Parses a duration: one or more <digits><unit> with the units y (365d), w, d, h, m, s and ms,
/// or a bare "0". Returns nullopt for anything else: empty text, a number without a unit, an
/// unknown unit, a sign, a fraction, white space, a total beyond 2^63 ms, and under
/// DurationMode::strict a unit out of order or repeated.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text,
                                                        DurationMode mode = DurationMode::lenient);

/// Formats a duration the way parse_duration reads it in either mode, with d, h, m, s and ms
/// ("1h30m", "250ms", "0s"); weeks and years are spelled in days ("7d", "365d") so that names
/// built from it read "rate30d", not "rate4w2d".
std::string format_duration(std::chrono::milliseconds d);

/// The error text used when a duration setting cannot be parsed.
inline constexpr std::string_view kDurationHelp =
    "expected a duration such as 500ms, 5s, 2m, 1h or 90d";

}  // namespace firedrill
