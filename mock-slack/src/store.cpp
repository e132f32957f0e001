#include "mock_slack/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <variant>

#include "firedrill/log.hpp"
#include "schema.hpp"
#include "sql_filters.hpp"

namespace mock_slack {

namespace alerting = firedrill::alerting;
using nlohmann::json;

static_assert(schema::kMigrations.size() == static_cast<std::size_t>(kSchemaVersion),
              "kSchemaVersion is the number of migrations");

namespace {

constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();

std::int64_t ns(TimePoint t) { return alerting::to_unix_ns(t); }
TimePoint tp(std::int64_t v) { return alerting::from_unix_ns(v); }

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string dump(const alerting::LabelSet& labels) { return dump(alerting::to_json(labels)); }

json parse_stored(const std::string& text, const json& fallback) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

/// Errors that may pass: Alertmanager should retry.
bool transient(const SQLite::Exception& e) {
  switch (e.getErrorCode()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_READONLY:
      return true;
    default:
      return false;
  }
}

/// Resets a cached statement when leaving scope, so it never holds a read snapshot.
class Use {
 public:
  explicit Use(SQLite::Statement& s) : s_(s) { s_.tryReset(); }
  ~Use() { s_.tryReset(); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  SQLite::Statement* operator->() { return &s_; }

 private:
  SQLite::Statement& s_;
};

void bind_optional(SQLite::Statement& s, int index, const std::optional<std::int64_t>& v) {
  if (v) {
    s.bind(index, *v);
  } else {
    s.bind(index);
  }
}

std::optional<std::int64_t> optional_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

std::optional<TimePoint> optional_time(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return tp(c.getInt64());
}

void configure(SQLite::Database& db) {
  db.exec("PRAGMA foreign_keys = OFF");  // the writer keeps references consistent itself
  db.exec("PRAGMA temp_store = MEMORY");
}

}  // namespace

// ---- Cursor -----------------------------------------------------------------------------------

std::string Cursor::to_string() const { return std::to_string(time_ns) + "-" + std::to_string(id); }

std::optional<Cursor> Cursor::parse(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
  auto number = [](std::string_view s) -> std::optional<std::int64_t> {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      if (v > (kForever - (c - '0')) / 10) return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  auto t = number(text.substr(0, dash));
  auto i = number(text.substr(dash + 1));
  if (!t || !i) return std::nullopt;
  return Cursor{*t, *i};
}

// ---- The writer -------------------------------------------------------------------------------

namespace {

/// What a job did, counted into the metrics once its transaction committed.
struct JobCounts {
  std::int64_t new_occurrences = 0;
  std::int64_t updated = 0;
  std::int64_t duplicate = 0;
};

/// What the writer binds, serialised on the request's own thread before the job is queued: the
/// writer is the one thread every notification waits for, so it does nothing it need not.
struct EncodedAlert {
  std::string labels, annotations, alertname, severity, service;
  std::int64_t starts_at = 0, ends_at = 0;
};
struct EncodedNotification {
  const alerting::WebhookNotification& n;
  std::vector<EncodedAlert> alerts;
  std::string group_labels, common_labels, common_annotations;

  explicit EncodedNotification(const alerting::WebhookNotification& notification)
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
};

class Writer;

struct Job {
  std::function<void(Writer&, JobCounts&)> apply;
  std::promise<void> done;
  JobCounts counts;
};

/// Recomputes an incident's summary columns from its occurrences (schema migration 2 explains
/// them); the statements using it end in the WHERE clause choosing the incidents.
constexpr const char* kSummarize =
    "UPDATE incidents SET (alert_count, firing_count, severity, alertnames, services) = ("
    "SELECT count(*), coalesce(sum(o.status = 'firing'), 0), "
    "coalesce((SELECT o2.severity FROM incident_occurrences io2 JOIN occurrences o2 ON o2.id = "
    "io2.occurrence_id WHERE io2.incident_id = incidents.id ORDER BY CASE o2.severity "
    "WHEN 'critical' THEN 6 WHEN 'page' THEN 5 WHEN 'error' THEN 4 WHEN 'warning' THEN 3 "
    "WHEN 'ticket' THEN 2 WHEN 'info' THEN 1 WHEN '' THEN 0 ELSE 1 END DESC, o2.severity "
    "LIMIT 1), ''), "
    "json_group_array(DISTINCT o.alertname), json_group_array(DISTINCT o.service) "
    "FROM incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id "
    "WHERE io.incident_id = incidents.id) ";

/// The only connection that writes, owned by the writer thread, with its statements prepared once.
class Writer {
 public:
  Writer(const std::string& path, Durability durability, int busy_timeout_ms)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
            busy_timeout_ms) {
    configure(db_);
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec(durability == Durability::full ? "PRAGMA synchronous = FULL"
                                            : "PRAGMA synchronous = NORMAL");
    db_.exec("PRAGMA cache_size = -65536");  // 64 MiB
    migrate();
    prepare();
  }

  SQLite::Database& db() { return db_; }

  void migrate() {
    int version = db_.execAndGet("PRAGMA user_version").getInt();
    if (version > static_cast<int>(schema::kMigrations.size())) {
      throw std::runtime_error("database " + db_.getFilename() + " has schema version " +
                               std::to_string(version) + ", newer than this mock-slack (" +
                               std::to_string(schema::kMigrations.size()) + ")");
    }
    for (auto v = static_cast<std::size_t>(version); v < schema::kMigrations.size(); ++v) {
      SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
      db_.exec(std::string(schema::kMigrations[v]));
      db_.exec("PRAGMA user_version = " + std::to_string(v + 1));
      tx.commit();
      firedrill::log::info("database migrated", {{"db", db_.getFilename()}, {"version", v + 1}});
    }
  }

  void prepare() {
    auto p = [this](const std::string& sql) {
      return std::make_unique<SQLite::Statement>(db_, sql);
    };
    find_occurrence_ =
        p("SELECT id, status, annotations, suppressed_state, silenced_by, inhibited_by "
          "FROM occurrences WHERE fingerprint = ? AND starts_at = ?");
    insert_occurrence_ =
        p("INSERT INTO occurrences (fingerprint, starts_at, ends_at, status, alertname, severity, "
          "service, labels, annotations, generator_url, receiver, first_notified_at, "
          "last_notified_at, times_notified, last_synced_at, suppressed_state, silenced_by, "
          "inhibited_by, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, "
          "?13, ?14, ?15, ?16, ?17, ?18)");
    update_notified_ =
        p("UPDATE occurrences SET status = ?2, ends_at = coalesce(ends_at, ?3), annotations = ?4, "
          "suppressed_state = 'active', silenced_by = '[]', inhibited_by = '[]', "
          "first_notified_at = coalesce(first_notified_at, ?5), last_notified_at = ?5, "
          "times_notified = times_notified + 1 WHERE id = ?1");
    update_synced_ =
        p("UPDATE occurrences SET status = ?2, ends_at = coalesce(ends_at, ?3), annotations = ?4, "
          "suppressed_state = ?5, "
          "silenced_by = ?6, inhibited_by = ?7, last_synced_at = ?8 WHERE id = ?1");
    find_open_incident_ =
        p("SELECT id FROM incidents WHERE group_key = ? AND resolved_at IS NULL "
          "ORDER BY id DESC LIMIT 1");
    find_incident_of_ =
        p("SELECT i.id FROM incident_occurrences io JOIN incidents i ON i.id = io.incident_id "
          "WHERE io.occurrence_id = ? AND i.group_key = ? ORDER BY i.id DESC LIMIT 1");
    insert_incident_ =
        p("INSERT INTO incidents (group_key, receiver, started_at, first_notified_at, "
          "last_notified_at, resolved_at, group_labels, common_labels, common_annotations, "
          "external_url, notification_count) VALUES (?1, ?2, ?3, ?4, ?4, NULL, ?5, ?6, ?7, ?8, 0)");
    update_incident_ =
        p("UPDATE incidents SET last_notified_at = max(last_notified_at, ?2), "
          "notification_count = notification_count + 1, started_at = min(started_at, ?3), "
          "common_labels = ?4, common_annotations = ?5, external_url = ?6 WHERE id = ?1");
    resolve_incident_ =
        p("UPDATE incidents SET resolved_at = coalesce((SELECT max(o.ends_at) FROM "
          "incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id WHERE "
          "io.incident_id = ?1), ?2) WHERE id = ?1 AND resolved_at IS NULL");
    resolve_quiet_incident_ = p(
        "UPDATE incidents SET resolved_at = coalesce((SELECT max(o.ends_at) FROM "
        "incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id WHERE "
        "io.incident_id = ?1), ?2) WHERE id = ?1 AND resolved_at IS NULL AND NOT EXISTS (SELECT 1 "
        "FROM incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id WHERE "
        "io.incident_id = ?1 AND o.status = 'firing')");
    link_ =
        p("INSERT OR IGNORE INTO incident_occurrences (incident_id, occurrence_id) VALUES (?, ?)");
    summarize_incident_ = p(std::string(kSummarize) + "WHERE id = ?1");
    summarize_incidents_of_ = p(std::string(kSummarize) +
                                "WHERE id IN (SELECT incident_id FROM incident_occurrences "
                                "WHERE occurrence_id = ?1)");
    insert_notification_ =
        p("INSERT INTO notifications (received_at, receiver, status, group_key, group_labels, "
          "common_labels, common_annotations, external_url, alert_count, truncated_alerts, "
          "body_sha256, incident_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert_message_ =
        p("INSERT INTO messages (received_at, channel, username, text, icon_emoji, icon_url, "
          "attachments, blocks, mrkdwn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    page_count_ = p("PRAGMA page_count");
    find_silence_ = p("SELECT updated_at, state FROM silences WHERE id = ?");
    insert_silence_ =
        p("INSERT INTO silences (id, state, created_by, comment, starts_at, ends_at, updated_at, "
          "matchers, first_synced_at, last_synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
          "?9)");
    update_silence_ =
        p("UPDATE silences SET state = ?2, created_by = ?3, comment = ?4, starts_at = ?5, "
          "ends_at = ?6, updated_at = ?7, matchers = ?8, last_synced_at = ?9 WHERE id = ?1");
    touch_silence_ = p("UPDATE silences SET last_synced_at = ?2 WHERE id = ?1");
    page_size_ = db_.execAndGet("PRAGMA page_size").getInt64();
  }

  std::int64_t size_bytes() {
    Use s(*page_count_);
    s->executeStep();
    return s->getColumn(0).getInt64() * page_size_;
  }

  IngestResult ingest(const EncodedNotification& e, const std::string& sha, std::int64_t now,
                      JobCounts& counts) {
    const alerting::WebhookNotification& n = e.n;
    IngestResult result;
    std::vector<std::int64_t> ids;
    ids.reserve(n.alerts.size());
    bool firing_now = false;
    bool resolved_some = false;  // an occurrence went from firing to resolved
    std::int64_t min_start = kForever;
    for (std::size_t k = 0; k < n.alerts.size(); ++k) {
      const auto& a = n.alerts[k];
      const EncodedAlert& ea = e.alerts[k];
      min_start = std::min(min_start, ea.starts_at);
      const bool resolved = a.status == alerting::AlertStatus::resolved;
      const std::string& annotations = ea.annotations;
      std::optional<std::int64_t> id;
      std::string status, stored_annotations, suppressed;
      {
        Use f(*find_occurrence_);
        f->bind(1, a.fingerprint);
        f->bind(2, ea.starts_at);
        if (f->executeStep()) {
          id = f->getColumn(0).getInt64();
          status = f->getColumn(1).getString();
          stored_annotations = f->getColumn(2).getString();
          suppressed = f->getColumn(3).getString();
        }
      }
      if (id) {
        // A resolved occurrence stays resolved: a firing notification for the same
        // (fingerprint, startsAt) arriving later is a retry that lost the race.
        const bool resolves = resolved && status == "firing";
        const bool changed =
            resolves || annotations != stored_annotations || suppressed != "active";
        Use u(*update_notified_);
        u->bind(1, *id);
        u->bind(2, resolves ? std::string("resolved") : status);
        bind_optional(*update_notified_, 3,
                      resolves ? std::optional<std::int64_t>(ea.ends_at) : std::nullopt);
        u->bind(4, annotations);
        u->bind(5, now);
        u->exec();
        if (changed) {
          ++result.updated_occurrences;
        } else {
          ++result.duplicate_occurrences;
        }
        if (!resolves && status == "firing") firing_now = true;
        resolved_some = resolved_some || resolves;
      } else {
        Use ins(*insert_occurrence_);
        ins->bind(1, a.fingerprint);
        ins->bind(2, ea.starts_at);
        bind_optional(*insert_occurrence_, 3,
                      resolved ? std::optional<std::int64_t>(ea.ends_at) : std::nullopt);
        ins->bind(4, resolved ? "resolved" : "firing");
        ins->bind(5, ea.alertname);
        ins->bind(6, ea.severity);
        ins->bind(7, ea.service);
        ins->bind(8, ea.labels);
        ins->bind(9, annotations);
        ins->bind(10, a.generator_url);
        ins->bind(11, n.receiver);
        ins->bind(12, now);
        ins->bind(13, std::int64_t{1});
        ins->bind(14);
        ins->bind(15, "active");
        ins->bind(16, "[]");
        ins->bind(17, "[]");
        ins->bind(18, "webhook");
        ins->exec();
        id = db_.getLastInsertRowid();
        ++result.new_occurrences;
        if (!resolved) firing_now = true;
      }
      ids.push_back(*id);
    }

    // The incident: the group's open one; else a new one when something fires; else (a late or
    // repeated resolution) the one these occurrences already belong to.
    std::optional<std::int64_t> incident;
    {
      Use f(*find_open_incident_);
      f->bind(1, n.group_key);
      if (f->executeStep()) incident = f->getColumn(0).getInt64();
    }
    if (!incident && !firing_now && !ids.empty()) {
      Use f(*find_incident_of_);
      f->bind(1, ids.front());
      f->bind(2, n.group_key);
      if (f->executeStep()) incident = f->getColumn(0).getInt64();
    }
    if (!incident && !ids.empty()) {
      Use ins(*insert_incident_);
      ins->bind(1, n.group_key);
      ins->bind(2, n.receiver);
      ins->bind(3, min_start);
      ins->bind(4, now);
      ins->bind(5, e.group_labels);
      ins->bind(6, e.common_labels);
      ins->bind(7, e.common_annotations);
      ins->bind(8, n.external_url);
      ins->exec();
      incident = db_.getLastInsertRowid();
    }
    if (incident) {
      bool linked_some = false;
      for (auto id : ids) {
        Use l(*link_);
        l->bind(1, *incident);
        l->bind(2, id);
        linked_some = l->exec() > 0 || linked_some;
      }
      Use u(*update_incident_);
      u->bind(1, *incident);
      u->bind(2, now);
      u->bind(3, ids.empty() ? kForever : min_start);
      u->bind(4, e.common_labels);
      u->bind(5, e.common_annotations);
      u->bind(6, n.external_url);
      u->exec();
      // Alertmanager's status covers the whole group, truncated alerts included. A firing
      // notification without any firing alert (a late retry) closes the incident only when
      // nothing in it still fires.
      if (n.status == alerting::AlertStatus::resolved) {
        Use r(*resolve_incident_);
        r->bind(1, *incident);
        r->bind(2, now);
        r->exec();
      } else if (!firing_now) {
        Use r(*resolve_quiet_incident_);
        r->bind(1, *incident);
        r->bind(2, now);
        r->exec();
      }
      // The summary counts the incident's occurrences and their states: a redelivery that links
      // nothing new and resolves nothing (repeat_interval, retries, HA pairs) leaves it as it is.
      if (linked_some || resolved_some) {
        Use sum(*summarize_incident_);
        sum->bind(1, *incident);
        sum->exec();
      }
      result.incident_id = *incident;
    }

    Use ins(*insert_notification_);
    ins->bind(1, now);
    ins->bind(2, n.receiver);
    ins->bind(3, std::string(alerting::to_string(n.status)));
    ins->bind(4, n.group_key);
    ins->bind(5, e.group_labels);
    ins->bind(6, e.common_labels);
    ins->bind(7, e.common_annotations);
    ins->bind(8, n.external_url);
    ins->bind(9, static_cast<std::int64_t>(n.alerts.size()));
    ins->bind(10, n.truncated_alerts);
    ins->bind(11, sha);
    bind_optional(*insert_notification_, 12, incident);
    ins->exec();
    result.notification_id = db_.getLastInsertRowid();
    counts.new_occurrences += result.new_occurrences;
    counts.updated += result.updated_occurrences;
    counts.duplicate += result.duplicate_occurrences;
    return result;
  }

  SyncResult sync(const std::vector<alerting::GettableAlert>& alerts,
                  const std::vector<alerting::GettableSilence>& silences, std::int64_t now,
                  JobCounts& counts) {
    SyncResult result;
    result.received = static_cast<std::int64_t>(alerts.size());
    for (const auto& a : alerts) {
      // API v2 lists alerts that have not resolved; one whose end has passed did resolve.
      const bool resolved = a.ends_at != alerting::kZeroTime && ns(a.ends_at) <= now;
      const std::string annotations = dump(a.annotations);
      const std::string silenced = dump(json(a.silenced_by));
      const std::string inhibited = dump(json(a.inhibited_by));
      std::optional<std::int64_t> id;
      std::string status, stored_annotations, state, stored_silenced, stored_inhibited;
      {
        Use f(*find_occurrence_);
        f->bind(1, a.fingerprint);
        f->bind(2, ns(a.starts_at));
        if (f->executeStep()) {
          id = f->getColumn(0).getInt64();
          status = f->getColumn(1).getString();
          stored_annotations = f->getColumn(2).getString();
          state = f->getColumn(3).getString();
          stored_silenced = f->getColumn(4).getString();
          stored_inhibited = f->getColumn(5).getString();
        }
      }
      if (id) {
        const bool resolves = resolved && status == "firing";
        const bool changed = resolves || state != a.state || stored_silenced != silenced ||
                             stored_inhibited != inhibited ||
                             (status == "firing" && stored_annotations != annotations);
        if (changed) {
          Use u(*update_synced_);
          u->bind(1, *id);
          u->bind(2, resolves ? std::string("resolved") : status);
          bind_optional(*update_synced_, 3,
                        resolves ? std::optional<std::int64_t>(ns(a.ends_at)) : std::nullopt);
          u->bind(4, status == "firing" ? annotations : stored_annotations);
          u->bind(5, a.state);
          u->bind(6, silenced);
          u->bind(7, inhibited);
          u->bind(8, now);
          u->exec();
          if (resolves) {
            Use sum(*summarize_incidents_of_);
            sum->bind(1, *id);
            sum->exec();
          }
          ++result.updated_occurrences;
          ++counts.updated;
        } else {
          touch_synced(*id, now);
          ++result.unchanged_occurrences;
          ++counts.duplicate;
        }
        continue;
      }
      Use ins(*insert_occurrence_);
      ins->bind(1, a.fingerprint);
      ins->bind(2, ns(a.starts_at));
      bind_optional(*insert_occurrence_, 3,
                    resolved ? std::optional<std::int64_t>(ns(a.ends_at)) : std::nullopt);
      ins->bind(4, resolved ? "resolved" : "firing");
      ins->bind(5, std::string(alerting::label_value(a.labels, "alertname")));
      ins->bind(6, std::string(alerting::label_value(a.labels, "severity")));
      ins->bind(7, std::string(alerting::label_value(a.labels, "service")));
      ins->bind(8, dump(a.labels));
      ins->bind(9, annotations);
      ins->bind(10, a.generator_url);
      ins->bind(11, a.receivers.empty() ? std::string() : a.receivers.front());
      ins->bind(12);  // never notified
      ins->bind(13, std::int64_t{0});
      ins->bind(14, now);
      ins->bind(15, a.state);
      ins->bind(16, silenced);
      ins->bind(17, inhibited);
      ins->bind(18, "sync");
      ins->exec();
      ++result.new_occurrences;
      ++counts.new_occurrences;
    }
    result.silences = sync_silences(silences, now);
    return result;
  }

  /// Upserts silences by id: a newer updatedAt, or the same one with another state (a silence
  /// expires without being updated), replaces the stored silence. An older updatedAt is a stale
  /// read (another Alertmanager replica, before gossip caught up) and changes nothing.
  SilenceSyncResult sync_silences(const std::vector<alerting::GettableSilence>& silences,
                                  std::int64_t now) {
    SilenceSyncResult result;
    result.received = static_cast<std::int64_t>(silences.size());
    for (const auto& silence : silences) {
      std::optional<std::int64_t> stored_updated_at;
      std::string stored_state;
      {
        Use f(*find_silence_);
        f->bind(1, silence.id);
        if (f->executeStep()) {
          stored_updated_at = f->getColumn(0).getInt64();
          stored_state = f->getColumn(1).getString();
        }
      }
      const std::int64_t updated_at = ns(silence.updated_at);
      if (stored_updated_at &&
          (updated_at < *stored_updated_at ||
           (updated_at == *stored_updated_at && silence.state == stored_state))) {
        Use t(*touch_silence_);
        t->bind(1, silence.id);
        t->bind(2, now);
        t->exec();
        ++result.unchanged_silences;
        continue;
      }
      SQLite::Statement& write = stored_updated_at ? *update_silence_ : *insert_silence_;
      Use w(write);
      w->bind(1, silence.id);
      w->bind(2, silence.state);
      w->bind(3, silence.created_by);
      w->bind(4, silence.comment);
      w->bind(5, ns(silence.starts_at));
      w->bind(6, ns(silence.ends_at));
      w->bind(7, updated_at);
      w->bind(8, dump(alerting::to_json(silence.matchers)));
      w->bind(9, now);
      w->exec();
      if (stored_updated_at) {
        ++result.updated_silences;
      } else {
        ++result.new_silences;
      }
    }
    return result;
  }

  std::int64_t add_message(const Message& m, std::int64_t now) {
    Use ins(*insert_message_);
    ins->bind(1, now);
    ins->bind(2, m.channel);
    ins->bind(3, m.username);
    ins->bind(4, m.text);
    ins->bind(5, m.icon_emoji);
    ins->bind(6, m.icon_url);
    ins->bind(7, dump(m.attachments.is_array() ? m.attachments : json::array()));
    ins->bind(8, dump(m.blocks.is_array() ? m.blocks : json::array()));
    ins->bind(9, m.mrkdwn ? 1 : 0);
    ins->exec();
    return db_.getLastInsertRowid();
  }

  /// Deletes up to `chunk` resolved occurrences that ended before `cutoff`; returns how many.
  std::int64_t prune_occurrences(std::int64_t cutoff, int chunk) {
    SQLite::Statement select(db_,
                             "SELECT id FROM occurrences WHERE coalesce(ends_at, "
                             "9223372036854775807) < ? LIMIT ?");
    select.bind(1, cutoff);
    select.bind(2, chunk);
    std::vector<std::int64_t> ids;
    while (select.executeStep()) ids.push_back(select.getColumn(0).getInt64());
    SQLite::Statement unlink(
        db_, "DELETE FROM incident_occurrences WHERE occurrence_id = ? RETURNING incident_id");
    SQLite::Statement remove(db_, "DELETE FROM occurrences WHERE id = ?");
    std::set<std::int64_t> incidents;
    for (auto id : ids) {
      unlink.bind(1, id);
      while (unlink.executeStep()) incidents.insert(unlink.getColumn(0).getInt64());
      unlink.reset();
      remove.bind(1, id);
      remove.exec();
      remove.reset();
    }
    for (auto incident : incidents) {
      Use sum(*summarize_incident_);
      sum->bind(1, incident);
      sum->exec();
    }
    return static_cast<std::int64_t>(ids.size());
  }

  void prune_rest(std::int64_t cutoff, RetentionResult& r) {
    SQLite::Statement incidents(
        db_,
        "DELETE FROM incidents WHERE coalesce(resolved_at, 9223372036854775807) < ?1 AND NOT "
        "EXISTS (SELECT 1 FROM incident_occurrences io WHERE io.incident_id = incidents.id)");
    incidents.bind(1, cutoff);
    r.incidents = incidents.exec();
    SQLite::Statement notifications(
        db_,
        "DELETE FROM notifications WHERE received_at < ?1 AND (incident_id IS NULL OR NOT EXISTS "
        "(SELECT 1 FROM incidents i WHERE i.id = notifications.incident_id))");
    notifications.bind(1, cutoff);
    r.notifications = notifications.exec();
    SQLite::Statement messages(db_, "DELETE FROM messages WHERE received_at < ?1");
    messages.bind(1, cutoff);
    r.messages = messages.exec();
    SQLite::Statement silences(db_,
                               "DELETE FROM silences WHERE state = 'expired' AND ends_at < ?1");
    silences.bind(1, cutoff);
    r.silences = silences.exec();
  }

 private:
  void touch_synced(std::int64_t id, std::int64_t now) {
    if (!touch_synced_) {
      touch_synced_ = std::make_unique<SQLite::Statement>(
          db_, "UPDATE occurrences SET last_synced_at = ?2 WHERE id = ?1");
    }
    Use u(*touch_synced_);
    u->bind(1, id);
    u->bind(2, now);
    u->exec();
  }

  SQLite::Database db_;
  std::int64_t page_size_ = 4096;
  std::unique_ptr<SQLite::Statement> find_occurrence_, insert_occurrence_, update_notified_,
      update_synced_, find_open_incident_, find_incident_of_, insert_incident_, update_incident_,
      resolve_incident_, resolve_quiet_incident_, link_, summarize_incident_,
      summarize_incidents_of_, insert_notification_, insert_message_, page_count_, touch_synced_,
      find_silence_, insert_silence_, update_silence_, touch_silence_;
};

}  // namespace

// ---- Readers ----------------------------------------------------------------------------------

namespace {

using sql::bind_all;
using sql::MatchersInScope;
using sql::occurrence_conditions;
using sql::Value;
using sql::Where;

/// A read-only connection with a cache of prepared statements keyed by their SQL.
class Reader {
 public:
  Reader(const std::string& path, int busy_timeout_ms)
      : db_(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, busy_timeout_ms) {
    configure(db_);
    db_.exec("PRAGMA query_only = ON");
    db_.exec("PRAGMA mmap_size = 268435456");
    db_.exec("PRAGMA cache_size = -32768");
    sql::register_functions(db_);
  }

  SQLite::Statement& statement(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      if (cache_.size() > 256) cache_.clear();  // filter combinations are bounded, but be safe
      it = cache_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
    }
    it->second->tryReset();
    it->second->clearBindings();
    return *it->second;
  }

  SQLite::Database& db() { return db_; }

 private:
  SQLite::Database db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> cache_;
};

constexpr const char* kOccurrenceColumns =
    "o.id, o.fingerprint, o.status, o.starts_at, o.ends_at, o.labels, o.annotations, "
    "o.generator_url, o.receiver, o.first_notified_at, o.last_notified_at, o.times_notified, "
    "o.last_synced_at, o.suppressed_state, o.silenced_by, o.inhibited_by, o.source";

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
  return o;
}

constexpr const char* kOccurrenceBarColumns =
    "o.id, coalesce((SELECT max(io.incident_id) FROM incident_occurrences io WHERE "
    "io.occurrence_id = o.id), 0), o.status, o.alertname, o.severity, "
    "coalesce(json_extract(o.labels, '$.instance'), ''), o.starts_at, o.ends_at";

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

constexpr const char* kIncidentColumns =
    "i.id, i.group_key, i.receiver, i.started_at, i.first_notified_at, i.last_notified_at, "
    "i.resolved_at, i.group_labels, i.common_labels, i.common_annotations, i.external_url, "
    "i.notification_count, i.alert_count, i.firing_count, i.severity, i.alertnames, i.services";

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

/// How one table is paged by time: newest first on (start, id), with a time range that selects
/// rows overlapping it.
struct TimeTable {
  const char* from;         ///< "occurrences o"
  const char* start;        ///< "o.starts_at"
  const char* id;           ///< "o.id"
  const char* end_or_max;   ///< "coalesce(o.ends_at, 9223372036854775807)"
  const char* from_by_end;  ///< `from` forced onto the end-time index (phase 2)
};

constexpr TimeTable kOccurrenceTable{"occurrences o", "o.starts_at", "o.id", sql::kOccurrenceEnd,
                                     "occurrences o INDEXED BY occurrences_until"};
constexpr TimeTable kIncidentTable{"incidents i", "i.started_at", "i.id", sql::kIncidentEnd,
                                   "incidents i INDEXED BY incidents_until"};

/// Runs a keyset-paged, time-ranged query in (at most) two index range scans: rows that started
/// inside [since, until], then rows that started before `since` and were still open at `since`
/// (found through the end-time index). Never OFFSET. `read` turns a row into T.
template <typename T>
Page<T> paged(Reader& reader, const TimeTable& t, const char* columns, const Where& filters,
              const AlertFilter& f, T (*read)(SQLite::Statement&)) {
  Page<T> page;
  const std::size_t want = f.limit + 1;  // one more tells whether there is a next page
  auto run = [&](const Where& w, const char* from) {
    std::string sql = std::string("SELECT ") + columns + " FROM " + from + " WHERE 1" + w.sql +
                      " ORDER BY " + t.start + " DESC, " + t.id + " DESC LIMIT " +
                      std::to_string(want - page.items.size());
    auto& s = reader.statement(sql);
    bind_all(s, w.values);
    while (s.executeStep()) page.items.push_back(read(s));
    s.tryReset();
  };
  auto with_cursor = [&](Where w) {
    if (f.cursor) {
      w.add(std::string("(") + t.start + ", " + t.id + ") < (?, ?)");
      w.values.emplace_back(f.cursor->time_ns);
      w.values.emplace_back(f.cursor->id);
    }
    return w;
  };
  const std::int64_t since = f.since ? ns(*f.since) : std::numeric_limits<std::int64_t>::min();
  // Phase 1: started inside the range.
  if (!f.cursor || f.cursor->time_ns >= since) {
    Where w = filters;
    if (f.until) w.add(std::string(t.start) + " <= ?", ns(*f.until));
    if (f.since) w.add(std::string(t.start) + " >= ?", since);
    run(with_cursor(w), t.from);
  }
  // Phase 2: started before the range and still open when it began.
  if (f.since && page.items.size() < want) {
    Where w = filters;
    w.add(std::string(t.end_or_max) + " >= ?", since);
    w.add(std::string(t.start) + " < ?", since);
    // Bounded by the rows that ended after `since`, not by the whole older history.
    run(with_cursor(w), t.from_by_end);
  }
  if (page.items.size() > f.limit) {
    page.items.resize(f.limit);
    const T& last = page.items.back();
    if constexpr (std::is_same_v<T, Incident>) {
      page.next = Cursor{ns(last.started_at), last.id};
    } else {
      page.next = Cursor{ns(last.starts_at), last.id};
    }
  }
  return page;
}

}  // namespace

// ---- Store::Impl ------------------------------------------------------------------------------

class Store::Impl {
 public:
  Impl(const StoreOptions& options, Clock clock, prometheus::Registry* registry)
      : options_(options),
        clock_(clock),
        writer_(options.path, options.durability, options.busy_timeout_ms) {
    if (registry != nullptr) {
      auto& occurrences = prometheus::BuildCounter()
                              .Name("mockslack_alert_occurrences_total")
                              .Help(
                                  "Alerts received, by what they did to the history: a new "
                                  "occurrence, an update of one, or an unchanged duplicate")
                              .Register(*registry);
      new_ = &occurrences.Add({{"result", "new"}});
      updated_ = &occurrences.Add({{"result", "updated"}});
      duplicate_ = &occurrences.Add({{"result", "duplicate"}});
      write_duration_ = &prometheus::BuildHistogram()
                             .Name("mockslack_db_write_duration_seconds")
                             .Help("Time to write and commit one transaction (a group of requests)")
                             .Register(*registry)
                             .Add({}, prometheus::Histogram::BucketBoundaries{
                                          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                          0.25, 0.5, 1, 2.5});
      size_ = &prometheus::BuildGauge()
                   .Name("mockslack_db_size_bytes")
                   .Help("Size of the SQLite database (pages in use times page size)")
                   .Register(*registry)
                   .Add({});
      size_->Set(static_cast<double>(writer_.size_bytes()));
    }
    thread_ = std::thread([this] {
      // Named so that `top -H` and the benchmark tell the writer from the request threads.
      pthread_setname_np(pthread_self(), "store-writer");
      run();
    });
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  /// Queues `apply` for the writer thread and waits until its transaction committed. Rethrows
  /// what the job threw; a transient database error becomes StoreUnavailable.
  void write(std::function<void(Writer&, JobCounts&)> apply) {
    Job job;
    job.apply = std::move(apply);
    auto done = job.done.get_future();
    {
      std::lock_guard lock(mutex_);
      if (stopping_) throw StoreUnavailable("the store is shutting down");
      queue_.push_back(&job);
    }
    cv_.notify_one();
    done.get();
  }

  std::int64_t now_ns() const { return ns(clock_()); }

  Store::WriteQueue write_queue() const {
    std::lock_guard lock(mutex_);
    return {queue_.size(), taken_};
  }

  template <typename F>
  auto read(F&& f) const {
    std::unique_ptr<Reader> reader;
    {
      std::lock_guard lock(readers_mutex_);
      if (!readers_.empty()) {
        reader = std::move(readers_.back());
        readers_.pop_back();
      }
    }
    if (!reader) reader = std::make_unique<Reader>(options_.path, options_.busy_timeout_ms);
    struct Return {
      const Impl& impl;
      std::unique_ptr<Reader>& r;
      ~Return() {
        std::lock_guard lock(impl.readers_mutex_);
        if (impl.readers_.size() < impl.options_.read_connections) {
          impl.readers_.push_back(std::move(r));
        }
      }
    } give_back{*this, reader};
    try {
      return f(*reader);
    } catch (const SQLite::Exception& e) {
      if (transient(e)) throw StoreUnavailable(std::string("database unavailable: ") + e.what());
      throw;
    }
  }

  std::int64_t size_bytes() const {
    return read([](Reader& r) {
      return r.db().execAndGet("PRAGMA page_count").getInt64() *
             r.db().execAndGet("PRAGMA page_size").getInt64();
    });
  }

  int schema_version() const {
    return read([](Reader& r) { return r.db().execAndGet("PRAGMA user_version").getInt(); });
  }

 private:
  void run() {
    std::vector<Job*> batch;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        const std::size_t n = std::min(queue_.size(), options_.max_jobs_per_commit);
        batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        taken_ += n;
      }
      commit(batch);
    }
  }

