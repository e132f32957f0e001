#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "batch_sync/fault.hpp"
#include "batch_sync/http_peer.hpp"
#include "batch_sync/retry.hpp"
#include "batch_sync/settings.hpp"

namespace firedrill::batch_sync {

/// Alertmanager's alerts query: everything it holds, silenced, inhibited and unprocessed included,
/// since those are exactly what the webhook never delivers.
inline constexpr const char* kAlertsPath =
    "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true";
inline constexpr const char* kSyncPath = "/api/v1/sync";
inline constexpr const char* kRetentionPath = "/api/v1/retention";

/// Alertmanager's alerts, checked with the shared API v2 model (the rules mock-slack applies).
struct AlertsRead {
  /// The valid alerts, sorted by fingerprint (so batches are the same from run to run) and
  /// otherwise exactly as Alertmanager returned them.
  nlohmann::json alerts = nlohmann::json::array();
  /// One line per alert left out, naming its index and field: a malformed alert is skipped (and
  /// counted as an error) rather than making mock-slack reject its whole batch on every run.
  std::vector<std::string> rejected;
};

/// Parses the body of GET /api/v2/alerts. Returns nullopt and sets `error` when the body is not a
/// JSON array.
std::optional<AlertsRead> parse_alerts(const std::string& body, std::string& error);

/// Splits `alerts` (a JSON array) into arrays of at most `batch_size`, keeping the order.
std::vector<nlohmann::json> split_batches(const nlohmann::json& alerts, std::size_t batch_size);

/// The body of POST /api/v1/sync for one batch.
std::string sync_request_body(const nlohmann::json& batch);

/// mock-slack's answer to one sync request.
struct SyncCounts {
  std::uint64_t received = 0;
  std::uint64_t new_records = 0;
  std::uint64_t updated = 0;
};
/// Parses {"received":N,"new":M,"updated":K}; sets `error` when a count is missing or not a
/// non-negative integer.
std::optional<SyncCounts> parse_sync_response(const std::string& body, std::string& error);

/// Counters of one run. Written by the run's thread, read by the watchdog when it cuts the run.
struct RunCounters {
  std::atomic<std::uint64_t> alerts_read{0};
  std::atomic<std::uint64_t> records_processed{0};  ///< acknowledged by mock-slack ("received")
  std::atomic<std::uint64_t> records_new{0};
  std::atomic<std::uint64_t> records_updated{0};
  std::atomic<std::uint64_t> records_pruned{0};
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

/// One reconciliation: read alerts, sync them in batches, apply retention. Not thread-safe; the
/// counters and stage may be read from another thread meanwhile.
class Reconciler {
 public:
  Reconciler(const Settings& settings, FaultPlan fault, Clock& clock, Cancellation& cancellation,
             std::mt19937_64& rng, RunCounters& counters, RunStage& stage);

  /// Runs to completion, or to the first call that fails for good. Returns "" on success, else
  /// the reason. With a crash fault this does not return.
  std::string run(const Deadline& deadline);

 private:
  /// One call with retries; stores the response body in `body`. Returns "" or the error.
  std::string call(const HttpPeer& peer, const char* method, const std::string& path,
                   const std::string* request_body, const Deadline& deadline, std::string& body);
  /// The drill failure, injected after the first batch was synced (partway through the run).
  std::string inject_fault();

  const Settings& settings_;
  FaultPlan fault_;
  Clock& clock_;
  Cancellation& cancellation_;
  std::mt19937_64& rng_;
  RunCounters& counters_;
  RunStage& stage_;
  HttpPeer alertmanager_;
  HttpPeer mock_slack_;
};

}  // namespace firedrill::batch_sync
