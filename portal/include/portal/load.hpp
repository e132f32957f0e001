#pragma once
// portal-load: steady open-loop traffic over a mix of the portal's API routes.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace portal::load {

/// "http://host:port" (the port defaults to 80).
struct Target {
  std::string host;
  int port = 80;
};
std::optional<Target> parse_target(std::string_view url);

struct LoadOptions {
  Target target{"127.0.0.1", 8080};
  double rps = 20;                        ///< requests started per second, on schedule
  std::chrono::milliseconds duration{0};  ///< 0: until stop()
  std::uint64_t max_requests = 0;         ///< 0: no limit
  std::uint64_t seed = 1;
  /// Most requests outstanding at once; a request due while this many are outstanding is
  /// dropped (and counted) rather than delayed, so slow answers never slow the schedule.
  std::size_t concurrency = 32;
  std::chrono::milliseconds timeout{5000};  ///< per request (connect, read and write)
};

/// One request of the mix.
struct PlannedRequest {
  std::string method;
  std::string path;
  std::string body;   ///< JSON for POST, else empty
  std::string route;  ///< the portal's route template, for reports
};

/// The traffic mix, drawn from a seeded generator: 10% GET /, 40% GET /api/items, 30%
/// GET /api/items/{id} (5% of them unknown ids: 404), 15% POST /api/orders (5% of them invalid:
/// 400), 5% GET /api/work?ms=5. The same seed gives the same sequence.
class RequestMix {
 public:
  explicit RequestMix(std::uint64_t seed) : rng_(seed) {}
  PlannedRequest next();

 private:
  std::mt19937_64 rng_;
};

/// Latencies with 0.1 ms resolution below 100 ms and 1 ms up to 10 s: bounded memory whatever
/// the run length. Thread-safe.
class LatencyHistogram {
 public:
  LatencyHistogram();
  void record(std::chrono::nanoseconds latency);
  /// The latency under which `quantile` (0..1) of the recorded requests fall, in ms; 0 if empty.
  double quantile_ms(double quantile) const;
  double max_ms() const;

 private:
  std::vector<std::atomic<std::uint64_t>> buckets_;
  std::atomic<std::int64_t> max_ns_{0};
};

struct LoadSummary {
  std::uint64_t scheduled = 0;         ///< requests that fell due
  std::uint64_t sent = 0;              ///< requests started
  std::uint64_t dropped = 0;           ///< due while `concurrency` were outstanding
  std::uint64_t transport_errors = 0;  ///< no HTTP answer (refused, reset, timeout)
  std::map<int, std::uint64_t> codes;  ///< HTTP answers by status code
  double elapsed_seconds = 0;
  double target_rps = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  ///< from the scheduled time to the answer

  std::uint64_t answered() const;
  /// Requests sent per second of the schedule.
  double achieved_rps() const;
  nlohmann::json to_json() const;
  /// Human-readable lines: rate, drops, status counts, latency.
  std::string to_text() const;
};

/// Runs the schedule: a scheduler thread starts a request every 1/rps seconds and hands it to a
/// pool of `concurrency` workers, each with its own keep-alive connection. Latency is measured
/// from the scheduled time, so a stalled server shows up as latency, not as a lower send rate.
class LoadGenerator {
 public:
  explicit LoadGenerator(LoadOptions options);
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  /// Blocks until the duration or request count is reached or stop() is called, then waits for
  /// outstanding requests (each bounded by the timeout) and returns the summary. Call once.
  LoadSummary run();
  /// Ends the schedule. Thread-safe; may be called before or during run().
  void stop();

  /// Counters so far (codes and latency are left empty). Thread-safe.
  LoadSummary progress() const;

 private:
  struct Job {
    PlannedRequest request;
    std::chrono::steady_clock::time_point due;
  };
  void worker();
  void record_answer(int status);

  LoadOptions options_;
  RequestMix mix_;
  LatencyHistogram latency_;

  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;  // the scheduler waits on it between requests
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;  // stop() was called
  bool draining_ = false;  // the schedule is over: workers exit once the queue is empty
  std::size_t outstanding_ = 0;

  std::atomic<std::uint64_t> scheduled_{0}, sent_{0}, dropped_{0}, transport_errors_{0};
  std::mutex codes_mutex_;
  std::map<int, std::uint64_t> codes_;
};

}  // namespace portal::load