  /// One transaction for the batch. A job that throws rolls the batch back, and then each of its
  /// jobs runs again in a transaction of its own, so a failing job leaves nothing behind and does
  /// not fail the others. (Savepoints per job would isolate them too, but they copy every page a
  /// job touches into the statement journal: a third of the writer's time.) Jobs are replayable:
  /// they read their inputs and assign their results.
  void commit(std::vector<Job*>& batch) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::exception_ptr> errors(batch.size());
    auto& db = writer_.db();
    auto run_all = [&](std::size_t from, std::size_t to) {
      db.exec("BEGIN IMMEDIATE");
      try {
        for (std::size_t i = from; i < to; ++i) {
          batch[i]->counts = {};
          batch[i]->apply(writer_, batch[i]->counts);
        }
        db.exec("COMMIT");
      } catch (...) {
        db.tryExec("ROLLBACK");
        throw;
      }
    };
    try {
      run_all(0, batch.size());
    } catch (...) {
      if (batch.size() == 1) {
        errors[0] = std::current_exception();
      } else {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          try {
            run_all(i, i + 1);
          } catch (...) {
            errors[i] = std::current_exception();
          }
        }
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (write_duration_ != nullptr) write_duration_->Observe(seconds);
    if (size_ != nullptr && std::ranges::any_of(errors, [](auto& e) { return e == nullptr; })) {
      try {
        size_->Set(static_cast<double>(writer_.size_bytes()));
      } catch (const std::exception&) {
        // the gauge keeps its last value
      }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::exception_ptr& e = errors[i];
      if (e == nullptr) {
        if (new_ != nullptr) {
          new_->Increment(static_cast<double>(batch[i]->counts.new_occurrences));
          updated_->Increment(static_cast<double>(batch[i]->counts.updated));
          duplicate_->Increment(static_cast<double>(batch[i]->counts.duplicate));
        }
        batch[i]->done.set_value();
        continue;
      }
      try {
        std::rethrow_exception(e);
      } catch (const SQLite::Exception& se) {
        if (transient(se)) {
          firedrill::log::warn("database write failed; the caller will retry",
                               {{"error", se.what()}});
          batch[i]->done.set_exception(std::make_exception_ptr(
              StoreUnavailable(std::string("database unavailable: ") + se.what())));
        } else {
          firedrill::log::error("database write failed", {{"error", se.what()}});
          batch[i]->done.set_exception(e);
        }
      } catch (...) {
        batch[i]->done.set_exception(e);
      }
    }
  }

