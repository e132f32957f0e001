#pragma once
// Time in a batch-sync run: cancellation, an injectable monotonic clock, the deadline, and
// exponential backoff with jitter between retries. Cancellation is thread-safe; the rest is used
// from the run's thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>

#include "batch_sync/kit.hpp"

namespace batch_sync {

using SteadyTime = std::chrono::steady_clock::time_point;

/// Lets the watchdog stop a run that is sleeping between retries or hanging on purpose.
/// Thread-safe.
class Cancellation {
 public:
  void cancel();
  bool cancelled() const;
  /// Waits up to `d`; returns false when cancelled (before or during the wait).
  bool wait_for(std::chrono::milliseconds d);
  /// Waits until cancelled.
  void wait();

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool cancelled_ = false;
};

/// The run's time source: monotonic now() and a sleep the watchdog can interrupt. Injected so that
/// tests drive retries and deadlines without waiting.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime now() = 0;
  /// Sleeps for `d`; returns false when the run was cancelled meanwhile.
  virtual bool sleep_for(std::chrono::milliseconds d) = 0;
};

/// std::chrono::steady_clock, sleeping on a Cancellation.
class SteadyClock final : public Clock {
 public:
  explicit SteadyClock(Cancellation& cancellation) : cancellation_(cancellation) {}
  SteadyTime now() override { return std::chrono::steady_clock::now(); }
  bool sleep_for(std::chrono::milliseconds d) override { return cancellation_.wait_for(d); }

 private:
  Cancellation& cancellation_;
};

/// A point in time after which no new work starts.
class Deadline {
 public:
  explicit Deadline(SteadyTime at) : at_(at) {}
  SteadyTime at() const { return at_; }
  /// Time left at `now`, never negative, in whole milliseconds rounded down.
  std::chrono::milliseconds remaining(SteadyTime now) const;
  bool expired(SteadyTime now) const { return now >= at_; }

 private:
  SteadyTime at_;
};

/// Exponential backoff with jitter between attempts.
struct BackoffPolicy {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{5000};
  double multiplier = 2.0;
  /// The delay is drawn uniformly from [(1 - jitter) * base, base], so runs that failed together
  /// do not retry in step. 0 disables jitter.
  double jitter = 0.5;
};

/// The delay before retry number `retry` (1 for the first retry): initial * multiplier^(retry-1),
/// capped at max, then jittered with `rng`.
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int retry,
                                        std::mt19937_64& rng);

/// The result of one attempt at an outbound call.
struct Attempt {
  enum class Kind { ok, transient, permanent };
  Kind kind = Kind::ok;
  std::string error;  ///< empty when ok; else what went wrong, naming the peer

  static Attempt ok() { return {Kind::ok, {}}; }
  static Attempt transient(std::string e) { return {Kind::transient, std::move(e)}; }
  static Attempt permanent(std::string e) { return {Kind::permanent, std::move(e)}; }
};

/// What a call with retries came to.
struct RetryOutcome {
  bool ok = false;
  int attempts = 0;
  int failed_attempts = 0;  ///< attempts that did not succeed, retried or not
  std::string error;        ///< empty when ok; else the reason the call gave up
};

/// Runs `attempt` until it succeeds, fails permanently, or the next try could not start before
/// `deadline`. Each attempt gets the time it may take: min(per_attempt_timeout, time left).
/// Transient failures are retried after backoff_delay(); permanent ones are not. Every failed
/// attempt is passed to `on_failure` (for logs and the error count) before the decision.
RetryOutcome call_with_retry(
    const std::function<Attempt(std::chrono::milliseconds timeout)>& attempt,
    const BackoffPolicy& policy, const Deadline& deadline,
    std::chrono::milliseconds per_attempt_timeout, Clock& clock, std::mt19937_64& rng,
    const std::function<void(const Attempt&, int attempt_number)>& on_failure = nullptr);

}  // namespace batch_sync
