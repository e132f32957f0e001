#pragma once
// Incident events: what people and tools did during an incident, beside its alerts and
// notifications. Each has a time, an author, a kind and a text (and optional details, a JSON
// object). Append-only: a correction is a new event (the table refuses updates). An event is
// keyed by its incident, or by an alert occurrence (fingerprint and startsAt), which joins it to
// every incident that occurrence belongs to, even when the event arrived before the alert.
// The SQL lives here and in incident_events.cpp, over Store's write_with()/read_with() hooks;
// the routes are Receiver's (routes.cpp), handled in incident_events_api.cpp.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firedrill/service.hpp"
#include "mock_slack/auth.hpp"
#include "mock_slack/store.hpp"

namespace mock_slack {

/// The kinds an event may have. Issue 20's human kinds and the automatic ones; a new kind is
/// added here (and shown by the pages as its name).
inline constexpr std::string_view kIncidentEventKinds[] = {
    "acknowledged", "note", "mitigated", "resolved", "reopened", "auto_heal", "drill", "silence"};
bool known_event_kind(std::string_view kind);

struct IncidentEvent {
  std::int64_t id = 0;
  TimePoint at{};           ///< when it happened, as the author says (default: when received)
  TimePoint recorded_at{};  ///< when mock-slack stored it
  std::string author;
  std::string kind;
  std::string text;
  nlohmann::json details = nlohmann::json::object();
  std::optional<std::int64_t> incident_id;
  std::string fingerprint;  ///< with starts_at, when keyed by an alert occurrence
  std::optional<TimePoint> starts_at;
};

/// Limits on what a writer may send.
inline constexpr std::size_t kMaxEventTextBytes = 4096;
inline constexpr std::size_t kMaxEventAuthorBytes = 256;
inline constexpr std::size_t kMaxEventDetailsBytes = 16384;

/// Parses a POST body: {"kind", "text", "author", "time"?, "details"?} plus, when
/// `incident_id` is not given by the path, either "incident_id" or "fingerprint" and
/// "starts_at". Throws std::invalid_argument naming the field.
IncidentEvent parse_incident_event(const nlohmann::json& body,
                                   std::optional<std::int64_t> incident_id, TimePoint now);

/// Appends an event; returns it with its id and recorded time. Throws StoreUnavailable.
IncidentEvent add_incident_event(Store& store, IncidentEvent event);

/// The events of an incident: those keyed by it, and those keyed by any of its occurrences; in
/// time order (then id).
std::vector<IncidentEvent> incident_events(const Store& store, const IncidentDetail& incident);

/// The events of many incidents at once (the export): for each of `incident_ids`, what
/// incident_events() returns for it, in the same order; one read for all of them.
std::map<std::int64_t, std::vector<IncidentEvent>> incident_events_of(
    const Store& store, const std::vector<std::int64_t>& incident_ids);

nlohmann::json to_json(const IncidentEvent& e);

}  // namespace mock_slack
