#pragma once
// The reconciliation itself: read Alertmanager's alerts and silences, push them to mock-slack's
// /api/v1/sync in batches, then ask for retention, with retries on transient errors. Not
// thread-safe: one Reconciler per run; its counters and stage (RunStage is thread-safe) are read
// by the watchdog when the deadline cuts the run.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "batch_sync/fault.hpp"
#include "batch_sync/http_peer.hpp"
#include "batch_sync/kit.hpp"
#include "batch_sync/retry.hpp"
#include "batch_sync/settings.hpp"

namespace batch_sync {

/// Alertmanager's alerts query: everything it holds, silenced, inhibited and unprocessed included,
/// since those are exactly what the webhook never delivers.
inline constexpr const char* kAlertsPath =
    "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true";
/// Alertmanager's silences: all of them, expired ones included (Alertmanager keeps those for its
/// --data.retention), so mock-slack learns how each ended.
inline constexpr const char* kSilencesPath = "/api/v2/silences";
/// Alertmanager's status: its `uptime` is when it started. A restarted Alertmanager lists only the
/// alerts Prometheus has sent it since (Prometheus resends firing alerts every resend delay, 1m).
inline constexpr const char* kStatusPath = "/api/v2/status";
inline constexpr const char* kSyncPath = "/api/v1/sync";
inline constexpr const char* kRetentionPath = "/api/v1/retention";
inline constexpr const char* kSweepPath = "/api/v1/sync/sweep";

/// The body of POST /api/v1/sync/sweep: {"source": "alertmanager", "listedAt": RFC 3339 (when the
/// run read Alertmanager's alerts), "graceSeconds": N}.
std::string sweep_request_body(std::chrono::system_clock::time_point listed_at,
                               std::chrono::milliseconds grace);
/// mock-slack's answer to a sweep: {"resolved": N, ...}. Sets `error` when N is missing or not a
/// non-negative integer.
std::optional<std::uint64_t> parse_sweep_response(const std::string& body, std::string& error);

/// When Alertmanager started, from the body of GET /api/v2/status ({"uptime": RFC 3339, ...}).
/// Sets `error` when the field is missing or not a time.
std::optional<std::chrono::system_clock::time_point> parse_started_at(const std::string& body,
                                                                      std::string& error);

/// The wall clock the run stamps its listing with, injected for tests.
using WallClock = std::function<std::chrono::system_clock::time_point()>;

/// Alertmanager's alerts or silences, checked with the shared API v2 model (the rules mock-slack
/// applies).
struct RecordsRead {
  /// The valid records, sorted by their key (alerts by fingerprint, silences by id: so batches are
  /// the same from run to run) and otherwise exactly as Alertmanager returned them.
  nlohmann::json records = nlohmann::json::array();
  /// One line per record left out, naming its index and field: a malformed record is skipped (and
  /// counted as an error) rather than making mock-slack reject its whole batch on every run.
  std::vector<std::string> rejected;
};

/// Parses the body of GET /api/v2/alerts. Returns nullopt and sets `error` when the body is not a
/// JSON array.
std::optional<RecordsRead> parse_alerts(const std::string& body, std::string& error);
/// Parses the body of GET /api/v2/silences, likewise.
std::optional<RecordsRead> parse_silences(const std::string& body, std::string& error);

/// Splits `records` (a JSON array) into arrays of at most `batch_size`, keeping the order.
std::vector<nlohmann::json> split_batches(const nlohmann::json& records, std::size_t batch_size);

/// What one sync request carries: its field in the body and in mock-slack's answer.
enum class RecordKind { alerts, silences };
std::string_view to_string(RecordKind kind);

/// The body of POST /api/v1/sync for one batch: {"source": "alertmanager", "alerts": [...]}, or
/// "silences" in place of "alerts".
std::string sync_request_body(RecordKind kind, const nlohmann::json& batch);

/// mock-slack's answer to one sync request.
struct SyncCounts {
  std::uint64_t received = 0;
  std::uint64_t new_records = 0;
  std::uint64_t updated = 0;
};
/// Parses the counts of `kind` from mock-slack's answer: the alerts' at the top level
/// ({"received":N,"new":M,"updated":K}), the silences' in an object of that shape under
/// "silences". Sets `error` when a count is missing or not a non-negative integer.
std::optional<SyncCounts> parse_sync_response(const std::string& body, RecordKind kind,
                                              std::string& error);

/// Counters of one run. Written by the run's thread, read by the watchdog when it cuts the run.
struct RunCounters {
  std::atomic<std::uint64_t> alerts_read{0};
  std::atomic<std::uint64_t> silences_read{0};
  /// Alerts and silences acknowledged by mock-slack ("received"); likewise new and updated.
  std::atomic<std::uint64_t> records_processed{0};
  std::atomic<std::uint64_t> records_new{0};
  std::atomic<std::uint64_t> records_updated{0};
  std::atomic<std::uint64_t> records_pruned{0};
  /// Firing occurrences mock-slack resolved because this run no longer listed them (the sweep).
  std::atomic<std::uint64_t> records_resolved{0};
  /// The run was complete but did not sweep: alerts were left out, or Alertmanager had started
  /// less than --resolve-grace before the listing.
  std::atomic<bool> sweep_skipped{false};
  std::atomic<std::uint64_t> errors{0};  ///< failed attempts, retried ones included
};

/// What the run is doing, for the log line when the deadline cuts it. Thread-safe.
class RunStage {
 public:
  void set(std::string stage);
  std::string get() const;

 private:
  mutable std::mutex mutex_;
  std::string stage_ = "starting";
};

/// One reconciliation: read alerts (and silences, when asked), sync them in batches, sweep what
/// Alertmanager no longer lists (only once every batch succeeded and no alert was left out),
/// apply retention. Not thread-safe; the counters and stage may be read from another thread
/// meanwhile.
class Reconciler {
 public:
  Reconciler(const Settings& settings, FaultPlan fault, Clock& clock, Cancellation& cancellation,
             std::mt19937_64& rng, RunCounters& counters, RunStage& stage,
             WallClock wall_clock = std::chrono::system_clock::now);

  /// Runs to completion, or to the first call that fails for good. Returns "" on success, else
  /// the reason. With a crash fault this does not return.
  std::string run(const Deadline& deadline);

 private:
  /// One call with retries; stores the response body in `body`. Returns "" or the error.
  std::string call(const HttpPeer& peer, const char* method, const std::string& path,
                   const std::string* request_body, const Deadline& deadline, std::string& body);
  /// Reads Alertmanager's alerts or silences into `records`, counting how many came and each one
  /// left out (as an error). Returns "" or the error.
  std::string read_records(RecordKind kind, const Deadline& deadline, RecordsRead& records);
  /// The drill failure, injected after the first batch was synced (partway through the run).
  std::string inject_fault();
  /// Asks mock-slack to resolve what the run did not list (listed at `listed_at`).
  std::string sweep(std::chrono::system_clock::time_point listed_at, const Deadline& deadline);

  const Settings& settings_;
  FaultPlan fault_;
  Clock& clock_;
  Cancellation& cancellation_;
  std::mt19937_64& rng_;
  RunCounters& counters_;
  RunStage& stage_;
  WallClock wall_clock_;
  HttpPeer alertmanager_;
  HttpPeer mock_slack_;
};

}  // namespace batch_sync
