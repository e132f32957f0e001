#include "rows.hpp"

#include <algorithm>
#include <string>

#include "read_side.hpp"
#include "sqlite.hpp"

namespace mock_slack::reader {

using nlohmann::json;
using sqlite::parse_stored;
using sqlite::tp;

namespace {

std::optional<TimePoint> column_time(const db::Statement& s, int column) {
  if (s.isNull(column)) return std::nullopt;
  return tp(s.getInt64(column));
}

}  // namespace

Occurrence read_occurrence(db::Statement& s) {
  Occurrence o;
  o.id = s.getInt64(0);
  o.fingerprint = s.getString(1);
  o.status = s.getString(2);
  o.starts_at = tp(s.getInt64(3));
  o.ends_at = column_time(s, 4);
  o.labels = parse_stored(s.getString(5), json::object());
  o.annotations = parse_stored(s.getString(6), json::object());
  o.generator_url = s.getString(7);
  o.receiver = s.getString(8);
  o.first_notified_at = column_time(s, 9);
  o.last_notified_at = column_time(s, 10);
  o.times_notified = s.getInt64(11);
  o.last_synced_at = column_time(s, 12);
  o.suppressed_state = s.getString(13);
  o.silenced_by = parse_stored(s.getString(14), json::array());
  o.inhibited_by = parse_stored(s.getString(15), json::array());
  o.source = s.getString(16);
  o.resolved_by = s.getString(17);
  o.resolution_recorded_at = column_time(s, 18);
  return o;
}

OccurrenceBar read_occurrence_bar(db::Statement& s) {
  OccurrenceBar b;
  b.id = s.getInt64(0);
  b.incident_id = s.getInt64(1);
  b.status = s.getString(2);
  b.alertname = s.getString(3);
  b.severity = s.getString(4);
  b.instance = s.getString(5);
  b.starts_at = tp(s.getInt64(6));
  b.ends_at = column_time(s, 7);
  return b;
}

namespace {

/// A list kept by the writer (schema migration 2): a JSON array of strings, returned sorted.
std::vector<std::string> stored_list(const std::string& text) {
  std::vector<std::string> out;
  const json list = parse_stored(text, json::array());
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Incident read_incident(db::Statement& s) {
  Incident i;
  i.id = s.getInt64(0);
  i.group_key = s.getString(1);
  i.receiver = s.getString(2);
  i.started_at = tp(s.getInt64(3));
  i.first_notified_at = tp(s.getInt64(4));
  i.last_notified_at = tp(s.getInt64(5));
  i.resolved_at = column_time(s, 6);
  i.status = i.resolved_at ? "resolved" : "firing";
  i.group_labels = parse_stored(s.getString(7), json::object());
  i.common_labels = parse_stored(s.getString(8), json::object());
  i.common_annotations = parse_stored(s.getString(9), json::object());
  i.external_url = s.getString(10);
  i.notification_count = s.getInt64(11);
  i.alert_count = s.getInt64(12);
  i.firing_count = s.getInt64(13);
  i.severity = s.getString(14);
  i.alertnames = stored_list(s.getString(15));
  i.services = stored_list(s.getString(16));
  return i;
}

Silence read_silence(db::Statement& s) {
  Silence out;
  out.id = s.getString(1);
  out.state = s.getString(2);
  out.matchers = parse_stored(s.getString(3), json::array());
  out.created_by = s.getString(4);
  out.comment = s.getString(5);
  out.starts_at = tp(s.getInt64(6));
  out.ends_at = tp(s.getInt64(7));
  out.updated_at = tp(s.getInt64(8));
  out.first_synced_at = tp(s.getInt64(9));
  out.last_synced_at = tp(s.getInt64(10));
  return out;
}

Notification read_notification(db::Statement& s) {
  Notification n;
  n.id = s.getInt64(0);
  n.received_at = tp(s.getInt64(1));
  n.receiver = s.getString(2);
  n.status = s.getString(3);
  n.group_key = s.getString(4);
  n.group_labels = parse_stored(s.getString(5), json::object());
  n.common_labels = parse_stored(s.getString(6), json::object());
  n.common_annotations = parse_stored(s.getString(7), json::object());
  n.external_url = s.getString(8);
  n.truncated_alerts = s.getInt64(9);
  n.incident_id = s.optionalInt64(10);
  n.alert_count = s.getInt64(11);
  n.body_sha256 = s.getString(12);
  return n;
}

std::vector<Channel> read_channels(Reader& r, std::string_view table,
                                   std::string_view name_column) {
  const std::string name(name_column);
  const std::string head = "SELECT " + name + ", count(*), max(received_at) FROM " +
                           std::string(table) + " GROUP BY " + name + " ORDER BY " + name;
  // PostgreSQL orders text by the database's collation unless told; SQLite by its bytes.
  const std::string postgres = head + " COLLATE \"C\"";
  auto& s = r.statement(db::Sql(head, postgres));
  std::vector<Channel> out;
  while (s.executeStep()) out.push_back({s.getString(0), s.getInt64(1), tp(s.getInt64(2))});
  s.reset();
  return out;
}

}  // namespace mock_slack::reader