  StoreOptions options_;
  Clock clock_;
  Writer writer_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;
  std::uint64_t taken_ = 0;
  bool stopping_ = false;
  std::thread thread_;
  mutable std::mutex readers_mutex_;
  mutable std::vector<std::unique_ptr<Reader>> readers_;
  prometheus::Counter* new_ = nullptr;
  prometheus::Counter* updated_ = nullptr;
  prometheus::Counter* duplicate_ = nullptr;
  prometheus::Histogram* write_duration_ = nullptr;
  prometheus::Gauge* size_ = nullptr;
};

// ---- Store ------------------------------------------------------------------------------------

Store::Store(StoreOptions options, Clock clock, prometheus::Registry* registry)
    : options_(std::move(options)), clock_(clock) {
  try {
    impl_ = std::make_unique<Impl>(options_, clock_, registry);
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("cannot open database " + options_.path + ": " + e.what());
  }
}

Store::~Store() = default;

IngestResult Store::ingest(const alerting::WebhookNotification& n, const std::string& sha) {
  IngestResult result;
  const auto now = impl_->now_ns();
  const EncodedNotification encoded(n);
  impl_->write([&](Writer& w, JobCounts& c) { result = w.ingest(encoded, sha, now, c); });
  return result;
}

SyncResult Store::sync(const std::vector<alerting::GettableAlert>& alerts,
                       const std::vector<alerting::GettableSilence>& silences) {
  SyncResult result;
  const auto now = impl_->now_ns();
  impl_->write([&](Writer& w, JobCounts& c) { result = w.sync(alerts, silences, now, c); });
  return result;
}

std::int64_t Store::add_message(const Message& m) {
  std::int64_t id = 0;
  const auto now = impl_->now_ns();
  impl_->write([&](Writer& w, JobCounts&) { id = w.add_message(m, now); });
  return id;
}

RetentionResult Store::apply_retention() {
  RetentionResult r;
  const auto cutoff =
      impl_->now_ns() -
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.retention).count();
  // In chunks, each its own transaction, so ingestion is never held up for long.
  constexpr int kChunk = 5000;
  for (;;) {
    std::int64_t n = 0;
    impl_->write([&](Writer& w, JobCounts&) { n = w.prune_occurrences(cutoff, kChunk); });
    r.occurrences += n;
    if (n < kChunk) break;
  }
  impl_->write([&](Writer& w, JobCounts&) { w.prune_rest(cutoff, r); });
  return r;
}

