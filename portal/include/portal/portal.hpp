#pragma once
// The portal service: API routes on the API listener, fault administration on the ops listener,
// fault persistence for the crash-loop drill, and the crash itself. Its routes are one table,
// src/routes.cpp; the API's handlers are in src/api.cpp, the admin API's in src/admin.cpp.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

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
  /// How often the fault file is read for changes made by others (a kubelet updating the
  /// ConfigMap it is mounted from, an operator's editor); zero: read at start only.
  std::chrono::milliseconds fault_file_poll{1000};
  ApiOptions api;
};

/// A fault file larger than this is refused (the largest fault state is a few hundred bytes).
inline constexpr std::size_t kMaxFaultFileBytes = std::size_t{64} * 1024;

/// Reads a fault file: the fields it holds applied over `base`. Returns nullopt when the file does
/// not exist. Throws std::runtime_error naming the file and the field when it cannot be used.
std::optional<FaultState> load_fault_file(const std::string& path, const FaultState& base);
/// The text of a fault file: the fields `text` holds applied over `base`. Throws
/// std::runtime_error naming `path` and the field when it cannot be used.
FaultState parse_fault_file(const std::string& path, const std::string& text,
                            const FaultState& base);
/// The text save_fault_file() writes for `state`.
std::string fault_file_text(const FaultState& state);
/// Thrown by save_fault_file() when the file's folder is read-only (EROFS): the faults come from
/// elsewhere, such as a ConfigMap mounted on Kubernetes, and are changed there.
struct FaultFileReadOnly : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// Writes the state to `path` atomically (a temporary file renamed over it). Throws
/// FaultFileReadOnly on a read-only file system, std::runtime_error naming the file on any other
/// failure.
void save_fault_file(const std::string& path, const FaultState& state);

/// One row of the portal's route table (src/routes.cpp), as a reader (and routes_test.cpp) sees
/// it.
struct RouteInfo {
  std::string listener;  ///< "api" (service.api()) or "ops" (service.ops())
  std::string method;    ///< "GET", "PUT", "DELETE" or "POST"
  std::string path;      ///< the router's pattern: /api/items/{id}
  /// "faults": the fault injector runs first (every API route); "admin token": needs
  /// Authorization: Bearer <PORTAL_ADMIN_TOKEN> when one is set.
  std::string guard;
  int success_code = 200;  ///< what it answers when all goes well
  std::string description;
};

/// The portal on a firedrill::Service. Construct after the Service and before start(); destroy
/// after stop(). Registers the routes of its table (routes()): the API on service.api(), the
/// admin API on service.ops(). Thread-safe once registered.
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

  /// Reads the fault file and, when its text changed since it was last read or written, applies
  /// it: its fields over the flags' faults, or the flags' faults alone when the file was removed.
  /// A file that cannot be used is logged and the faults stay as they are. True when the faults
  /// were replaced. Called every fault_file_poll by a thread of the Portal; public for tests.
  bool reload_fault_file();

  /// The route table (routes.cpp), in its order.
  static std::vector<RouteInfo> routes();

 private:
  using Request = firedrill::http::Request;
  using Response = httplib::Response;
  using Handler = void (Portal::*)(const Request&, Response&);
  enum class Guard { faults, admin_token };
  struct Route {
    Guard guard;  // also the listener: faults on the API, the admin token on ops
    const char* method;
    const char* path;
    Handler handler;
    int success_code;
    const char* description;
  };
  // routes.cpp
  static const std::vector<Route>& table();
  void register_routes();

  // api.cpp
  /// Runs the faults of API route kApiRoutes[route]: waits out a delay, answers an injected
  /// error. True when it answered.
  bool inject_faults(std::size_t route, const Request& req, Response& res);
  void get_index(const Request& req, Response& res);
  void get_items(const Request& req, Response& res);
  void get_item(const Request& req, Response& res);
  void post_order(const Request& req, Response& res);
  void get_work(const Request& req, Response& res);

  // admin.cpp
  /// Answers 401 when an admin token is set and the request lacks it.
  bool authorized(const Request& req, Response& res) const;
  void get_faults(const Request& req, Response& res);
  void put_faults(const Request& req, Response& res);
  void delete_faults(const Request& req, Response& res);
  void crash_request(const Request& req, Response& res);

  /// Persists, applies and logs `next`; the caller holds change_mutex_.
  /// `persist`: write the fault file first (admin changes); false for changes read from it.
  Change commit(const FaultState& next, std::string_view source, const nlohmann::json& requested,
                bool persist);
  void arm_crash_timer(std::int64_t after_ms);
  void crash_timer_loop();
  void fault_file_watch_loop();

  firedrill::Service& service_;
  PortalConfig config_;
  Sleeper& sleeper_;
  CrashHandler crash_;
  std::uint64_t seed_;
  FaultInjector faults_;
  std::mutex change_mutex_;  // serialises changes (validate, persist, apply), admin or file
  // The fault file's text as last read or written (nullopt: absent); guarded by change_mutex_.
  std::optional<std::string> fault_file_seen_;
  bool fault_file_broken_ = false;  // the last text read could not be used (logged once)
  std::atomic<std::uint64_t> next_order_id_{0};

  std::mutex timer_mutex_;
  std::condition_variable timer_cv_;
  std::optional<std::chrono::steady_clock::time_point> crash_at_;
  bool timer_stop_ = false;
  std::thread timer_;
  std::thread watcher_;  // fault_file_watch_loop(); waits on timer_cv_, stops with timer_stop_
};

}  // namespace portal
