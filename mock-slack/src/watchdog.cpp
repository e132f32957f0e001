// The Watchdog's observer: heartbeats arm and feed it; check() raises the alarm after the timeout
// and stores its message and incident; a heartbeat clears it and resolves the incident.
#include "mock_slack/watchdog.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "firedrill/alerting/labels.hpp"
#include "firedrill/duration.hpp"
#include "firedrill/log.hpp"

namespace mock_slack {

namespace alerting = firedrill::alerting;

namespace {

/// To the second: what a reader needs of a heartbeat's time.
std::string format_seconds(TimePoint t) {
  return alerting::format_time(std::chrono::floor<std::chrono::seconds>(t));
}

double unix_seconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

Watchdog::Watchdog(Store& store, WatchdogOptions options, Clock clock,
                   prometheus::Registry* registry)
    : store_(store), options_(std::move(options)), clock_(clock), registry_(registry) {
  if (registry_ == nullptr) return;
  heartbeats_ = &prometheus::BuildCounter()
                     .Name("mockslack_watchdog_heartbeats_total")
                     .Help("Watchdog heartbeats received from Alertmanager's heartbeat receiver")
                     .Register(*registry_)
                     .Add({});
  silent_ = &prometheus::BuildGauge()
                 .Name("mockslack_watchdog_silent")
                 .Help("1 while no Watchdog heartbeat has arrived for the timeout, once armed")
                 .Register(*registry_)
                 .Add({});
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(loop_mutex_);
    stop_ = true;
  }
  loop_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
}

void Watchdog::start() {
  if (options_.timeout.count() == 0 || loop_.joinable()) return;
  loop_ = std::thread([this] {
    std::unique_lock lock(loop_mutex_);
    while (!loop_cv_.wait_for(lock, options_.check_interval, [this] { return stop_; })) {
      lock.unlock();
      try {
        check();
      } catch (const std::exception& e) {
        firedrill::log::warn("watchdog check failed; will retry", {{"error", e.what()}});
      }
      lock.lock();
    }
  });
}

void Watchdog::heartbeat() {
  {
    std::lock_guard lock(mutex_);
    const TimePoint now = clock_();
    if (!state_.armed) {
      firedrill::log::info("watchdog armed by the first heartbeat",
                           {{"timeout", firedrill::format_duration(options_.timeout)}});
    }
    state_.armed = true;
    state_.last_seen = now;
    ++state_.heartbeats;
    if (state_.silent_since) {
      firedrill::log::info("watchdog heartbeats are back",
                           {{"silent_since", format_seconds(*state_.silent_since)}});
      owed_.push_back({Owed::Kind::resolve_incident, *state_.silent_since, now});
      state_.silent_since.reset();
      if (silent_ != nullptr) silent_->Set(0);
    }
    if (registry_ != nullptr) {
      if (last_seen_ == nullptr) {
        last_seen_ =
            &prometheus::BuildGauge()
                 .Name("mockslack_watchdog_last_seen_timestamp_seconds")
                 .Help("Unix time of the last Watchdog heartbeat (absent before the first)")
                 .Register(*registry_)
                 .Add({});
      }
      last_seen_->Set(unix_seconds(now));
      heartbeats_->Increment();
    }
  }
  flush();
}

void Watchdog::check() {
  {
    std::lock_guard lock(mutex_);
    const TimePoint now = clock_();
    if (options_.timeout.count() > 0 && state_.armed && !state_.silent_since &&
        now - *state_.last_seen > options_.timeout) {
      state_.silent_since = *state_.last_seen;
      firedrill::log::warn("the alerting pipeline is silent: no Watchdog heartbeat",
                           {{"since", format_seconds(*state_.silent_since)},
                            {"timeout", firedrill::format_duration(options_.timeout)}});
      owed_.push_back({Owed::Kind::message, *state_.silent_since, {}});
      owed_.push_back({Owed::Kind::open_incident, *state_.silent_since, {}});
      if (silent_ != nullptr) silent_->Set(1);
    }
  }
  flush();
}

void Watchdog::flush() {
  std::lock_guard order(flush_mutex_);
  for (;;) {
    Owed next;
    {
      std::lock_guard lock(mutex_);
      if (owed_.empty()) return;
      next = owed_.front();
    }
    try {
      perform(next);
    } catch (const StoreUnavailable& e) {
      firedrill::log::warn("watchdog cannot store its alarm yet; will retry",
                           {{"error", e.what()}});
      return;
    }
    std::lock_guard lock(mutex_);
    owed_.pop_front();
  }
}

void Watchdog::perform(const Owed& owed) {
  const std::string since = format_seconds(owed.since);
  const std::string timeout = firedrill::format_duration(options_.timeout);
  if (owed.kind == Owed::Kind::message) {
    Message m;
    m.channel = options_.pages_channel;
    m.username = "mock-slack";
    m.icon_emoji = ":rotating_light:";
    m.text = ":rotating_light: *The alerting pipeline has been silent since " + since +
             "*: no Watchdog heartbeat for " + timeout +
             ". Alerts may not reach anyone. Runbook: Watchdog.";
    m.attachments = nlohmann::json::array();
    m.blocks = nlohmann::json::array();
    store_.add_message(m);
    return;
  }
  alerting::WebhookAlert alert;
  alert.labels = {{"alertname", std::string(kSilentAlertname)},
                  {"severity", "page"},
                  {"service", "alerting-pipeline"}};
  alert.annotations = {
      {"summary", "the alerting pipeline has been silent since " + since},
      {"description", "mock-slack has received no Watchdog heartbeat for more than " + timeout +
                          ": Prometheus, Alertmanager or the delivery between them is broken, "
                          "and alerts may not reach anyone. Runbook: Watchdog."}};
  alert.starts_at = owed.since;
  alert.fingerprint = alerting::fingerprint(alert.labels);
  const bool resolved = owed.kind == Owed::Kind::resolve_incident;
  alert.status = resolved ? alerting::AlertStatus::resolved : alerting::AlertStatus::firing;
  if (resolved) alert.ends_at = owed.until;

  alerting::WebhookNotification n;
  n.group_key = std::string(kSilentGroupKey);
  n.status = alert.status;
  n.receiver = std::string(kSilentReceiver);
  n.group_labels = {{"alertname", std::string(kSilentAlertname)}};
  n.common_labels = alert.labels;
  n.common_annotations = alert.annotations;
  n.alerts.push_back(std::move(alert));
  store_.ingest(n, sha256_hex(alerting::to_json(n).dump()));
}

WatchdogState Watchdog::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::string Watchdog::banner() const {
  std::lock_guard lock(mutex_);
  if (!state_.silent_since) return {};
  return "the alerting pipeline has been silent since " + format_seconds(*state_.silent_since) +
         " (no Watchdog heartbeat for " + firedrill::format_duration(options_.timeout) + ")";
}

}  // namespace mock_slack