namespace {

Where alert_conditions(const AlertFilter& f) {
  Where w;
  occurrence_conditions(f, w, true);
  if (!f.receiver.empty()) w.add("o.receiver = ?", f.receiver);
  return w;
}

}  // namespace

Page<Occurrence> Store::alerts(const AlertFilter& f) const {
  return impl_->read([&](Reader& r) {
    MatchersInScope scope(f.matchers);
    return paged<Occurrence>(r, kOccurrenceTable, kOccurrenceColumns, alert_conditions(f), f,
                             read_occurrence);
  });
}

Page<OccurrenceBar> Store::alert_bars(const AlertFilter& f) const {
  return impl_->read([&](Reader& r) {
    MatchersInScope scope(f.matchers);
    return paged<OccurrenceBar>(r, kOccurrenceTable, kOccurrenceBarColumns, alert_conditions(f), f,
                                read_occurrence_bar);
  });
}

Page<Incident> Store::incidents(const AlertFilter& f) const {
  return impl_->read([&](Reader& r) {
    MatchersInScope scope(f.matchers);
    Where w;
    sql::incident_conditions(f, w);
    return paged<Incident>(r, kIncidentTable, kIncidentColumns, w, f, read_incident);
  });
}

std::optional<IncidentDetail> Store::incident(std::int64_t id) const {
  return impl_->read([&](Reader& r) -> std::optional<IncidentDetail> {
    IncidentDetail d;
    {
      auto& s = r.statement(std::string("SELECT ") + kIncidentColumns +
                            " FROM incidents i WHERE i.id = ?");
      s.bind(1, id);
      if (!s.executeStep()) {
        s.tryReset();
        return std::nullopt;
      }
      d.incident = read_incident(s);
      s.tryReset();
    }
    {
      auto& s = r.statement(std::string("SELECT ") + kOccurrenceColumns +
                            " FROM incident_occurrences io JOIN occurrences o ON o.id = "
                            "io.occurrence_id WHERE io.incident_id = ? ORDER BY o.starts_at, o.id");
      s.bind(1, id);
      while (s.executeStep()) d.occurrences.push_back(read_occurrence(s));
      s.tryReset();
    }
    {
      auto& s = r.statement(
          "SELECT id, received_at, receiver, status, group_key, group_labels, common_labels, "
          "alert_count, truncated_alerts, body_sha256, incident_id FROM notifications "
          "WHERE incident_id = ? ORDER BY received_at, id");
      s.bind(1, id);
      while (s.executeStep()) {
        Notification n;
        n.id = s.getColumn(0).getInt64();
        n.received_at = tp(s.getColumn(1).getInt64());
        n.receiver = s.getColumn(2).getString();
        n.status = s.getColumn(3).getString();
        n.group_key = s.getColumn(4).getString();
        n.group_labels = parse_stored(s.getColumn(5).getString(), json::object());
        n.common_labels = parse_stored(s.getColumn(6).getString(), json::object());
        n.alert_count = s.getColumn(7).getInt64();
        n.truncated_alerts = s.getColumn(8).getInt64();
        n.body_sha256 = s.getColumn(9).getString();
        n.incident_id = optional_int(s.getColumn(10));
        d.notifications.push_back(std::move(n));
      }
      s.tryReset();
    }
    for (const auto& o : d.occurrences) {
      const std::string name = o.labels.value("alertname", std::string("alert"));
      d.timeline.push_back({o.starts_at, "firing", o.id, std::nullopt, name + " firing"});
      if (o.ends_at) {
        d.timeline.push_back({*o.ends_at, "resolved", o.id, std::nullopt, name + " resolved"});
      }
    }
    for (const auto& n : d.notifications) {
      d.timeline.push_back({n.received_at, "notification", std::nullopt, n.id,
                            "notification " + n.status + " to " + n.receiver + " (" +
                                std::to_string(n.alert_count) + " alerts)"});
    }
    std::stable_sort(
        d.timeline.begin(), d.timeline.end(),
        [](const TimelineEvent& a, const TimelineEvent& b) { return a.time < b.time; });
    return d;
  });
}

