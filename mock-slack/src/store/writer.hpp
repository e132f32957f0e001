#pragma once
// The only connection that writes, owned by the writer thread (group_commit.hpp), with its
// statements prepared once. Its methods run inside a transaction the caller opened; each reads its
// inputs and assigns its results, so that a job can be replayed after a rollback.
// writer.cpp: the connection and its statements; ingest.cpp: webhook notifications; sync.cpp:
// alerts and silences from Alertmanager's API; sync_join.cpp: a synced occurrence joins its
// group's incident; sweep.cpp: what a complete sync no longer lists; retention.cpp: pruning.
// Internal to the store.

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/db.hpp"
#include "firedrill/alerting/payload.hpp"
#include "mock_slack/store.hpp"
#include "pg/connection.hpp"

namespace mock_slack::writer {

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
  const firedrill::alerting::WebhookNotification& n;
  std::vector<EncodedAlert> alerts;
  std::string group_labels, common_labels, common_annotations;

  explicit EncodedNotification(const firedrill::alerting::WebhookNotification& notification);
};

/// An occurrence as first recorded, by a webhook notification or by a sync. References what the
/// caller holds for the duration of the insert.
struct NewOccurrence {
  const std::string& fingerprint;
  std::int64_t starts_at = 0;
  std::optional<std::int64_t> ends_at;  ///< set when it arrived resolved
  const std::string& alertname;
  const std::string& severity;
  const std::string& service;
  const std::string& labels;       ///< JSON object
  const std::string& annotations;  ///< JSON object
  const std::string& generator_url;
  const std::string& receiver;
  std::optional<std::int64_t> notified_at;  ///< first and last notification; unset from a sync
  std::optional<std::int64_t> synced_at;
  const std::string& suppressed_state;
  const std::string& silenced_by;   ///< JSON array
  const std::string& inhibited_by;  ///< JSON array
  const char* source;               ///< "webhook" or "sync"
};

/// What a notification adds to an incident's summary: the occurrences it newly links.
struct SummaryDelta {
  std::int64_t alerts = 0;
  std::int64_t firing = 0;
  std::optional<std::string> severity;  ///< the highest of the linked ones
  std::set<std::string> alertnames, services;
  /// Counts one newly linked occurrence in its current state.
  void add(bool firing_now, const std::string& severity, const std::string& alertname,
           const std::string& service);
};

/// Severity order of the summary (schema migration 2): critical > page > error > warning >
/// ticket > info > any other value > none; between equals the alphabetically first wins.
bool outranks(const std::string& a, const std::string& b);

/// An occurrence as the writer finds it by (fingerprint, startsAt) before changing it.
struct StoredOccurrence {
  std::int64_t id = 0;
  std::string status;                     ///< "firing" or "resolved"
  std::string annotations;                ///< JSON object
  std::string state;                      ///< Alertmanager's: "active", "suppressed", "unprocessed"
  std::string silenced_by, inhibited_by;  ///< JSON arrays
  std::string alertname, severity, service;
};

class Writer {
 public:
  /// Opens (creating) and migrates the database: the SQLite file at options.path, or the
  /// PostgreSQL database of the URI there. Throws db::Error, SQLite::Exception, pg::Error or
  /// std::runtime_error.
  explicit Writer(const StoreOptions& options);

  /// The statement layer on the writer's connection.
  db::Connection& db() { return *db_; }
  /// The SQLite database, for the modules that own their tables (incident_events.cpp,
  /// search.cpp) and are not yet written against db::; nullptr on PostgreSQL.
  SQLite::Database* sqlite() { return sqlite_ ? &*sqlite_ : nullptr; }
  /// Opens the transaction of a batch of jobs. SQLite: BEGIN IMMEDIATE (the one writer).
  /// PostgreSQL: BEGIN, then the store's write lock, held by the server until the commit, so
  /// that the writers of every replica on the database commit one at a time, as SQLite's one
  /// writer does: the same reads before the same writes, whichever replica got the notification.
  void begin();
  std::int64_t size_bytes();

