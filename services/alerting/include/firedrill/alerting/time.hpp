#pragma once
// Time as Alertmanager reports it: nanosecond time points, Go's zero time, RFC 3339 parsing and
// formatting, civil-date arithmetic, and an injectable clock. Pure; thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace firedrill::alerting {

/// A point in time with nanosecond precision, as Alertmanager reports them. The representable
/// range is 1970-01-01 to 2262-04-11; Go's zero time ("0001-01-01T00:00:00Z", which Alertmanager
/// sends for "no end") is represented by kZeroTime.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

/// Go's zero time: "not set". Compares lower than every real time.
inline constexpr TimePoint kZeroTime = TimePoint::min();

/// A source of the current time, injectable in tests.
using Clock = TimePoint (*)();
TimePoint system_now();

/// Parses an RFC 3339 timestamp: "2026-11-21T22:42:27Z", "2026-11-21T22:42:27.123456789+01:00".
/// Go's zero time parses as kZeroTime. Returns nullopt for anything else, including dates that do
/// not exist (2026-02-30), leap seconds, and times outside the representable range.
std::optional<TimePoint> parse_time(std::string_view text);

/// Formats in UTC the way Go's RFC3339Nano does: trailing zeros of the fraction dropped
/// ("2026-11-21T22:42:27.5Z"); kZeroTime formats as "0001-01-01T00:00:00Z".
std::string format_time(TimePoint t);

/// A date of the proleptic Gregorian calendar.
struct CivilDate {
  std::int64_t year;
  unsigned month;  ///< 1 to 12
  unsigned day;    ///< 1 to 31
};
/// Days since 1970-01-01 of a date, and back (Howard Hinnant's civil calendar algorithms).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
CivilDate civil_from_days(std::int64_t days);
/// Days in a month (1 to 12) of a year: 28 to 31.
unsigned days_in_month(std::int64_t year, unsigned month);

/// Nanoseconds since the Unix epoch (how the store keeps times), and back.
inline std::int64_t to_unix_ns(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint from_unix_ns(std::int64_t ns) { return TimePoint(std::chrono::nanoseconds(ns)); }

}  // namespace firedrill::alerting
