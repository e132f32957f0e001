#pragma once
// Where decisions are told to people: the incident's timeline in mock-slack (an auto_heal event,
// keyed by the alert's fingerprint and startsAt), and on a hand-over a page in mock-slack's
// #pages channel. Thread-safe.

#include <chrono>
#include <optional>
#include <string>

#include "auto_healer/decision.hpp"
#include "auto_healer/kit.hpp"
#include "auto_healer/peer.hpp"

namespace auto_healer {

/// The alert a decision was about (empty for a scan).
struct AlertRef {
  std::string alertname;
  std::string fingerprint;
  TimePoint starts_at = alerting::kZeroTime;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  /// Returns "" or what failed; a failure is logged by the caller and never blocks an action.
  virtual std::string notify(const Decision& decision, const AlertRef& alert) = 0;
};

/// Posts to mock-slack: POST /api/v1/incident-events for every decision about an alert, and
/// POST /slack/pages for a gave_up decision. Both need mock-slack's webhook credentials.
class MockSlackNotifier final : public Notifier {
 public:
  MockSlackNotifier(Peer mock_slack, std::string token, std::chrono::milliseconds timeout,
                    Healer::Clock clock);
  std::string notify(const Decision& decision, const AlertRef& alert) override;

  /// The incident event of a decision, as posted (exposed for tests).
  nlohmann::json incident_event(const Decision& decision, const AlertRef& alert) const;

 private:
  Peer peer_;
  std::string token_;
  std::chrono::milliseconds timeout_;
  Healer::Clock clock_;
};

}  // namespace auto_healer
