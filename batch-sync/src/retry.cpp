#include "batch_sync/retry.hpp"

#include <algorithm>
#include <cmath>

namespace batch_sync {

void Cancellation::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  cv_.notify_all();
}

bool Cancellation::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

bool Cancellation::wait_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, d, [this] { return cancelled_; });
}

void Cancellation::wait() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return cancelled_; });
}

std::chrono::milliseconds Deadline::remaining(SteadyTime now) const {
  if (now >= at_) return std::chrono::milliseconds{0};
  return std::chrono::duration_cast<std::chrono::milliseconds>(at_ - now);
}

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int retry,
                                        std::mt19937_64& rng) {
  const double initial_ms = static_cast<double>(policy.initial.count());
  const double max_ms = static_cast<double>(std::max(policy.max, policy.initial).count());
  // Stop multiplying once past the cap, so large retry numbers cannot overflow to infinity.
  double base_ms = initial_ms;
  for (int i = 1; i < retry && base_ms < max_ms; ++i) base_ms *= policy.multiplier;
  base_ms = std::min(base_ms, max_ms);
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double factor = std::uniform_real_distribution<double>(1.0 - jitter, 1.0)(rng);
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::llround(base_ms * factor))};
}

RetryOutcome call_with_retry(
    const std::function<Attempt(std::chrono::milliseconds timeout)>& attempt,
    const BackoffPolicy& policy, const Deadline& deadline,
    std::chrono::milliseconds per_attempt_timeout, Clock& clock, std::mt19937_64& rng,
    const std::function<void(const Attempt&, int attempt_number)>& on_failure) {
  RetryOutcome outcome;
  std::string last_error;
  for (;;) {
    const auto left = deadline.remaining(clock.now());
    if (left.count() <= 0) {
      outcome.error = last_error.empty()
                          ? std::string("deadline exceeded before the first attempt")
                          : "deadline exceeded after " + std::to_string(outcome.attempts) +
                                " attempts; last error: " + last_error;
      return outcome;
    }
    ++outcome.attempts;
    Attempt result = attempt(std::min(per_attempt_timeout, left));
    if (result.kind == Attempt::Kind::ok) {
      outcome.ok = true;
      return outcome;
    }
    ++outcome.failed_attempts;
    if (on_failure) on_failure(result, outcome.attempts);
    if (result.kind == Attempt::Kind::permanent) {
      outcome.error = result.error;
      return outcome;
    }
    last_error = result.error;
    const auto delay = backoff_delay(policy, outcome.attempts, rng);
    // A retry that could only start after the deadline is not worth the wait.
    if (clock.now() + delay >= deadline.at()) {
      outcome.error = "deadline exceeded after " + std::to_string(outcome.attempts) +
                      " attempts; last error: " + last_error;
      return outcome;
    }
    if (!clock.sleep_for(delay)) {
      outcome.error = "cancelled after " + std::to_string(outcome.attempts) +
                      " attempts; last error: " + last_error;
      return outcome;
    }
  }
}

}  // namespace batch_sync
