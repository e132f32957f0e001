#include "writer.hpp"

#include "migration.hpp"
#include "pg/migration.hpp"
#include "sqlite.hpp"

namespace mock_slack::writer {

namespace alerting = firedrill::alerting;
using db::Sql;
using db::Use;
using nlohmann::json;
using sqlite::dump;
using sqlite::ns;

namespace {

/// The PostgreSQL advisory lock that the writers of all replicas take for each transaction
/// (Writer::begin): "mockslaw" in ASCII.
constexpr const char* kWriteLock = "SELECT pg_advisory_xact_lock(7885631463830204791)";

}  // namespace

EncodedNotification::EncodedNotification(const alerting::WebhookNotification& notification)
    : n(notification),
      group_labels(dump(n.group_labels)),
      common_labels(dump(n.common_labels)),
      common_annotations(dump(n.common_annotations)) {
  alerts.reserve(n.alerts.size());
  for (const auto& a : n.alerts) {
    alerts.push_back({dump(a.labels), dump(a.annotations),
                      std::string(alerting::label_value(a.labels, "alertname")),
                      std::string(alerting::label_value(a.labels, "severity")),
                      std::string(alerting::label_value(a.labels, "service")), ns(a.starts_at),
                      ns(a.ends_at)});
  }
}

Writer::Writer(const StoreOptions& options) {
  if (is_postgres(options.path)) {
    pg_ = std::make_unique<pg::Connection>(options.path);
    pg::migrate(*pg_);
    db_ = db::over(*pg_);
  } else {
    sqlite::process_settings();
    sqlite_.emplace(options.path,
                    SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
                    options.busy_timeout_ms);
    auto& db = *sqlite_;
    sqlite::configure(db);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(options.durability == Durability::full ? "PRAGMA synchronous = FULL"
                                                   : "PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA cache_size = -65536");  // 64 MiB
    schema::migrate(db);
    page_size_ = db.execAndGet("PRAGMA page_size").getInt64();
    db_ = db::over(db);
  }
  prepare();
}

void Writer::begin() {
  db_->begin();
  if (pg_) db_->exec(kWriteLock);
}

void Writer::prepare() {
  auto p = [this](const Sql& sql) { return db_->prepare(sql); };
  find_occurrence_ =
      p("SELECT id, status, annotations, suppressed_state, silenced_by, inhibited_by, alertname, "
        "severity, service "
        "FROM occurrences WHERE fingerprint = ? AND starts_at = ?");
  insert_occurrence_ =
      p("INSERT INTO occurrences (fingerprint, starts_at, ends_at, status, alertname, severity, "
        "service, labels, annotations, generator_url, receiver, first_notified_at, "
        "last_notified_at, times_notified, last_synced_at, suppressed_state, silenced_by, "
        "inhibited_by, source, resolved_by, resolution_recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) RETURNING id");
  update_notified_ =
      p("UPDATE occurrences SET status = ?2, ends_at = coalesce(ends_at, ?3), annotations = ?4, "
        "suppressed_state = 'active', silenced_by = '[]', inhibited_by = '[]', "
        "first_notified_at = coalesce(first_notified_at, ?5), last_notified_at = ?5, "
        "times_notified = times_notified + 1, resolved_by = coalesce(resolved_by, ?6), "
        "resolution_recorded_at = coalesce(resolution_recorded_at, ?7) WHERE id = ?1");
  update_synced_ =
      p("UPDATE occurrences SET status = ?2, ends_at = coalesce(ends_at, ?3), annotations = ?4, "
        "suppressed_state = ?5, "
        "silenced_by = ?6, inhibited_by = ?7, last_synced_at = ?8, "
        "resolved_by = coalesce(resolved_by, ?9), "
        "resolution_recorded_at = coalesce(resolution_recorded_at, ?10) WHERE id = ?1");
  find_open_incident_ =
      p("SELECT id FROM incidents WHERE group_key = ? AND resolved_at IS NULL "
        "ORDER BY id DESC LIMIT 1");
  find_incident_of_ =
      p("SELECT i.id FROM incident_occurrences io JOIN incidents i ON i.id = io.incident_id "
        "WHERE io.occurrence_id = ? AND i.group_key = ? ORDER BY i.id DESC LIMIT 1");
  insert_incident_ =
      p("INSERT INTO incidents (group_key, receiver, started_at, first_notified_at, "
        "last_notified_at, resolved_at, group_labels, common_labels, common_annotations, "
        "external_url, notification_count) VALUES (?1, ?2, ?3, ?4, ?4, NULL, ?5, ?6, ?7, ?8, 0) "
        "RETURNING id");
  update_incident_ =
      p(Sql("UPDATE incidents SET last_notified_at = max(last_notified_at, ?2), "
            "notification_count = notification_count + 1, started_at = min(started_at, ?3), "
            "common_labels = ?4, common_annotations = ?5, external_url = ?6 WHERE id = ?1",
            "UPDATE incidents SET last_notified_at = GREATEST(last_notified_at, ?2), "
            "notification_count = notification_count + 1, started_at = LEAST(started_at, ?3), "
            "common_labels = ?4, common_annotations = ?5, external_url = ?6 WHERE id = ?1"));
  resolve_incident_ =
      p("UPDATE incidents SET resolved_at = coalesce((SELECT max(o.ends_at) FROM "
        "incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id WHERE "
        "io.incident_id = ?1), ?2) WHERE id = ?1 AND resolved_at IS NULL");
  resolve_quiet_incident_ =
      p("UPDATE incidents SET resolved_at = coalesce((SELECT max(o.ends_at) FROM "
        "incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id WHERE "
        "io.incident_id = ?1), ?2) WHERE id = ?1 AND resolved_at IS NULL AND NOT EXISTS (SELECT 1 "
        "FROM incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id WHERE "
        "io.incident_id = ?1 AND o.status = 'firing')");
  resolve_quiet_of_ =
      p("UPDATE incidents SET resolved_at = coalesce((SELECT max(o.ends_at) FROM "
        "incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id WHERE "
        "io.incident_id = incidents.id), ?2) WHERE id IN (SELECT incident_id FROM "
        "incident_occurrences WHERE occurrence_id = ?1) AND resolved_at IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id "
        "WHERE io.incident_id = incidents.id AND o.status = 'firing')");
  link_ =
      p("INSERT INTO incident_occurrences (incident_id, occurrence_id) VALUES (?, ?) "
        "ON CONFLICT DO NOTHING");
  // A notification's occurrences linked in one statement (one round trip to PostgreSQL rather
  // than one an alert); ?2 is a JSON array of their ids. It returns those that were not linked
  // yet, which the summary gains.
  link_all_ = p(
      Sql("INSERT INTO incident_occurrences (incident_id, occurrence_id) SELECT ?1, value FROM "
          "json_each(?2) WHERE true ON CONFLICT DO NOTHING RETURNING occurrence_id",
          "INSERT INTO incident_occurrences (incident_id, occurrence_id) SELECT ?1, value::bigint "
          "FROM json_array_elements_text(?2::json) ON CONFLICT DO NOTHING RETURNING "
          "occurrence_id"));
  prepare_summary();
  insert_notification_ =
      p("INSERT INTO notifications (received_at, receiver, status, group_key, group_labels, "
        "common_labels, common_annotations, external_url, alert_count, truncated_alerts, "
        "body_sha256, incident_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  insert_message_ =
      p("INSERT INTO messages (received_at, channel, username, text, icon_emoji, icon_url, "
        "attachments, blocks, mrkdwn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  page_count_ = p(Sql("PRAGMA page_count", "SELECT pg_database_size(current_database())"));
  find_silence_ = p("SELECT updated_at, state FROM silences WHERE id = ?");
  insert_silence_ =
      p("INSERT INTO silences (id, state, created_by, comment, starts_at, ends_at, updated_at, "
        "matchers, first_synced_at, last_synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?9)");
  update_silence_ =
      p("UPDATE silences SET state = ?2, created_by = ?3, comment = ?4, starts_at = ?5, "
        "ends_at = ?6, updated_at = ?7, matchers = ?8, last_synced_at = ?9 WHERE id = ?1");
  touch_silence_ = p("UPDATE silences SET last_synced_at = ?2 WHERE id = ?1");
  prepare_join();
  prepare_sweep();
}

std::int64_t Writer::size_bytes() {
  Use s(*page_count_);
  s->executeStep();
  return s->getInt64(0) * (pg_ ? 1 : page_size_);
}

std::optional<StoredOccurrence> Writer::find_occurrence(const std::string& fingerprint,
                                                        std::int64_t starts_at) {
  Use f(*find_occurrence_);
  f->bind(1, fingerprint);
  f->bind(2, starts_at);
  if (!f->executeStep()) return std::nullopt;
  StoredOccurrence o;
  o.id = f->getInt64(0);
  o.status = f->getString(1);
  o.annotations = f->getString(2);
  o.state = f->getString(3);
  o.silenced_by = f->getString(4);
  o.inhibited_by = f->getString(5);
  o.alertname = f->getString(6);
  o.severity = f->getString(7);
  o.service = f->getString(8);
  return o;
}

std::int64_t Writer::insert_occurrence(const NewOccurrence& o) {
  Use ins(*insert_occurrence_);
  ins->bind(1, o.fingerprint);
  ins->bind(2, o.starts_at);
  ins->bind(3, o.ends_at);
  ins->bind(4, o.ends_at ? "resolved" : "firing");
  ins->bind(5, o.alertname);
  ins->bind(6, o.severity);
  ins->bind(7, o.service);
  ins->bind(8, o.labels);
  ins->bind(9, o.annotations);
  ins->bind(10, o.generator_url);
  ins->bind(11, o.receiver);
  ins->bind(12, o.notified_at);
  ins->bind(13, std::int64_t{o.notified_at ? 1 : 0});
  ins->bind(14, o.synced_at);
  ins->bind(15, o.suppressed_state);
  ins->bind(16, o.silenced_by);
  ins->bind(17, o.inhibited_by);
  ins->bind(18, o.source);
  if (o.ends_at) {
    ins->bind(19, o.source);
    ins->bind(20, o.notified_at ? *o.notified_at : o.synced_at.value_or(0));
  } else {
    ins->bind(19);
    ins->bind(20);
  }
  ins->executeStep();
  return ins->getInt64(0);
}

std::int64_t Writer::add_message(const Message& m, std::int64_t now) {
  Use ins(*insert_message_);
  ins->bind(1, now);
  ins->bind(2, m.channel);
  ins->bind(3, m.username);
  ins->bind(4, m.text);
  ins->bind(5, m.icon_emoji);
  ins->bind(6, m.icon_url);
  ins->bind(7, dump(m.attachments.is_array() ? m.attachments : json::array()));
  ins->bind(8, dump(m.blocks.is_array() ? m.blocks : json::array()));
  ins->bind(9, std::int64_t{m.mrkdwn ? 1 : 0});
  ins->executeStep();
  return ins->getInt64(0);
}

std::int64_t Writer::resolve_quiet_incidents_of(std::int64_t occurrence, std::int64_t now) {
  Use r(*resolve_quiet_of_);
  r->bind(1, occurrence);
  r->bind(2, now);
  return r->exec();
}

void Writer::touch_synced(std::int64_t id, std::int64_t now) {
  if (!touch_synced_) {
    touch_synced_ = db_->prepare("UPDATE occurrences SET last_synced_at = ?2 WHERE id = ?1");
  }
  Use u(*touch_synced_);
  u->bind(1, id);
  u->bind(2, now);
  u->exec();
}

}  // namespace mock_slack::writer
