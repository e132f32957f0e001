#pragma once
// The fault model of the portal: what can be broken, how a change is validated, and the
// thread-safe injector the API handlers ask on every request.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace portal {

/// The API route templates, in a fixed order. Fault `routes` may name only these.
inline constexpr std::array<std::string_view, 5> kApiRoutes{"/", "/api/items", "/api/items/{id}",
                                                            "/api/orders", "/api/work"};
/// The index of an API route template in kApiRoutes, or nullopt.
std::optional<std::size_t> api_route_index(std::string_view route);

/// Injected delays are capped so that one request cannot hold an API worker forever; the portal's
/// default --shutdown-timeout (15s) is longer, so a drain always outlives a delayed request.
inline constexpr int kMaxLatencyMs = 10'000;
/// Largest crash_after_ms accepted (one day).
inline constexpr std::int64_t kMaxCrashAfterMs = 86'400'000;

/// What is currently broken. The default value is a healthy portal.
struct FaultState {
  double error_rate = 0.0;    ///< 0..1: fraction of API requests answered with error_code
  int error_code = 500;       ///< 500..599
  int latency_ms = 0;         ///< 0..kMaxLatencyMs: delay added to a latency_rate fraction
  int latency_jitter_ms = 0;  ///< 0..kMaxLatencyMs: the delay varies uniformly by +/- this much
  double latency_rate = 1.0;  ///< 0..1
  /// API route templates the error and latency faults apply to; empty means all API routes.
  std::vector<std::string> routes;
  bool ready = true;    ///< false: /readyz answers 503
  bool healthy = true;  ///< false: /healthz answers 503
  /// When non-zero, the process exits with kCrashExitCode this long after the fault is set, or
  /// after start-up when the fault is loaded from a fault file (the crash-loop drill).
  std::int64_t crash_after_ms = 0;

  bool operator==(const FaultState&) const = default;
  /// True when any API request can be delayed or failed.
  bool injects() const;
};

nlohmann::json to_json(const FaultState& state);

/// A rejected fault change: the field at fault and a message that names it.
struct FieldError {
  std::string field;
  std::string message;
};

/// Applies the fields present in `patch` (a JSON object; any subset of FaultState's fields) to
/// `base`. Returns the new state, or the first error found, in which case nothing is applied.
std::variant<FaultState, FieldError> apply_patch(const FaultState& base,
                                                 const nlohmann::json& patch);

/// Waits out injected delays. An interface so that tests can record delays instead of sleeping.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  /// Blocks the calling thread for `delay`, or less when interrupted. Thread-safe.
  virtual void sleep_for(std::chrono::milliseconds delay) = 0;
  /// Ends every sleep in progress now (used when faults are healed). Thread-safe.
  virtual void interrupt_all() {}
};

/// Sleeps on a condition variable so that healing can cut injected delays short.
class RealSleeper : public Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds delay) override;
  void interrupt_all() override;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t generation_ = 0;
};

/// What to do to one API request: wait `delay`, then answer `error_code` (0: serve normally).
struct FaultDecision {
  std::chrono::milliseconds delay{0};
  int error_code = 0;
};

/// Holds the current faults and decides, per request, whether to inject them. Random choices come
/// from one seeded generator, so a given seed and sequence of requests gives the same decisions.
/// Exposes portal_fault_error_rate, portal_fault_latency_seconds and
/// portal_faults_injected_total{kind="error"|"latency"} on `registry`. Thread-safe.
class FaultInjector {
 public:
  FaultInjector(prometheus::Registry& registry, FaultState initial, std::uint64_t seed);

  FaultState state() const;
  /// Replaces the state and updates the gauges.
  void set_state(FaultState next);

  /// The faults for one request on the API route kApiRoutes[route]. Counts what it injects.
  /// Costs one atomic load when no fault is set.
  FaultDecision decide(std::size_t route);

 private:
  void publish(const FaultState& s);

  mutable std::mutex mutex_;
  FaultState state_;
  std::uint32_t route_mask_ = 0;  // bit i: the faults apply to kApiRoutes[i]
  std::atomic<bool> injects_{false};
  std::mt19937_64 rng_;
  prometheus::Gauge& error_rate_gauge_;
  prometheus::Gauge& latency_gauge_;
  prometheus::Counter& injected_errors_;
  prometheus::Counter& injected_latency_;
};

}  // namespace portal
