#include "auto_healer/receiver.hpp"

#include <openssl/crypto.h>

#include "firedrill/log.hpp"

namespace auto_healer {

namespace {

using nlohmann::json;

bool token_matches(std::string_view header, const std::string& token) {
  constexpr std::string_view scheme = "Bearer ";
  if (header.substr(0, scheme.size()) != scheme) return false;
  const std::string_view given = header.substr(scheme.size());
  return given.size() == token.size() &&
         CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

}  // namespace

SilenceSource alertmanager_silences(const Peer& alertmanager, std::chrono::milliseconds timeout) {
  return [alertmanager,
          timeout](std::string& error) -> std::optional<std::vector<alerting::GettableSilence>> {
    auto res = call_peer(alertmanager, "GET", "/api/v2/silences", "", nullptr, timeout);
    if (!res.ok()) {
      error = "cannot read silences: " + res.error;
      return std::nullopt;
    }
    try {
      return alerting::parse_gettable_silences(alerting::parse_json_body(res.body));
    } catch (const alerting::PayloadError& e) {
      error = "cannot read silences from " + alertmanager.to_string() + ": " + e.what();
      return std::nullopt;
    }
  };
}

std::optional<Target> target_of(const alerting::LabelSet& labels,
                                const std::string& default_namespace) {
  std::string_view name = alerting::label_value(labels, "deployment");
  if (name.empty()) name = alerting::label_value(labels, "service");
  if (name.empty()) return std::nullopt;
  std::string_view ns = alerting::label_value(labels, "namespace");
  return Target{ns.empty() ? default_namespace : std::string(ns), std::string(name)};
}

std::string occurrence_of(const alerting::WebhookAlert& alert) {
  return alert.fingerprint + "@" + alerting::format_time(alert.starts_at);
}

Receiver::Receiver(Healer& healer, Backend& backend, Audit& audit, Notifier* notifier,
                   SilenceSource silences, ReceiverOptions options, Healer::Clock clock)
    : healer_(healer),
      backend_(backend),
      audit_(audit),
      notifier_(notifier),
      silences_(std::move(silences)),
      options_(std::move(options)),
      clock_(std::move(clock)) {}

void Receiver::register_routes(http::Server& server) {
  server.post("/webhook", [this](const http::Request& req, httplib::Response& res) {
    if (!options_.webhook_token.empty() &&
        !token_matches(req.header("Authorization"), options_.webhook_token)) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"auto-healer\"");
      http::error_response(res, 401, "missing or wrong bearer token for POST /webhook");
      return;
    }
    auto [status, body] = handle(req.body());
    http::json_response(res, status, body);
  });
}

Decision Receiver::decide_one(const alerting::WebhookAlert& alert, const Target& target,
                              std::optional<std::vector<alerting::GettableSilence>>& silences) {
  Trigger trigger;
  trigger.target = target;
  trigger.remediation = std::string(alerting::label_value(alert.labels, kRemediationLabel));
  trigger.occurrence = occurrence_of(alert);
  trigger.alert_labels = alert.labels;
  auto failed = [&](std::string reason) {
    Decision d;
    d.result = Result::failed;
    d.target = target;
    d.occurrence = trigger.occurrence;
    d.reason = std::move(reason);
    return d;
  };
  std::string error;
  auto workload = backend_.find(target, error);
  if (!workload) return failed("cannot find " + target.key() + ": " + error);
  trigger.workload_labels = workload->labels;
  if (!silences) {
    silences = silences_ ? silences_(error) : std::vector<alerting::GettableSilence>{};
    if (!silences) return failed(error);
  }
  Decision decision = healer_.decide(trigger, *silences);
  if (decision.act()) {
    auto outcome = backend_.restart(*workload, decision.result == Result::dry_run);
    decision = healer_.record(decision, outcome.ok, outcome.error);
  }
  if (auto event = backend_.record_event(*workload, decision); !event.ok) {
    log::warn("cannot record the decision as an event",
              {{"target", target.key()}, {"error", event.error}});
  }
  return decision;
}

std::pair<int, json> Receiver::handle(const std::string& body) {
  alerting::WebhookNotification notification;
  try {
    notification = alerting::parse_webhook(body);
  } catch (const alerting::PayloadError& e) {
    return {400, json{{"error", e.what()}}};
  }
  std::lock_guard lock(mutex_);
  std::optional<std::vector<alerting::GettableSilence>> silences;  // read once, when needed
  json decisions = json::array();
  bool any_failed = false;
  for (const auto& alert : notification.alerts) {
    const std::string_view remediation = alerting::label_value(alert.labels, kRemediationLabel);
    if (remediation.empty()) continue;
    auto target = target_of(alert.labels, options_.default_namespace);
    const std::string alertname(alerting::label_value(alert.labels, "alertname"));
    if (!target) {
      log::warn("alert names a remediation but no target", {{"alertname", alertname}});
      continue;
    }
    if (alert.status == alerting::AlertStatus::resolved) {
      healer_.resolved(*target);
      log::info("alert resolved: attempts start again",
                {{"alertname", alertname}, {"target", target->key()}});
      continue;
    }
    Decision d = decide_one(alert, *target, silences);
    const TimePoint now = clock_();
    audit_.record(d, "alert", backend_.name(), now);
    if (notifier_ != nullptr) {
      if (std::string problem =
              notifier_->notify(d, AlertRef{alertname, alert.fingerprint, alert.starts_at});
          !problem.empty()) {
        log::warn("cannot tell mock-slack about the decision",
                  {{"target", d.target.key()}, {"error", problem}});
      }
    }
    any_failed = any_failed || d.result == Result::failed;
    decisions.push_back({{"alertname", alertname},
                         {"target", d.target.key()},
                         {"occurrence", d.occurrence},
                         {"result", std::string(to_string(d.result))},
                         {"attempt", d.attempt},
                         {"reason", d.reason}});
  }
  return {any_failed ? 500 : 200, json{{"decisions", decisions}}};
}

}  // namespace auto_healer
