// The store's write probe behind /readyz and mockslack_store_writable.
#include "mock_slack/store_readiness.hpp"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "firedrill/log.hpp"

namespace mock_slack {

StoreReadiness::StoreReadiness(Store& store, firedrill::Probes& probes,
                               std::chrono::milliseconds interval, prometheus::Registry* registry)
    : store_(store), probes_(probes), interval_(interval) {
  if (registry == nullptr) return;
  writable_ = &prometheus::BuildGauge()
                   .Name("mockslack_store_writable")
                   .Help("1 when the last write probe of the store committed, 0 when it failed")
                   .Register(*registry)
                   .Add({});
  writable_->Set(1);
}

StoreReadiness::~StoreReadiness() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
}

bool StoreReadiness::probe() {
  const std::string error = store_.probe_write();
  const bool ok = error.empty();
  std::lock_guard lock(mutex_);
  if (ok != last_ok_) {
    if (ok) {
      firedrill::log::info("store writes again: ready");
    } else {
      firedrill::log::warn("store cannot write: not ready", {{"error", error}});
    }
    last_ok_ = ok;
  }
  probes_.set_ready(ok);
  if (writable_ != nullptr) writable_->Set(ok ? 1 : 0);
  return ok;
}

void StoreReadiness::start() {
  if (interval_.count() == 0 || loop_.joinable()) return;
  probe();
  loop_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      lock.unlock();
      probe();
      lock.lock();
    }
  });
}

}  // namespace mock_slack