std::optional<Occurrence> Store::occurrence(const std::string& fingerprint,
                                            TimePoint starts_at) const {
  return impl_->read([&](Reader& r) -> std::optional<Occurrence> {
    auto& s = r.statement(std::string("SELECT ") + kOccurrenceColumns +
                          " FROM occurrences o WHERE o.fingerprint = ? AND o.starts_at = ?");
    s.bind(1, fingerprint);
    s.bind(2, ns(starts_at));
    std::optional<Occurrence> out;
    if (s.executeStep()) out = read_occurrence(s);
    s.tryReset();
    return out;
  });
}

Page<Message> Store::messages(const MessageFilter& f) const {
  return impl_->read([&](Reader& r) {
    Where w;
    if (!f.channel.empty()) w.add("channel = ?", f.channel);
    if (f.cursor) w.add("id < ?", f.cursor->id);
    auto& s = r.statement(
        "SELECT id, received_at, channel, username, text, icon_emoji, icon_url, attachments, "
        "blocks, mrkdwn FROM messages WHERE 1" +
        w.sql + " ORDER BY id DESC LIMIT " + std::to_string(f.limit + 1));
    bind_all(s, w.values);
    Page<Message> page;
    while (s.executeStep()) {
      Message m;
      m.id = s.getColumn(0).getInt64();
      m.received_at = tp(s.getColumn(1).getInt64());
      m.channel = s.getColumn(2).getString();
      m.username = s.getColumn(3).getString();
      m.text = s.getColumn(4).getString();
      m.icon_emoji = s.getColumn(5).getString();
      m.icon_url = s.getColumn(6).getString();
      m.attachments = parse_stored(s.getColumn(7).getString(), json::array());
      m.blocks = parse_stored(s.getColumn(8).getString(), json::array());
      m.mrkdwn = s.getColumn(9).getInt() != 0;
      page.items.push_back(std::move(m));
    }
    s.tryReset();
    if (page.items.size() > f.limit) {
      page.items.resize(f.limit);
      page.next = Cursor{ns(page.items.back().received_at), page.items.back().id};
    }
    return page;
  });
}

