#pragma once
// The durable history of mock-slack: notifications, alert occurrences, incidents, Alertmanager's
// silences and Slack messages in one SQLite database (WAL). Writes go through one writer thread
// that commits concurrent requests together (group commit); reads use a pool of read-only
// connections and never wait for the writer.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "firedrill/alerting/matcher.hpp"
#include "firedrill/alerting/payload.hpp"
#include "firedrill/alerting/time.hpp"

namespace SQLite {
class Database;
}  // namespace SQLite

namespace mock_slack::db {
class Connection;
}  // namespace mock_slack::db

namespace prometheus {
class Registry;
}

namespace mock_slack {

using firedrill::alerting::TimePoint;

/// The store could not write for a reason that may pass (database locked by another process,
/// disk full, I/O error). Callers answer 503 so that Alertmanager retries.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Durability {
  normal,  ///< synchronous=NORMAL in WAL: survives a crash of the process, not of the machine
  full,    ///< synchronous=FULL: every commit is fsynced; survives power loss
};

/// Whether a store location is a PostgreSQL connection URI (postgres:// or postgresql://) rather
/// than a SQLite file.
bool is_postgres(std::string_view location);
/// A store location fit for logs and errors: a PostgreSQL URI without its password.
std::string printable_location(std::string_view location);

struct StoreOptions {
  /// The SQLite database file (created with its directory's existing permissions), or a
  /// PostgreSQL connection URI (is_postgres()).
  std::string path;
  Durability durability = Durability::normal;
  /// Resolved occurrences and expired silences whose end is older than this are pruned by
  /// apply_retention().
  std::chrono::milliseconds retention = std::chrono::hours(24 * 90);
  std::size_t max_jobs_per_commit = 512;  ///< notifications committed together at most
  std::size_t read_connections = 8;
  /// How long a statement waits for a lock held by another process before failing (503).
  int busy_timeout_ms = 5000;
};

// ---- What is stored -------------------------------------------------------------------------

/// One firing of one alert, identified by (fingerprint, startsAt).
struct Occurrence {
  std::int64_t id = 0;
  std::string fingerprint;
  std::string status;  ///< "firing" or "resolved"
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;  ///< set once resolved
  nlohmann::json labels;             ///< object of strings
  nlohmann::json annotations;        ///< object of strings
  std::string generator_url;
  std::string receiver;  ///< the first receiver that reported it
  /// Times it was delivered by webhook; unset/0 for an occurrence only ever seen by a sync.
  std::optional<TimePoint> first_notified_at;
  std::optional<TimePoint> last_notified_at;
  std::int64_t times_notified = 0;
  std::optional<TimePoint> last_synced_at;
  std::string suppressed_state;  ///< "active", "suppressed" or "unprocessed" (from a sync)
  nlohmann::json silenced_by;    ///< array of silence ids
  nlohmann::json inhibited_by;   ///< array of fingerprints
  std::string source;            ///< "webhook" or "sync": how it was first recorded
  /// How its resolution was learnt (schema migration 7): "webhook" (a resolved notification),
  /// "sync" (Alertmanager listed it with its end passed), "sweep" (a complete batch-sync run no
  /// longer listed it; ends_at is then the last time it was seen active), or empty (firing, or
  /// resolved before migration 7).
  std::string resolved_by;
  std::optional<TimePoint> resolution_recorded_at;  ///< when the store learnt it resolved
};

/// What a timeline chart draws of an occurrence, without its label sets.
struct OccurrenceBar {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;  ///< the newest incident it belongs to; 0 when none
  std::string status;            ///< "firing" or "resolved"
  std::string alertname;
  std::string severity;
  std::string instance;  ///< its instance label, or empty
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;
};

/// Occurrences of one Alertmanager group (groupKey) that overlap in time.
struct Incident {
  std::int64_t id = 0;
  std::string group_key;
  std::string receiver;
  std::string status;             ///< "firing" or "resolved"
  TimePoint started_at{};         ///< earliest startsAt of its occurrences
  TimePoint first_notified_at{};  ///< detection: the first notification received
  TimePoint last_notified_at{};
  std::optional<TimePoint> resolved_at;  ///< latest endsAt, once the group resolved
  nlohmann::json group_labels;
  nlohmann::json common_labels;  ///< as of the last notification
  nlohmann::json common_annotations;
  std::string external_url;
  std::int64_t notification_count = 0;
  // A summary of its occurrences, kept by the writer:
  std::int64_t alert_count = 0;
  std::int64_t firing_count = 0;
  std::string severity;  ///< the highest: critical > page > error > warning > ticket > info
  std::vector<std::string> alertnames;
  std::vector<std::string> services;
};

