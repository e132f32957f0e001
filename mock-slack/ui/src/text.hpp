#pragma once

// Helpers shared by the HTML and Markdown renderers (internal).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui::detail {

/// The facts complete_from_occurrences() fills, derived without copying the incident.
struct IncidentFacts {
  UnixMillis started_at_ms = 0;
  UnixMillis first_notified_at_ms = 0;
  std::string highest_severity;
  std::vector<std::string> services;
  std::vector<std::string> instances;
};
IncidentFacts incident_facts(const IncidentView& incident);

/// The occurrence's severity: the denormalised field, else its severity label, else empty.
std::string severity_of(const OccurrenceView& o);

/// "2026-11-21 22:46:32Z" (seconds precision, UTC).
std::string format_utc(UnixMillis ms);
/// "2026-11-21T22:46" as an <input type="datetime-local"> value, UTC.
std::string format_datetime_local(UnixMillis ms);
/// Parses "YYYY-MM-DDTHH:MM[:SS[.fff]][Z]" (UTC), or plain Unix milliseconds.
std::optional<UnixMillis> parse_utc(std::string_view text);
/// "1h 2m 3s", "45s", "2d 3h 0m", "0s"; negative durations as "0s".
std::string format_duration(UnixMillis ms);
/// Fixed-point formatting without locale, e.g. format_fixed(12.345, 2) == "12.35".
std::string format_fixed(double value, int decimals);

}  // namespace mock_slack::ui::detail