std::vector<Channel> Store::channels() const {
  return impl_->read([&](Reader& r) {
    auto& s = r.statement(
        "SELECT channel, count(*), max(received_at) FROM messages GROUP BY channel ORDER BY "
        "channel");
    std::vector<Channel> out;
    while (s.executeStep()) {
      out.push_back(
          {s.getColumn(0).getString(), s.getColumn(1).getInt64(), tp(s.getColumn(2).getInt64())});
    }
    s.tryReset();
    return out;
  });
}

namespace {

constexpr const char* kSilenceColumns =
    "rowid, id, state, matchers, created_by, comment, starts_at, ends_at, updated_at, "
    "first_synced_at, last_synced_at";

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

/// Fills each silence's occurrence_ids in one pass over the silenced occurrences (the partial
/// index occurrences_silenced), not one per silence.
void fill_silenced_occurrences(Reader& r, std::vector<Silence>& silences) {
  if (silences.empty()) return;
  std::unordered_map<std::string, Silence*> by_id;
  json ids = json::array();
  for (auto& s : silences) {
    by_id.emplace(s.id, &s);
    ids.push_back(s.id);
  }
  auto& s = r.statement(
      "SELECT j.value, o.id FROM occurrences o, json_each(o.silenced_by) j "
      "WHERE o.silenced_by <> '[]' AND j.value IN (SELECT value FROM json_each(?)) ORDER BY o.id");
  s.bind(1, dump(ids));
  while (s.executeStep()) {
    auto it = by_id.find(s.getColumn(0).getString());
    if (it != by_id.end()) it->second->occurrence_ids.push_back(s.getColumn(1).getInt64());
  }
  s.tryReset();
}

}  // namespace