/// One delivery, as received.
struct Notification {
  std::int64_t id = 0;
  TimePoint received_at{};
  std::string receiver;
  std::string status;
  std::string group_key;
  nlohmann::json group_labels;
  nlohmann::json common_labels;
  std::int64_t alert_count = 0;
  std::int64_t truncated_alerts = 0;
  std::string body_sha256;
  std::optional<std::int64_t> incident_id;
  nlohmann::json common_annotations;  ///< read only by receiver_notifications()
  std::string external_url;           ///< read only by receiver_notifications()
};

/// A webhook notification with the alerts of its incident that had started when it arrived, in
/// their state at that time (an occurrence that ended later reads as firing, without an end).
struct DeliveredNotification {
  Notification notification;
  std::vector<Occurrence> alerts;  ///< by startsAt; only the fields a message shows are read
};

/// How many incidents and occurrences overlap a time range under a filter (every page of it).
struct AlertCounts {
  std::int64_t incidents = 0;
  std::int64_t incidents_firing = 0;
  std::int64_t occurrences = 0;
  std::int64_t occurrences_firing = 0;
};

/// One entry of an incident's timeline, oldest first (incident_timeline(), timeline.cpp).
struct TimelineEvent {
  TimePoint time{};
  std::string type;  ///< "firing", "resolved" (an occurrence) or "notification"
  std::optional<std::int64_t> occurrence_id;
  std::optional<std::int64_t> notification_id;
  std::string summary;  ///< "PortalHighErrorRate firing", "notification firing to team-portal"
};

struct IncidentDetail {
  Incident incident;
  std::vector<Occurrence> occurrences;      ///< by startsAt
  std::vector<Notification> notifications;  ///< by received time
};

/// A Slack incoming-webhook message.
struct Message {
  std::int64_t id = 0;
  TimePoint received_at{};
  std::string channel;
  std::string username;
  std::string text;
  std::string icon_emoji;
  std::string icon_url;
  nlohmann::json attachments;  ///< array, as sent
  nlohmann::json blocks;       ///< array, as sent
  bool mrkdwn = true;          ///< Slack's `mrkdwn`: false when the text is not to be formatted
};

/// A silence as last read from Alertmanager by a sync.
struct Silence {
  std::string id;           ///< Alertmanager's
  std::string state;        ///< "active", "pending" or "expired"
  nlohmann::json matchers;  ///< API v2 array: [{"name", "value", "isRegex", "isEqual"}]
  std::string created_by;
  std::string comment;
  TimePoint starts_at{};
  TimePoint ends_at{};
  TimePoint updated_at{};  ///< Alertmanager's: a sync with a newer one replaces the silence
  TimePoint first_synced_at{};
  TimePoint last_synced_at{};
  /// Stored occurrences whose silenced_by names this silence (as of their last sync), by id.
  std::vector<std::int64_t> occurrence_ids;
};

struct Channel {
  std::string name;
  std::int64_t messages = 0;
  TimePoint last_message_at{};
};

// ---- Queries ----------------------------------------------------------------------------------

/// Keyset position: the last row of the previous page. Opaque text in the API.
struct Cursor {
  std::int64_t time_ns = 0;
  std::int64_t id = 0;
  std::string to_string() const;
  /// nullopt for text that is not a cursor.
  static std::optional<Cursor> parse(std::string_view text);
};

/// Filters shared by occurrences and incidents. Empty fields do not filter. A time range selects
/// what overlaps it: started before `until` and not resolved before `since`.
struct AlertFilter {
  std::string status;  ///< "firing" or "resolved"
  std::string alertname;
  std::string severity;
  std::string receiver;
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
  std::vector<firedrill::alerting::Matcher> matchers;
  std::size_t limit = 100;
  std::optional<Cursor> cursor;
};

template <typename T>
struct Page {
  std::vector<T> items;        ///< newest first
  std::optional<Cursor> next;  ///< set when there may be more
};

