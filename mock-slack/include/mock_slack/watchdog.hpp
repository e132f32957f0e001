#pragma once
// The dead-man's switch's observer: mock-slack watches for the Watchdog alert's heartbeats
// (Alertmanager's heartbeat receiver, POST /heartbeat) and raises its own alarm when they stop.
// The first heartbeat after start arms the watch, so that a fresh install raises no false alarm.
// On a timeout it posts one message to the pages channel and opens an incident of its own
// (alertname AlertingPipelineSilent), which it resolves when heartbeats return; the pages show a
// banner meanwhile (banner()).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "firedrill/alerting/time.hpp"
#include "firedrill/service.hpp"
#include "mock_slack/auth.hpp"
#include "mock_slack/store.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace mock_slack {

struct WatchdogOptions {
  /// No heartbeat for this long (once armed) raises the alarm; 0 turns the watch off.
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  /// How often the loop started by start() evaluates; also the retry period of an alarm whose
  /// message or incident could not be stored yet.
  std::chrono::milliseconds check_interval{std::chrono::seconds(1)};
  std::string pages_channel = "pages";  ///< the Slack mock's channel the alarm is posted to
};

/// What the watch knows. `silent_since` is set while the alarm is raised.
struct WatchdogState {
  bool armed = false;
  std::optional<TimePoint> last_seen;
  std::optional<TimePoint> silent_since;
  std::int64_t heartbeats = 0;
};

/// The alert mock-slack raises in its own name; its incident's group key.
inline constexpr std::string_view kSilentAlertname = "AlertingPipelineSilent";
inline constexpr std::string_view kSilentGroupKey = "{}:{alertname=\"AlertingPipelineSilent\"}";
inline constexpr std::string_view kSilentReceiver = "mock-slack-watchdog";

/// Thread-safe. Store writes (message, incident) are made outside the lock; one that fails
/// (StoreUnavailable) is retried by the next check().
class Watchdog {
 public:
  using Clock = firedrill::alerting::Clock;

  /// `registry`, when given, receives mockslack_watchdog_* metrics.
  Watchdog(Store& store, WatchdogOptions options, Clock clock = firedrill::alerting::system_now,
           prometheus::Registry* registry = nullptr);
  ~Watchdog();  ///< stops the loop
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// Records a heartbeat at clock(): arms the watch, and clears a raised alarm (resolving its
  /// incident).
  void heartbeat();
  /// Evaluates at clock(): raises the alarm after the timeout, and stores what is still owed.
  void check();
  /// Runs check() every check_interval on a thread of its own until destroyed. No-op when the
  /// timeout is 0.
  void start();

  WatchdogState state() const;
  /// "the alerting pipeline has been silent since 2026-11-21T22:00:00Z (no Watchdog heartbeat
  /// for 5m)" while the alarm is raised; empty otherwise.
  std::string banner() const;

 private:
  /// A store write owed by the alarm, kept until it succeeds.
  struct Owed {
    enum class Kind { message, open_incident, resolve_incident } kind;
    TimePoint since{};  ///< the last heartbeat before the silence
    TimePoint until{};  ///< resolve_incident: the heartbeat that ended it
  };
  /// Performs the owed writes in order, outside mutex_; stops at the first that fails.
  void flush();
  void perform(const Owed& owed);

  Store& store_;
  WatchdogOptions options_;
  Clock clock_;
  mutable std::mutex mutex_;
  WatchdogState state_;
  std::deque<Owed> owed_;   ///< guarded by mutex_; popped only by flush()
  std::mutex flush_mutex_;  ///< one flush at a time, so that writes keep their order

  prometheus::Registry* registry_ = nullptr;
  prometheus::Counter* heartbeats_ = nullptr;
  prometheus::Gauge* last_seen_ = nullptr;  ///< registered at the first heartbeat
  prometheus::Gauge* silent_ = nullptr;

  std::mutex loop_mutex_;
  std::condition_variable loop_cv_;
  bool stop_ = false;
  std::thread loop_;
};

}  // namespace mock_slack