Page<Silence> Store::silences(const SilenceFilter& f) const {
  return impl_->read([&](Reader& r) {
    Where w;
    if (!f.state.empty()) w.add("state = ?", f.state);
    if (f.cursor) {
      w.add("(starts_at, rowid) < (?, ?)");
      w.values.emplace_back(f.cursor->time_ns);
      w.values.emplace_back(f.cursor->id);
    }
    auto& s =
        r.statement(std::string("SELECT ") + kSilenceColumns + " FROM silences WHERE 1" + w.sql +
                    " ORDER BY starts_at DESC, rowid DESC LIMIT " + std::to_string(f.limit + 1));
    bind_all(s, w.values);
    Page<Silence> page;
    std::vector<std::int64_t> rowids;
    while (s.executeStep()) {
      rowids.push_back(s.getColumn(0).getInt64());
      page.items.push_back(read_silence(s));
    }
    s.tryReset();
    if (page.items.size() > f.limit) {
      page.items.resize(f.limit);
      page.next = Cursor{ns(page.items.back().starts_at), rowids[f.limit - 1]};
    }
    fill_silenced_occurrences(r, page.items);
    return page;
  });
}

std::int64_t Store::size_bytes() const { return impl_->size_bytes(); }
Store::WriteQueue Store::write_queue() const { return impl_->write_queue(); }
int Store::schema_version() const { return impl_->schema_version(); }

