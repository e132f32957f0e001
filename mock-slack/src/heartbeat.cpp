// POST /heartbeat (a row of routes.cpp's table; tests/heartbeat_test.cpp): the Watchdog's
// heartbeats, as Alertmanager's heartbeat receiver (a webhook_config) delivers them. Only a firing
// Watchdog alert counts as a heartbeat.
#include "firedrill/alerting/payload.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack/watchdog.hpp"

namespace mock_slack {

namespace alerting = firedrill::alerting;
using firedrill::http::error_response;
using firedrill::http::json_response;

namespace {

bool holds_watchdog(const alerting::WebhookNotification& n) {
  for (const auto& a : n.alerts) {
    auto name = a.labels.find("alertname");
    if (a.status == alerting::AlertStatus::firing && name != a.labels.end() &&
        name->second == "Watchdog") {
      return true;
    }
  }
  return false;
}

}  // namespace

void Receiver::heartbeat(const Request& req, Response& res) {
  // Not counted in mockslack_webhook_rejected_total: that is the notifications' count.
  if (!auth_.allows(req.header("Authorization"))) {
    res.set_header("WWW-Authenticate", options_.credentials.bearer_token.empty()
                                           ? "Basic realm=\"mock-slack\""
                                           : "Bearer realm=\"mock-slack\"");
    error_response(res, 401, "missing or invalid credentials");
    return;
  }
  const std::string content_type = req.header("Content-Type");
  if (!content_type.empty() && content_type.find("json") == std::string::npos) {
    error_response(
        res, 415,
        "Content-Type must be application/json, got \"" + content_type.substr(0, 64) + "\"");
    return;
  }
  alerting::WebhookNotification n;
  try {
    n = alerting::parse_webhook(req.body(), options_.limits);
  } catch (const alerting::PayloadError& e) {
    error_response(res, 400, e.what());
    return;
  }
  if (watchdog_ == nullptr) {
    error_response(res, 503, "no Watchdog is watched in this process");
    return;
  }
  if (!holds_watchdog(n)) {
    json_response(res, 200, {{"status", "ignored"}, {"reason", "no firing Watchdog alert"}});
    return;
  }
  watchdog_->heartbeat();
  json_response(res, 200, {{"status", "heartbeat"}});
}

}  // namespace mock_slack
