#include "rows.hpp"

#include <algorithm>
#include <string>

#include "read_side.hpp"
#include "sqlite.hpp"

namespace mock_slack::reader {

using nlohmann::json;
using sqlite::optional_time;
using sqlite::parse_stored;
using sqlite::tp;

Occurrence read_occurrence(SQLite::Statement& s) {
  Occurrence o;
  o.id = s.getColumn(0).getInt64();
  o.fingerprint = s.getColumn(1).getString();
  o.status = s.getColumn(2).getString();
  o.starts_at = tp(s.getColumn(3).getInt64());
  o.ends_at = optional_time(s.getColumn(4));
  o.labels = parse_stored(s.getColumn(5).getString(), json::object());
  o.annotations = parse_stored(s.getColumn(6).getString(), json::object());
  o.generator_url = s.getColumn(7).getString();
  o.receiver = s.getColumn(8).getString();
  o.first_notified_at = optional_time(s.getColumn(9));
  o.last_notified_at = optional_time(s.getColumn(10));
  o.times_notified = s.getColumn(11).getInt64();
  o.last_synced_at = optional_time(s.getColumn(12));
  o.suppressed_state = s.getColumn(13).getString();
  o.silenced_by = parse_stored(s.getColumn(14).getString(), json::array());
  o.inhibited_by = parse_stored(s.getColumn(15).getString(), json::array());
  o.source = s.getColumn(16).getString();
  o.resolved_by = s.getColumn(17).getString();
  o.resolution_recorded_at = optional_time(s.getColumn(18));
  return o;
}

OccurrenceBar read_occurrence_bar(SQLite::Statement& s) {
  OccurrenceBar b;
  b.id = s.getColumn(0).getInt64();
  b.incident_id = s.getColumn(1).getInt64();
  b.status = s.getColumn(2).getString();
  b.alertname = s.getColumn(3).getString();
  b.severity = s.getColumn(4).getString();
  b.instance = s.getColumn(5).getString();
  b.starts_at = tp(s.getColumn(6).getInt64());
  b.ends_at = optional_time(s.getColumn(7));
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

Incident read_incident(SQLite::Statement& s) {
  Incident i;
  i.id = s.getColumn(0).getInt64();
  i.group_key = s.getColumn(1).getString();
  i.receiver = s.getColumn(2).getString();
  i.started_at = tp(s.getColumn(3).getInt64());
  i.first_notified_at = tp(s.getColumn(4).getInt64());
  i.last_notified_at = tp(s.getColumn(5).getInt64());
  i.resolved_at = optional_time(s.getColumn(6));
  i.status = i.resolved_at ? "resolved" : "firing";
  i.group_labels = parse_stored(s.getColumn(7).getString(), json::object());
  i.common_labels = parse_stored(s.getColumn(8).getString(), json::object());
  i.common_annotations = parse_stored(s.getColumn(9).getString(), json::object());
  i.external_url = s.getColumn(10).getString();
  i.notification_count = s.getColumn(11).getInt64();
  i.alert_count = s.getColumn(12).getInt64();
  i.firing_count = s.getColumn(13).getInt64();
  i.severity = s.getColumn(14).getString();
  i.alertnames = stored_list(s.getColumn(15).getString());
  i.services = stored_list(s.getColumn(16).getString());
  return i;
}

Silence read_silence(SQLite::Statement& s) {
  Silence out;
  out.id = s.getColumn(1).getString();
  out.state = s.getColumn(2).getString();
  out.matchers = parse_stored(s.getColumn(3).getString(), json::array());
  out.created_by = s.getColumn(4).getString();
  out.comment = s.getColumn(5).getString();
  out.starts_at = tp(s.getColumn(6).getInt64());
  out.ends_at = tp(s.getColumn(7).getInt64());
  out.updated_at = tp(s.getColumn(8).getInt64());
  out.first_synced_at = tp(s.getColumn(9).getInt64());
  out.last_synced_at = tp(s.getColumn(10).getInt64());
  return out;
}

Notification read_notification(SQLite::Statement& s) {
  Notification n;
  n.id = s.getColumn(0).getInt64();
  n.received_at = tp(s.getColumn(1).getInt64());
  n.receiver = s.getColumn(2).getString();
  n.status = s.getColumn(3).getString();
  n.group_key = s.getColumn(4).getString();
  n.group_labels = parse_stored(s.getColumn(5).getString(), json::object());
  n.common_labels = parse_stored(s.getColumn(6).getString(), json::object());
  n.common_annotations = parse_stored(s.getColumn(7).getString(), json::object());
  n.external_url = s.getColumn(8).getString();
  n.truncated_alerts = s.getColumn(9).getInt64();
  n.incident_id = sqlite::optional_int(s.getColumn(10));
  n.alert_count = s.getColumn(11).getInt64();
  n.body_sha256 = s.getColumn(12).getString();
  return n;
}

std::vector<Channel> read_channels(Reader& r, std::string_view table,
                                   std::string_view name_column) {
  const std::string name(name_column);
  auto& s = r.statement("SELECT " + name + ", count(*), max(received_at) FROM " +
                        std::string(table) + " GROUP BY " + name + " ORDER BY " + name);
  std::vector<Channel> out;
  while (s.executeStep()) {
    out.push_back(
        {s.getColumn(0).getString(), s.getColumn(1).getInt64(), tp(s.getColumn(2).getInt64())});
  }
  s.tryReset();
  return out;
}

}  // namespace mock_slack::reader