// Hooks of modules that own their tables (issue 19: incident_events.cpp).
void Store::write_with(const std::function<void(SQLite::Database&)>& f) {
  impl_->write([&](Writer& w, JobCounts&) { f(w.db()); });
}
void Store::read_with(const std::function<void(SQLite::Database&)>& f) const {
  impl_->read([&](Reader& r) { f(r.db()); });
}

// ---- JSON -------------------------------------------------------------------------------------

namespace {
json time_or_null(const std::optional<TimePoint>& t) {
  return t ? json(alerting::format_time(*t)) : json(nullptr);
}
}  // namespace

json to_json(const Occurrence& o) {
  return json{{"id", o.id},
              {"fingerprint", o.fingerprint},
              {"status", o.status},
              {"startsAt", alerting::format_time(o.starts_at)},
              {"endsAt", time_or_null(o.ends_at)},
              {"labels", o.labels},
              {"annotations", o.annotations},
              {"generatorURL", o.generator_url},
              {"receiver", o.receiver},
              {"firstNotifiedAt", time_or_null(o.first_notified_at)},
              {"lastNotifiedAt", time_or_null(o.last_notified_at)},
              {"timesNotified", o.times_notified},
              {"lastSyncedAt", time_or_null(o.last_synced_at)},
              {"suppressed",
               {{"state", o.suppressed_state},
                {"silencedBy", o.silenced_by},
                {"inhibitedBy", o.inhibited_by}}},
              {"source", o.source}};
}

json to_json(const Incident& i) {
  return json{{"id", i.id},
              {"groupKey", i.group_key},
              {"receiver", i.receiver},
              {"status", i.status},
              {"startedAt", alerting::format_time(i.started_at)},
              {"firstNotifiedAt", alerting::format_time(i.first_notified_at)},
              {"lastNotifiedAt", alerting::format_time(i.last_notified_at)},
              {"resolvedAt", time_or_null(i.resolved_at)},
              {"groupLabels", i.group_labels},
              {"commonLabels", i.common_labels},
              {"commonAnnotations", i.common_annotations},
              {"externalURL", i.external_url},
              {"notificationCount", i.notification_count},
              {"alertCount", i.alert_count},
              {"firingCount", i.firing_count},
              {"severity", i.severity},
              {"alertnames", i.alertnames},
              {"services", i.services}};
}

json to_json(const Notification& n) {
  return json{{"id", n.id},
              {"receivedAt", alerting::format_time(n.received_at)},
              {"receiver", n.receiver},
              {"status", n.status},
              {"groupKey", n.group_key},
              {"groupLabels", n.group_labels},
              {"commonLabels", n.common_labels},
              {"alertCount", n.alert_count},
              {"truncatedAlerts", n.truncated_alerts},
              {"bodySha256", n.body_sha256},
              {"incidentId", n.incident_id ? json(*n.incident_id) : json(nullptr)}};
}

json to_json(const TimelineEvent& e) {
  json j{{"time", alerting::format_time(e.time)}, {"type", e.type}, {"summary", e.summary}};
  if (e.occurrence_id) j["occurrenceId"] = *e.occurrence_id;
  if (e.notification_id) j["notificationId"] = *e.notification_id;
  return j;
}

json to_json(const IncidentDetail& d) {
  json j = to_json(d.incident);
  j["alerts"] = json::array();
  for (const auto& o : d.occurrences) j["alerts"].push_back(to_json(o));
  j["notifications"] = json::array();
  for (const auto& n : d.notifications) j["notifications"].push_back(to_json(n));
  j["timeline"] = json::array();
  for (const auto& e : d.timeline) j["timeline"].push_back(to_json(e));
  return j;
}

json to_json(const Message& m) {
  return json{{"id", m.id},
              {"receivedAt", alerting::format_time(m.received_at)},
              {"channel", m.channel},
              {"username", m.username},
              {"text", m.text},
              {"iconEmoji", m.icon_emoji},
              {"iconURL", m.icon_url},
              {"attachments", m.attachments},
              {"blocks", m.blocks},
              {"mrkdwn", m.mrkdwn}};
}

json to_json(const Silence& s) {
  return json{{"id", s.id},
              {"state", s.state},
              {"matchers", s.matchers},
              {"createdBy", s.created_by},
              {"comment", s.comment},
              {"startsAt", alerting::format_time(s.starts_at)},
              {"endsAt", alerting::format_time(s.ends_at)},
              {"updatedAt", alerting::format_time(s.updated_at)},
              {"firstSyncedAt", alerting::format_time(s.first_synced_at)},
              {"lastSyncedAt", alerting::format_time(s.last_synced_at)},
              {"occurrenceIds", s.occurrence_ids}};
}

json to_json(const Channel& c) {
  return json{{"name", c.name},
              {"messages", c.messages},
              {"lastMessageAt", alerting::format_time(c.last_message_at)}};
}

}  // namespace mock_slack