struct MessageFilter {
  std::string channel;  ///< empty: every channel
  std::size_t limit = 100;
  std::optional<Cursor> cursor;
};

struct SilenceFilter {
  std::string state;  ///< "active", "pending" or "expired"; empty: every state
  std::size_t limit = 100;
  std::optional<Cursor> cursor;
};

// ---- Results of writes --------------------------------------------------------------------------

struct IngestResult {
  std::int64_t notification_id = 0;
  std::int64_t incident_id = 0;
  std::int64_t new_occurrences = 0;
  std::int64_t updated_occurrences = 0;    ///< state changed (resolved, annotations, silence)
  std::int64_t duplicate_occurrences = 0;  ///< redelivered unchanged
};

struct SilenceSyncResult {
  std::int64_t received = 0;
  std::int64_t new_silences = 0;
  std::int64_t updated_silences = 0;    ///< newer updatedAt, or a new state
  std::int64_t unchanged_silences = 0;  ///< same updatedAt and state, or an older updatedAt
};

struct SyncResult {
  std::int64_t received = 0;  ///< alerts
  std::int64_t new_occurrences = 0;
  std::int64_t updated_occurrences = 0;
  std::int64_t unchanged_occurrences = 0;
  /// New occurrences that joined an existing incident of their group, and incidents opened for
  /// new occurrences whose group had none (sync_join.cpp).
  std::int64_t joined_incidents = 0;
  std::int64_t opened_incidents = 0;
  /// Incidents resolved because the sync resolved their last firing occurrence.
  std::int64_t resolved_incidents = 0;
  SilenceSyncResult silences;
};

/// What a sweep did (Store::sweep).
struct SweepResult {
  std::int64_t resolved_occurrences = 0;
  std::int64_t resolved_incidents = 0;  ///< whose last firing occurrence the sweep resolved
};

struct RetentionResult {
  /// False when another replica on the same PostgreSQL database was applying retention: this
  /// one left it to that one, and pruned nothing.
  bool ran = true;
  std::int64_t occurrences = 0;
  std::int64_t incidents = 0;
  std::int64_t notifications = 0;
  std::int64_t messages = 0;
  std::int64_t silences = 0;
};

/// The store. Thread-safe: writes from any thread are queued to the writer thread and return
/// once committed; reads run concurrently on read-only connections.
class Store {
 public:
  using Clock = firedrill::alerting::Clock;

  /// Opens (creating and migrating) the database. Throws std::runtime_error naming the path on
  /// failure, or when the database was written by a newer version of mock-slack. `registry`, when
  /// given, receives the mockslack_* store metrics.
  explicit Store(StoreOptions options, Clock clock = firedrill::alerting::system_now,
                 prometheus::Registry* registry = nullptr);
  ~Store();  ///< commits what is queued, then closes
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Records a webhook notification and its alerts in one atomic unit. Throws StoreUnavailable.
  IngestResult ingest(const firedrill::alerting::WebhookNotification& notification,
                      const std::string& body_sha256);
  /// Records alerts and silences read from Alertmanager's API, idempotently, in one atomic unit.
  /// A silence is replaced when its updatedAt is newer than the stored one's, or equal with another
  /// state (a silence expires without being updated); otherwise only its last sync time moves.
  /// Throws StoreUnavailable.
  SyncResult sync(const std::vector<firedrill::alerting::GettableAlert>& alerts,
                  const std::vector<firedrill::alerting::GettableSilence>& silences = {});
  /// The end of a complete batch-sync run (sweep.cpp): resolves every firing occurrence that the
  /// run did not list (never synced, or last synced before `listed_at`) and that had no
  /// notification and no sync within `grace` before now. Its end is estimated as the last time it
  /// was seen active (its start, last notification or last sync, the latest of them); resolved_by
  /// is "sweep". An incident whose last firing occurrence it resolves is resolved. A notification
  /// that arrives between the listing and the sweep is a sighting within the grace, so the
  /// occurrence stays firing. Occurrences of `own_receivers` (what mock-slack records of itself,
  /// the watchdog's incident) are not Alertmanager's to list and are left alone. One atomic unit.
  /// Throws StoreUnavailable.
  SweepResult sweep(TimePoint listed_at, std::chrono::nanoseconds grace,
                    const std::vector<std::string>& own_receivers = {});
  /// Stores a Slack message; returns its id. Throws StoreUnavailable.
  std::int64_t add_message(const Message& message);
  /// Prunes what is older than the retention now. On PostgreSQL one replica at a time: while
  /// another holds the retention lock, returns at once with `ran` false. Throws StoreUnavailable.
  RetentionResult apply_retention();
  /// What repair_summaries() found.
  struct SummaryRepair {
    std::int64_t incidents = 0;  ///< checked
    std::int64_t corrected = 0;  ///< whose stored summary differed from the recompute
  };
  /// Recomputes every incident's summary (counts, highest severity, alert names, services) from
  /// its occurrences, in one transaction. The writer keeps the summaries incrementally; this is
  /// the repair (`mock-slack repair-summaries`). Throws StoreUnavailable.
  SummaryRepair repair_summaries();
  /// The write probe behind /readyz: rewrites one row through the writer and commits it. Returns
  /// an empty string when the store can write, else the error (disk full, I/O, lock). Never throws.
  std::string probe_write();
  /// Writes waiting for the writer thread, and writes it has taken into a transaction so far;
  /// the occurrences new or changed in committed writes so far (the search indexer's cue).
  struct WriteQueue {
    std::size_t queued = 0;
    std::uint64_t taken = 0;
    std::uint64_t occurrences_written = 0;
  };
  WriteQueue write_queue() const;

