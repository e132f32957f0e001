#pragma once
// A service's runtime on the kit: probes, the settings every service shares, the listeners and the
// shutdown sequence. The command line that fills the settings is in firedrill/cli.hpp.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "firedrill/http_server.hpp"
#include "firedrill/log.hpp"
#include "firedrill/metrics.hpp"

namespace firedrill {

/// Liveness and readiness. /readyz answers 200 only while the service says it is ready and is not
/// draining for shutdown. Thread-safe.
class Probes {
 public:
  void set_healthy(bool v) { healthy_.store(v); }
  void set_ready(bool v) { ready_.store(v); }
  void set_draining(bool v) { draining_.store(v); }
  bool healthy() const { return healthy_.load(); }
  bool ready() const { return ready_.load() && !draining_.load(); }
  bool draining() const { return draining_.load(); }

 private:
  std::atomic<bool> healthy_{true};
  std::atomic<bool> ready_{true};
  std::atomic<bool> draining_{false};
};

/// Settings every service shares. Each has a flag and an environment variable
/// (`--listen` / `<PREFIX>_LISTEN`), registered by add_common_options().
struct CommonSettings {
  std::string listen = "127.0.0.1:8080";
  std::string ops_listen;  ///< empty: probes, /metrics and admin routes share the main listener
  std::chrono::milliseconds drain_delay{5000};
  std::chrono::milliseconds shutdown_timeout{10000};
  std::size_t threads = 64;
  std::size_t ops_threads = 4;
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  std::chrono::milliseconds keep_alive_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  std::string log_level = "info";
  bool access_log = true;
};

/// Ignores SIGPIPE and blocks SIGTERM/SIGINT so that Service::run() can wait for them. Call first
/// thing in main(), before any thread starts.
void prepare_process();

/// A service's runtime: metrics, probes, the API listener and the optional ops listener, and the
/// shutdown sequence. Lifecycle: construct, register routes on api()/ops(), start(), then run()
/// (blocks until SIGTERM/SIGINT or request_stop()) or stop().
class Service {
 public:
  Service(std::string name, CommonSettings settings);
  ~Service();

  const std::string& name() const { return name_; }
  const CommonSettings& settings() const { return settings_; }
  Metrics& metrics() { return metrics_; }
  Probes& probes() { return probes_; }
  http::Server& api() { return *api_; }
  /// The ops listener, or the API listener when no --ops-listen was given.
  http::Server& ops() { return ops_ ? *ops_ : *api_; }

  /// Binds the listeners (std::runtime_error naming the address on failure) and serves.
  void start();
  /// The shutdown sequence: readiness false, the drain delay, listeners stop accepting and
  /// in-flight requests finish. If that takes longer than shutdown_timeout, the process exits 1.
  void stop();
  /// start(), wait for SIGTERM/SIGINT or request_stop(), stop(). Returns the exit code.
  int run();
  void request_stop();

  int api_port() const { return api_->port(); }
  int ops_port() const { return ops_ ? ops_->port() : api_->port(); }

 private:
  std::string name_;
  CommonSettings settings_;
  Metrics metrics_;
  Probes probes_;
  std::unique_ptr<http::Server> api_;
  std::unique_ptr<http::Server> ops_;
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace firedrill
