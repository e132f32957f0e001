#pragma once
// /readyz follows the store: mock-slack is ready only while its store can write. A probe writes
// one row through the store's writer (Store::probe_write) every interval; a failure (disk full,
// I/O error, a lock held by another process) makes /readyz answer 503 and sets
// mockslack_store_writable to 0 until a probe succeeds again.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "firedrill/service.hpp"
#include "mock_slack/store.hpp"

namespace prometheus {
class Gauge;
class Registry;
}  // namespace prometheus

namespace mock_slack {

/// Thread-safe. Does not start probing until start().
class StoreReadiness {
 public:
  StoreReadiness(Store& store, firedrill::Probes& probes, std::chrono::milliseconds interval,
                 prometheus::Registry* registry = nullptr);
  ~StoreReadiness();  ///< stops the loop
  StoreReadiness(const StoreReadiness&) = delete;
  StoreReadiness& operator=(const StoreReadiness&) = delete;

  /// Probes once now and sets readiness; returns whether the store could write.
  bool probe();
  /// Probes now, then every interval on a thread of its own. No-op when the interval is 0.
  void start();

 private:
  Store& store_;
  firedrill::Probes& probes_;
  std::chrono::milliseconds interval_;
  prometheus::Gauge* writable_ = nullptr;
  std::mutex mutex_;
  bool last_ok_ = true;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread loop_;
};

}  // namespace mock_slack