  Page<Occurrence> alerts(const AlertFilter& filter) const;
  /// The same occurrences as alerts(), reduced to what a chart needs: cheaper to read.
  Page<OccurrenceBar> alert_bars(const AlertFilter& filter) const;
  Page<Incident> incidents(const AlertFilter& filter) const;
  std::optional<IncidentDetail> incident(std::int64_t id) const;
  /// Occurrences by (fingerprint, startsAt), or nullopt.
  std::optional<Occurrence> occurrence(const std::string& fingerprint, TimePoint starts_at) const;
  Page<Message> messages(const MessageFilter& filter) const;
  /// Silences, latest start first, each with the occurrences it silences.
  Page<Silence> silences(const SilenceFilter& filter) const;
  std::vector<Channel> channels() const;
  /// Incidents and occurrences overlapping [since, until] under the filter's status, alertname,
  /// severity and matchers (the filter's limit and cursor do not apply).
  AlertCounts counts(const AlertFilter& filter) const;
  /// The latest `limit` webhook notifications to `receiver`, newest first, each with the first
  /// `max_alerts` alerts of its incident that had started by then.
  std::vector<DeliveredNotification> receiver_notifications(const std::string& receiver,
                                                            std::size_t limit,
                                                            std::size_t max_alerts = 20) const;
  /// The stored silences among `ids` (Alertmanager's), by start; without their occurrence_ids.
  std::vector<Silence> silences_by_id(const std::vector<std::string>& ids) const;
  /// Every receiver that got a webhook notification: name, count and latest time, by name.
  std::vector<Channel> receiver_channels() const;

  /// The database's size in bytes (pages in use times page size).
  std::int64_t size_bytes() const;
  /// The schema version (PRAGMA user_version) the database is at.
  int schema_version() const;
  const StoreOptions& options() const { return options_; }
  TimePoint now() const { return clock_(); }

  // Hooks for modules that own their tables (incident_events.cpp), so that their SQL lives in
  // their own files. Both rethrow what `f` throws; transient database errors become
  // StoreUnavailable.
  /// Runs `f` on the writer thread's connection, inside its transaction, and waits for the commit.
  void write_with(const std::function<void(SQLite::Database&)>& f);
  /// Runs `f` on a read-only connection.
  void read_with(const std::function<void(SQLite::Database&)>& f) const;
  /// The same two hooks on the store's statement layer (store/db/db.hpp), on either back end.
  void write_db(const std::function<void(db::Connection&)>& f);
  void read_db(const std::function<void(db::Connection&)>& f) const;

  class Impl;

 private:
  StoreOptions options_;
  Clock clock_;
  std::unique_ptr<Impl> impl_;
};

/// The schema version this build migrates to.
inline constexpr int kSchemaVersion = 11;

}  // namespace mock_slack
