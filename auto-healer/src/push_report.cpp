#include "auto_healer/push_report.hpp"

#include <curl/curl.h>
#include <prometheus/gateway.h>
#include <prometheus/gauge.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace auto_healer {

namespace {

void add_gauge(prometheus::Registry& r, const char* name, const char* help, double value) {
  prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({}).Set(value);
}

struct PushState {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  int code = 0;
};

}  // namespace

std::shared_ptr<prometheus::Registry> scan_registry(const ScanReport& r, double finished,
                                                    double duration) {
  auto registry = std::make_shared<prometheus::Registry>();
  if (r.success) {
    add_gauge(*registry, "autohealer_scan_last_success_timestamp_seconds",
              "Unix time the last successful auto-healer scan finished", finished);
  }
  add_gauge(*registry, "autohealer_scan_last_run_timestamp_seconds",
            "Unix time the last auto-healer scan finished, successful or not", finished);
  add_gauge(*registry, "autohealer_scan_last_run_duration_seconds", "Wall time the last scan took",
            duration);
  add_gauge(*registry, "autohealer_scan_last_run_success", "1 if the last scan succeeded, 0 if not",
            r.success ? 1.0 : 0.0);
  add_gauge(*registry, "autohealer_scan_workloads", "Workloads the last scan looked at",
            static_cast<double>(r.workloads));
  add_gauge(*registry, "autohealer_scan_restarts", "Workloads the last scan restarted (or dry-ran)",
            static_cast<double>(r.restarted));
  add_gauge(*registry, "autohealer_scan_errors", "Errors the last scan met",
            static_cast<double>(r.errors));
  return registry;
}

std::string push_scan_report(const std::shared_ptr<prometheus::Registry>& registry,
                             const Peer& pushgateway, std::chrono::milliseconds timeout) {
  auto state = std::make_shared<PushState>();
  const auto colon = pushgateway.origin.rfind(':');
  const auto scheme_end = pushgateway.origin.find("://") + 3;
  std::string host = pushgateway.origin;
  std::string port = pushgateway.origin.rfind("https", 0) == 0 ? "443" : "80";
  if (colon != std::string::npos && colon > scheme_end && pushgateway.origin.back() != ']') {
    host = pushgateway.origin.substr(0, colon);
    port = pushgateway.origin.substr(colon + 1);
  }
  // The thread owns what it touches, so abandoning it after the timeout is safe.
  std::thread pusher([state, registry, host, port] {
    prometheus::Gateway gateway(host, port, kScanPushJob);
    gateway.RegisterCollectable(registry);
    const int code = gateway.Push();
    {
      std::lock_guard lock(state->mutex);
      state->code = code;
      state->done = true;
    }
    state->cv.notify_all();
  });
  std::unique_lock lock(state->mutex);
  if (!state->cv.wait_for(lock, timeout, [&] { return state->done; })) {
    lock.unlock();
    pusher.detach();
    return "push to the Pushgateway at " + pushgateway.to_string() +
           ": no answer within the timeout";
  }
  const int code = state->code;
  lock.unlock();
  pusher.join();
  if (code >= 200 && code < 300) return {};
  return "push to the Pushgateway at " + pushgateway.to_string() +
         (code < 0 ? ": no response (curl error " + std::to_string(-code) + ": " +
                         curl_easy_strerror(static_cast<CURLcode>(-code)) + ")"
                   : ": answered " + std::to_string(code));
}

}  // namespace auto_healer
