#pragma once
// How the store's rows are read: the column lists the queries select and the functions that turn
// a row selected with them into Occurrence, OccurrenceBar, Incident or Silence. Internal to
// mock-slack's store.

#include <SQLiteCpp/SQLiteCpp.h>

#include "mock_slack/store.hpp"

namespace mock_slack::reader {

inline constexpr const char* kOccurrenceColumns =
    "o.id, o.fingerprint, o.status, o.starts_at, o.ends_at, o.labels, o.annotations, "
    "o.generator_url, o.receiver, o.first_notified_at, o.last_notified_at, o.times_notified, "
    "o.last_synced_at, o.suppressed_state, o.silenced_by, o.inhibited_by, o.source, "
    "coalesce(o.resolved_by, ''), o.resolution_recorded_at";

inline constexpr const char* kOccurrenceBarColumns =
    "o.id, coalesce((SELECT max(io.incident_id) FROM incident_occurrences io WHERE "
    "io.occurrence_id = o.id), 0), o.status, o.alertname, o.severity, "
    "coalesce(json_extract(o.labels, '$.instance'), ''), o.starts_at, o.ends_at";

inline constexpr const char* kIncidentColumns =
    "i.id, i.group_key, i.receiver, i.started_at, i.first_notified_at, i.last_notified_at, "
    "i.resolved_at, i.group_labels, i.common_labels, i.common_annotations, i.external_url, "
    "i.notification_count, i.alert_count, i.firing_count, i.severity, i.alertnames, i.services";

inline constexpr const char* kSilenceColumns =
    "rowid, id, state, matchers, created_by, comment, starts_at, ends_at, updated_at, "
    "first_synced_at, last_synced_at";

Occurrence read_occurrence(SQLite::Statement& s);
OccurrenceBar read_occurrence_bar(SQLite::Statement& s);
Incident read_incident(SQLite::Statement& s);
/// Without its occurrence_ids; column 0 is the rowid the silences are paged by.
Silence read_silence(SQLite::Statement& s);
/// Every row of a (name, count, newest time) statement, stepped to the end and reset.
std::vector<Channel> read_channels(SQLite::Statement& s);

}  // namespace mock_slack::reader
