#include "auto_healer/notifier.hpp"

namespace auto_healer {

MockSlackNotifier::MockSlackNotifier(Peer mock_slack, std::string token,
                                     std::chrono::milliseconds timeout, Healer::Clock clock)
    : peer_(std::move(mock_slack)),
      token_(std::move(token)),
      timeout_(timeout),
      clock_(std::move(clock)) {}

nlohmann::json MockSlackNotifier::incident_event(const Decision& d, const AlertRef& alert) const {
  return {{"fingerprint", alert.fingerprint},
          {"starts_at", alerting::format_time(alert.starts_at)},
          {"time", alerting::format_time(clock_())},
          {"author", "auto-healer"},
          {"kind", "auto_heal"},
          {"text", d.reason},
          {"details",
           {{"action", "restart"},
            {"result", std::string(to_string(d.result))},
            {"target", d.target.key()},
            {"attempt", d.attempt}}}};
}

std::string MockSlackNotifier::notify(const Decision& d, const AlertRef& alert) {
  std::string problems;
  if (!alert.fingerprint.empty()) {
    auto res = call_peer(peer_, "POST", "/api/v1/incident-events", token_, incident_event(d, alert),
                         timeout_);
    if (!res.ok()) problems = res.error;
  }
  if (d.result == Result::gave_up) {
    const nlohmann::json page = {
        {"channel", "#pages"},
        {"username", "auto-healer"},
        {"text", d.reason + (alert.alertname.empty() ? "" : " (" + alert.alertname + ")") +
                     ": it no longer acts on " + d.target.key() + "; a human has to look"}};
    auto res = call_peer(peer_, "POST", "/slack/pages", token_, page, timeout_);
    if (!res.ok()) problems += (problems.empty() ? "" : "; ") + res.error;
  }
  return problems;
}

}  // namespace auto_healer
