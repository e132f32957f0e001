#pragma once
// The run's report to the Pushgateway: its gauges and the push (POST, so that a failed run keeps
// the last success's timestamp). Thread-safe.

#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "batch_sync/kit.hpp"
#include "batch_sync/retry.hpp"
#include "batch_sync/settings.hpp"

namespace batch_sync {

/// The Pushgateway grouping key is job="batch-sync" and nothing else: no per-pod instance label,
/// so each run replaces the previous run's series instead of adding a group per pod.
inline constexpr const char* kPushJob = "batch-sync";

/// What one run reports.
struct RunReport {
  bool success = false;
  double finished_unix_seconds = 0;  ///< when the run ended (wall clock)
  double duration_seconds = 0;
  std::uint64_t records_processed = 0;
  std::uint64_t records_new = 0;
  std::uint64_t records_resolved =
      0;  ///< resolved by the sweep: Alertmanager no longer listed them
  std::uint64_t errors = 0;
};

/// The gauges of one report. batch_sync_last_success_timestamp_seconds is only present when the
/// run succeeded: pushed with POST (see push_report), a failed run then leaves the previous
/// success's timestamp in place.
std::shared_ptr<prometheus::Registry> report_registry(const RunReport& report);

/// How the push went.
struct PushOutcome {
  bool ok = false;
  bool abandoned = false;  ///< the client was still blocked when push_timeout ran out
  std::string error;
};

/// Pushes the report with prometheus-cpp's Gateway::Push(), which in prometheus-cpp 1.0 sends POST:
/// the Pushgateway replaces only the metrics of the same name in the group. (PushAdd() sends PUT,
/// which replaces the whole group and would erase the last success timestamp on every failure.)
/// Transient failures (connection errors, 5xx) are retried within `timeout`. The Gateway has no
/// timeout of its own, so each push runs on a helper thread; if it is still blocked when `timeout`
/// runs out, it is abandoned (detached) and the outcome says so.
PushOutcome push_report(const RunReport& report, const PeerUrl& pushgateway,
                        std::chrono::milliseconds timeout, const BackoffPolicy& backoff,
                        std::uint64_t seed);

}  // namespace batch_sync
