#include "batch_sync/report.hpp"

#include <prometheus/gateway.h>
#include <prometheus/gauge.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "firedrill/log.hpp"

namespace batch_sync {

namespace {

void add_gauge(prometheus::Registry& registry, const char* name, const char* help, double value) {
  prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({}).Set(value);
}

/// Gateway::Push() answers the HTTP status, or minus the curl error code when no response came.
Attempt classify_push(int code, const std::string& address) {
  const std::string what = "push to the Pushgateway at " + address;
  if (code >= 200 && code < 300) return Attempt::ok();
  if (code < 0) {
    return Attempt::transient(what + ": no response (curl error " + std::to_string(-code) + ")");
  }
  std::string text = what + ": answered " + std::to_string(code);
  return code >= 500 ? Attempt::transient(std::move(text)) : Attempt::permanent(std::move(text));
}

/// State shared with the pushing thread, which may outlive push_report().
struct PushState {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  Cancellation cancellation;
  RetryOutcome outcome;
};

}  // namespace

std::shared_ptr<prometheus::Registry> report_registry(const RunReport& r) {
  auto registry = std::make_shared<prometheus::Registry>();
  if (r.success) {
    add_gauge(*registry, "batch_sync_last_success_timestamp_seconds",
              "Unix time the last successful batch-sync run finished", r.finished_unix_seconds);
  }
  add_gauge(*registry, "batch_sync_last_run_timestamp_seconds",
            "Unix time the last batch-sync run finished, successful or not",
            r.finished_unix_seconds);
  add_gauge(*registry, "batch_sync_last_run_duration_seconds",
            "Wall time the last batch-sync run took", r.duration_seconds);
  add_gauge(*registry, "batch_sync_last_run_success",
            "1 if the last batch-sync run succeeded, 0 if it failed", r.success ? 1.0 : 0.0);
  add_gauge(*registry, "batch_sync_records_processed",
            "Alerts and silences the last batch-sync run synced into mock-slack",
            static_cast<double>(r.records_processed));
  add_gauge(*registry, "batch_sync_records_new",
            "Records the last batch-sync run added to mock-slack's history",
            static_cast<double>(r.records_new));
  add_gauge(*registry, "batch_sync_records_resolved",
            "Firing alerts the last batch-sync run resolved in mock-slack because Alertmanager no "
            "longer listed them (past --resolve-grace)",
            static_cast<double>(r.records_resolved));
  add_gauge(*registry, "batch_sync_errors",
            "Errors the last batch-sync run met, retried ones included",
            static_cast<double>(r.errors));
  return registry;
}

PushOutcome push_report(const RunReport& report, const PeerUrl& pushgateway,
                        std::chrono::milliseconds timeout, const BackoffPolicy& backoff,
                        std::uint64_t seed) {
  const std::string address = pushgateway.to_string();
  auto state = std::make_shared<PushState>();
  auto registry = report_registry(report);
  const auto deadline = Deadline(std::chrono::steady_clock::now() + timeout);

  // The thread owns everything it touches (state, registry, the Gateway), so abandoning it is safe.
  std::thread pusher([state, registry, address, pushgateway, backoff, deadline, seed, timeout] {
    prometheus::Gateway gateway(
        pushgateway.scheme + "://" +
            (pushgateway.host.find(':') != std::string::npos ? "[" + pushgateway.host + "]"
                                                             : pushgateway.host),
        std::to_string(pushgateway.port), kPushJob);
    gateway.RegisterCollectable(registry);
    SteadyClock clock(state->cancellation);
    std::mt19937_64 rng(seed);
    auto attempt = [&](std::chrono::milliseconds) {
      return classify_push(gateway.Push(), address);
    };
    auto on_failure = [&](const Attempt& a, int number) {
      log::warn("push failed", {{"pushgateway", address},
                                {"attempt", number},
                                {"retry", a.kind == Attempt::Kind::transient},
                                {"error", a.error}});
    };
    RetryOutcome outcome =
        call_with_retry(attempt, backoff, deadline, timeout, clock, rng, on_failure);
    {
      std::lock_guard lock(state->mutex);
      state->outcome = std::move(outcome);
      state->done = true;
    }
    state->cv.notify_all();
  });

  PushOutcome result;
  std::unique_lock lock(state->mutex);
  if (state->cv.wait_for(lock, timeout, [&] { return state->done; })) {
    lock.unlock();
    pusher.join();
    result.ok = state->outcome.ok;
    result.error = state->outcome.error;
    return result;
  }
  lock.unlock();
  state->cancellation.cancel();
  pusher.detach();
  result.abandoned = true;
  result.error = "push to the Pushgateway at " + address + ": no answer within the push timeout";
  return result;
}

}  // namespace batch_sync
