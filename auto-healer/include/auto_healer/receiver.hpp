#pragma once
// `auto-healer serve`: POST /webhook receives Alertmanager's notifications and acts on firing
// alerts that name a remediation (remediation="restart") and a target (the `deployment` label,
// else `service`; the namespace from `namespace`, else the default). A resolved alert ends the
// target's attempts. The answer is 500 when an action failed, so Alertmanager sends it again;
// skipped alerts answer 200. Decisions are serialised by one mutex.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auto_healer/audit.hpp"
#include "auto_healer/backend.hpp"
#include "auto_healer/decision.hpp"
#include "auto_healer/kit.hpp"
#include "auto_healer/notifier.hpp"
#include "firedrill/alerting/payload.hpp"
#include "firedrill/http_server.hpp"

namespace auto_healer {

/// Active silences, or nullopt and `error` when they cannot be read (then nothing is acted on).
using SilenceSource =
    std::function<std::optional<std::vector<alerting::GettableSilence>>(std::string& error)>;

/// Reads GET /api/v2/silences of an Alertmanager.
SilenceSource alertmanager_silences(const Peer& alertmanager, std::chrono::milliseconds timeout);

struct ReceiverOptions {
  std::string default_namespace = "firedrill";
  std::string webhook_token;  ///< required as a bearer token when set
};

/// The target an alert names, or nullopt when it names none.
std::optional<Target> target_of(const alerting::LabelSet& labels,
                                const std::string& default_namespace);

/// "fingerprint@startsAt": one alert occurrence.
std::string occurrence_of(const alerting::WebhookAlert& alert);

class Receiver {
 public:
  Receiver(Healer& healer, Backend& backend, Audit& audit, Notifier* notifier,
           SilenceSource silences, ReceiverOptions options, Healer::Clock clock);

  /// Registers POST /webhook.
  void register_routes(http::Server& server);

  /// Handles one notification body; returns the status and the decisions as JSON.
  std::pair<int, nlohmann::json> handle(const std::string& body);

 private:
  Decision decide_one(const alerting::WebhookAlert& alert, const Target& target,
                      std::optional<std::vector<alerting::GettableSilence>>& silences);

  Healer& healer_;
  Backend& backend_;
  Audit& audit_;
  Notifier* notifier_;
  SilenceSource silences_;
  ReceiverOptions options_;
  Healer::Clock clock_;
  std::mutex mutex_;
};

}  // namespace auto_healer
