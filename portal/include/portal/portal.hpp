#pragma once
// The portal service: API routes on the API listener, fault administration on the ops listener,
// fault persistence for the crash-loop drill, and the crash itself.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "firedrill/service.hpp"
#include "portal/api.hpp"
#include "portal/faults.hpp"

namespace portal {

/// Exit code of a requested crash (POST /admin/crash, crash_after_ms).
inline constexpr int kCrashExitCode = 3;

/// Ends the process: called with kCrashExitCode. Tests substitute a recorder.
using CrashHandler = std::function<void(int exit_code)>;
/// The production CrashHandler: logs, flushes the log and exits at once (no drain: a crash).
void exit_process(int exit_code);

/// Settings of the portal beyond the common ones. Filled from flags and environment by
/// add_portal_options().
struct PortalConfig {
  FaultState faults;                  ///< faults at start (a fault file, when present, wins)
  std::optional<std::uint64_t> seed;  ///< nullopt: a random seed, logged at start
  std::string admin_token;            ///< non-empty: /admin/* require "Bearer <token>"
  /// Where the fault state is kept across restarts; empty: not kept.
  std::string fault_file;
  ApiOptions api;
};

/// Reads a fault file: the fields it holds applied over `base`. Returns nullopt when the file does
/// not exist. Throws std::runtime_error naming the file and the field when it cannot be used.
std::optional<FaultState> load_fault_file(const std::string& path, const FaultState& base);
/// Writes the state to `path` atomically (a temporary file renamed over it). Throws
/// std::runtime_error naming the file on failure.
void save_fault_file(const std::string& path, const FaultState& state);

/// The portal on a firedrill::Service. Construct after the Service and before start(); destroy
/// after stop(). Registers:
///   API (service.api()):  GET /, GET /api/items, GET /api/items/{id}, POST /api/orders,
///                         GET /api/work
///   ops (service.ops()):  GET|PUT|DELETE /admin/faults, POST /admin/crash
class Portal {
 public:
  /// Loads the fault file if configured (std::runtime_error when it is unusable) and applies the
  /// initial faults. `sleeper` must outlive the Portal.
  Portal(firedrill::Service& service, PortalConfig config, Sleeper& sleeper,
         CrashHandler crash = exit_process);
  ~Portal();
  Portal(const Portal&) = delete;
  Portal& operator=(const Portal&) = delete;

  FaultInjector& faults() { return faults_; }
  std::uint64_t seed() const { return seed_; }

  /// The outcome of a fault change requested through the admin API.
  struct Change {
    int status = 200;  ///< 200, 400 (bad field) or 500 (fault file not writable)
    nlohmann::json body;
  };
  /// Applies a PUT /admin/faults body: validates, persists, then applies; nothing changes on error.
  Change update(const std::string& body, std::string_view source);
  /// Restores health (DELETE /admin/faults).
  Change heal(std::string_view source);

 private:
  void register_admin_routes();
  bool authorized(const firedrill::http::Request& req, httplib::Response& res) const;
  /// Persists, applies and logs `next`; the caller holds change_mutex_.
  Change commit(const FaultState& next, std::string_view source, const nlohmann::json& requested);
  void arm_crash_timer(std::int64_t after_ms);
  void crash_timer_loop();

  firedrill::Service& service_;
  PortalConfig config_;
  Sleeper& sleeper_;
  CrashHandler crash_;
  std::uint64_t seed_;
  FaultInjector faults_;
  std::mutex change_mutex_;  // serialises admin changes (validate, persist, apply)

  std::mutex timer_mutex_;
  std::condition_variable timer_cv_;
  std::optional<std::chrono::steady_clock::time_point> crash_at_;
  bool timer_stop_ = false;
  std::thread timer_;
};

}  // namespace portal