  // ingest.cpp
  IngestResult ingest(const EncodedNotification& e, const std::string& sha, std::int64_t now,
                      JobCounts& counts);
  // sync.cpp
  SyncResult sync(const std::vector<firedrill::alerting::GettableAlert>& alerts,
                  const std::vector<firedrill::alerting::GettableSilence>& silences,
                  std::int64_t now, JobCounts& counts);
  /// Upserts silences by id: a newer updatedAt, or the same one with another state (a silence
  /// expires without being updated), replaces the stored silence. An older updatedAt is a stale
  /// read (another Alertmanager replica, before gossip caught up) and changes nothing.
  SilenceSyncResult sync_silences(const std::vector<firedrill::alerting::GettableSilence>& silences,
                                  std::int64_t now);
  // sweep.cpp
  /// Store::sweep, with times in Unix nanoseconds and the receivers left alone as a JSON array.
  SweepResult sweep(std::int64_t listed_at, std::int64_t grace, const std::string& own_receivers,
                    std::int64_t now);
  // summary.cpp
  /// Recomputes every incident's summary from its occurrences (the repair of the incremental
  /// summary); returns how many incidents and how many of them it corrected.
  Store::SummaryRepair repair_summaries();
  // writer.cpp
  std::int64_t add_message(const Message& m, std::int64_t now);
  // retention.cpp
  /// Deletes up to `chunk` resolved occurrences that ended before `cutoff`; returns how many.
  std::int64_t prune_occurrences(std::int64_t cutoff, int chunk);
  void prune_rest(std::int64_t cutoff, RetentionResult& r);
  /// PostgreSQL: takes the retention lock (a session advisory lock, so that one replica at a
  /// time prunes) unless another session holds it; returns whether this one holds it now. SQLite:
  /// true (one writer).
  bool try_retention_lock();
  void release_retention_lock();

 private:
  void prepare();
  /// The stored occurrence (fingerprint, starts_at in ns), or nullopt.
  std::optional<StoredOccurrence> find_occurrence(const std::string& fingerprint,
                                                  std::int64_t starts_at);
  /// Inserts the occurrence; returns its id.
  std::int64_t insert_occurrence(const NewOccurrence& o);
  void touch_synced(std::int64_t id, std::int64_t now);
  /// Resolves the incidents of `occurrence` in which nothing fires any more (the webhook's rule
  /// for a notification without a firing alert); returns how many.
  std::int64_t resolve_quiet_incidents_of(std::int64_t occurrence, std::int64_t now);
  // sync_join.cpp
  /// What joining did to incidents: joined an existing one, opened one, or neither.
  enum class Joined { none, joined, opened };
  /// Links an occurrence a sync inserted (the webhook never delivered it) to its group's
  /// incident, by the webhook's grouping: the incident of a receiver among the alert's, whose
  /// group labels all equal the alert's labels; the open one first, else the one whose time span
  /// covers its start; else, for an active (not suppressed) alert, opens one with the group
  /// labels and group key of that receiver's latest incident. Receivers that never notified
  /// mock-slack are not grouped.
  Joined join_group(const firedrill::alerting::GettableAlert& a, std::int64_t occurrence,
                    bool firing, std::int64_t now);
  void prepare_join();
  // sweep.cpp
  void prepare_sweep();
  // summary.cpp
  void prepare_summary();
  /// Adds what a notification newly linked to the incident's summary columns.
  void add_to_summary(std::int64_t incident, const SummaryDelta& d);
  /// An occurrence went from firing to resolved: one firing fewer in each of its incidents.
  void count_resolved(std::int64_t occurrence);

  std::optional<SQLite::Database> sqlite_;
  std::unique_ptr<pg::Connection> pg_;
  std::unique_ptr<db::Connection> db_;
  std::int64_t page_size_ = 4096;
  std::unique_ptr<db::Statement> find_occurrence_, insert_occurrence_, update_notified_,
      update_synced_, find_open_incident_, find_incident_of_, insert_incident_, update_incident_,
      resolve_incident_, resolve_quiet_incident_, link_, link_all_, summarize_incident_,
      read_summary_, write_summary_, count_resolved_, insert_notification_, insert_message_,
      page_count_, touch_synced_, find_silence_, insert_silence_, update_silence_, touch_silence_,
      resolve_quiet_of_, open_incidents_of_, covering_incidents_of_, latest_incident_of_,
      reopen_incident_, extend_incident_, find_sweepable_, resolve_swept_;
};

}  // namespace mock_slack::writer
