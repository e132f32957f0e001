#pragma once
// The kit's metrics on prometheus-cpp: the registry a service exposes at /metrics, process
// metrics, and the per-route request counters and duration histograms. Thread-safe.

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace firedrill {

/// Histogram buckets for request durations. The SLO thresholds (50 ms, 100 ms, 250 ms, 500 ms and
/// 1 s) are exact bucket bounds, so `le="0.5"` counts exactly the requests under 500 ms.
const std::vector<double>& request_duration_buckets();

/// Process metrics read from /proc on every scrape: process_start_time_seconds,
/// process_resident_memory_bytes, process_virtual_memory_bytes, process_cpu_seconds_total,
/// process_open_fds, process_max_fds.
class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

/// The counters and histogram for one (handler, method) pair. Counters per status code are
/// created on first use and then found without a lock, so the hot path never takes the family's
/// mutex or hashes a label map.
class HttpRouteMetrics {
 public:
  HttpRouteMetrics(prometheus::Family<prometheus::Counter>& requests,
                   prometheus::Family<prometheus::Histogram>& durations, std::string handler,
                   std::string method);
  void observe(int status, double duration_seconds);
  /// Exposes the counter of `status` at zero before any request, so that a scraped but idle
  /// service is told apart from one that is not scraped (absent() stays false from the first
  /// scrape). A status outside 100..599 is ignored.
  void expose(int status);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  std::string handler_;
  std::string method_;
  prometheus::Histogram& duration_;
  prometheus::Counter& counter(int status);

  std::array<std::atomic<prometheus::Counter*>, 600> by_code_{};
};

/// The registry of one service: the kit's HTTP metrics, build info and process metrics, plus
/// whatever the service registers itself. Thread-safe.
class Metrics {
 public:
  explicit Metrics(std::string_view service);

  prometheus::Registry& registry() { return *registry_; }

  /// Metrics for a route template and method; stable for the life of this object. `handler` must
  /// come from a bounded set (route templates, "unmatched"), never from a raw path.
  HttpRouteMetrics& http(std::string_view handler, std::string_view method);

  /// The Prometheus text exposition format (version 0.0.4) of every metric.
  std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  ProcessCollector process_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  std::mutex routes_mutex_;
  std::unordered_map<std::string, std::unique_ptr<HttpRouteMetrics>> routes_;
};

/// Content type of the text exposition format.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace firedrill
