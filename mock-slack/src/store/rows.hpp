#pragma once
// How the store's rows are read, on either back end: the column lists the queries select (in each
// dialect where they differ) and the functions that turn a row selected with them into
// Occurrence, OccurrenceBar, Incident, Notification or Silence. Internal to mock-slack's store.

#include <string_view>
#include <vector>

#include "db/db.hpp"
#include "mock_slack/store.hpp"

namespace mock_slack::reader {

class Reader;  // read_side.hpp

inline constexpr int kOccurrenceColumnCount = 19;
inline constexpr const char* kOccurrenceColumns =
    "o.id, o.fingerprint, o.status, o.starts_at, o.ends_at, o.labels, o.annotations, "
    "o.generator_url, o.receiver, o.first_notified_at, o.last_notified_at, o.times_notified, "
    "o.last_synced_at, o.suppressed_state, o.silenced_by, o.inhibited_by, o.source, "
    "coalesce(o.resolved_by, ''), o.resolution_recorded_at";

inline constexpr int kOccurrenceBarColumnCount = 8;
inline constexpr db::Sql kOccurrenceBarColumns(
    "o.id, coalesce((SELECT max(io.incident_id) FROM incident_occurrences io WHERE "
    "io.occurrence_id = o.id), 0), o.status, o.alertname, o.severity, "
    "coalesce(json_extract(o.labels, '$.instance'), ''), o.starts_at, o.ends_at",
    "o.id, coalesce((SELECT max(io.incident_id) FROM incident_occurrences io WHERE "
    "io.occurrence_id = o.id), 0), o.status, o.alertname, o.severity, "
    "coalesce(o.labels::json ->> 'instance', ''), o.starts_at, o.ends_at");

inline constexpr int kIncidentColumnCount = 17;
inline constexpr const char* kIncidentColumns =
    "i.id, i.group_key, i.receiver, i.started_at, i.first_notified_at, i.last_notified_at, "
    "i.resolved_at, i.group_labels, i.common_labels, i.common_annotations, i.external_url, "
    "i.notification_count, i.alert_count, i.firing_count, i.severity, i.alertnames, i.services";

inline constexpr const char* kNotificationColumns =
    "id, received_at, receiver, status, group_key, group_labels, common_labels, "
    "common_annotations, external_url, truncated_alerts, incident_id, alert_count, body_sha256";

inline constexpr const char* kSilenceColumns =
    "rowid, id, state, matchers, created_by, comment, starts_at, ends_at, updated_at, "
    "first_synced_at, last_synced_at";

Occurrence read_occurrence(db::Statement& s);
OccurrenceBar read_occurrence_bar(db::Statement& s);
Incident read_incident(db::Statement& s);
Notification read_notification(db::Statement& s);
/// Without its occurrence_ids; column 0 is the rowid the silences are paged by (on PostgreSQL a
/// column of that name, an identity in insertion order as SQLite's rowid is).
Silence read_silence(db::Statement& s);
/// The channels `table` holds, by its `name_column`: each name with its row count and newest
/// received_at, by name (its bytes, on both back ends).
std::vector<Channel> read_channels(Reader& r, std::string_view table, std::string_view name_column);

}  // namespace mock_slack::reader
