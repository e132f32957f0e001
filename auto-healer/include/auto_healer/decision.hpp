#pragma once
// The auto-healer's guard rails as one pure state machine: given a trigger (an alert occurrence or
// a scan's restart count) and the time from an injected clock, it decides whether to restart the
// target, and why not. It performs nothing; the caller acts on the decision and reports back.
// Not thread-safe: the caller serialises decide() and record() (serve mode holds one mutex).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auto_healer/kit.hpp"
#include "firedrill/alerting/labels.hpp"
#include "firedrill/alerting/payload.hpp"
#include "firedrill/alerting/time.hpp"

namespace auto_healer {

using alerting::TimePoint;
using Seconds = std::chrono::seconds;

/// The workload the healer may restart: a Deployment (Kubernetes) or a component of the local
/// stack (namespace "local").
struct Target {
  std::string namespace_name;
  std::string name;
  /// "namespace/name": the key of cooldowns, attempts and the last-action metric.
  std::string key() const { return namespace_name + "/" + name; }
  bool operator==(const Target&) const = default;
};

/// The guard rails. Each has a flag (see settings.hpp).
struct Policy {
  int restart_threshold = 3;       ///< scan: restarts within `window` that call for a restart
  Seconds window{15 * 60};         ///< of the threshold, the cap and the attempts
  Seconds cooldown{5 * 60};        ///< after an action on a target, no other on it
  int max_actions_per_window = 5;  ///< in total, over every target
  int max_attempts = 3;            ///< per target and window; then hand over to a human
  bool dry_run = false;
  std::set<std::string, std::less<>> allowed_namespaces;
  /// Label the workload must carry (the selector firedrill.io/autoheal=true).
  std::string selector_label = "firedrill.io/autoheal";
  std::string selector_value = "true";
  std::set<std::string, std::less<>> allowed_remediations{"restart"};
};

/// The label that names a remediation on an alert, and the one value it acts on today.
inline constexpr const char* kRemediationLabel = "remediation";

/// Why a trigger arrived.
struct Trigger {
  Target target;
  alerting::LabelSet workload_labels;  ///< the Deployment's (or component's) labels
  std::string remediation = "restart";
  /// An alert occurrence, "fingerprint@startsAt"; empty for a scan.
  std::string occurrence;
  alerting::LabelSet alert_labels;  ///< matched against silences; empty for a scan
  /// Scan only: restarts of the target's pods within the window (see restart_ledger.hpp).
  std::optional<std::int64_t> restarts_in_window;
};

/// What was decided. `result` is the audit's label value.
enum class Result {
  acted,    ///< restart now
  dry_run,  ///< would restart; dry-run mode
  below_threshold,
  not_allowed,  ///< namespace not allowed, selector label missing, or unknown remediation
  silenced,
  duplicate,  ///< this alert occurrence was already acted on within the cooldown
  cooldown,
  cap,          ///< the total cap per window is reached
  gave_up,      ///< max attempts reached: hand over to a human (reported once per target)
  handed_over,  ///< already handed over; a human has it
  failed,       ///< the backend failed (recorded by record())
};
std::string_view to_string(Result result);

/// A decision, with a sentence saying why, for the log and the incident.
struct Decision {
  Result result = Result::not_allowed;
  Target target;
  std::string occurrence;
  std::string reason;
  int attempt = 0;  ///< acted/dry_run/gave_up: the attempt number on this target in the window
  /// Whether the caller should call the backend (acted or dry_run: the backend dry-runs too).
  bool act() const { return result == Result::acted || result == Result::dry_run; }
};

/// One action taken, as kept for the window (and, in scan mode, in the workload's annotations).
struct ActionRecord {
  Target target;
  TimePoint at;
  std::string occurrence;
};

class Healer {
 public:
  using Clock = std::function<TimePoint()>;
  Healer(Policy policy, Clock clock);

  const Policy& policy() const { return policy_; }

  /// Restores actions taken by earlier passes (scan mode reads them from annotations).
  void restore(const std::vector<ActionRecord>& history);

  /// Decides on a trigger. An `act()` decision is provisional until record() says how the
  /// backend did; a decision that does not act is final and changes nothing but the hand-over.
  Decision decide(const Trigger& trigger, const std::vector<alerting::GettableSilence>& silences);

  /// Reports the backend's outcome of an act() decision. On success the action counts against
  /// the cooldown, the attempts and the cap, and the occurrence is marked done. A failure counts
  /// nothing (nothing was restarted) and returns a `failed` decision to audit; the alert's
  /// retries may try again.
  Decision record(const Decision& decision, bool ok, const std::string& error = {});

  /// The target's alert resolved: its attempts start again from zero and a hand-over ends.
  void resolved(const Target& target);

  /// Actions still within the window, oldest first.
  std::vector<ActionRecord> history() const;
  /// The time of the last action on a target, if any is remembered.
  std::optional<TimePoint> last_action(const Target& target) const;

 private:
  void expire(TimePoint now);
  int attempts_in_window(const std::string& key) const;

  Policy policy_;
  Clock clock_;
  std::deque<ActionRecord> actions_;                 // within the window, oldest first
  std::map<std::string, TimePoint> last_action_;     // by target key, kept beyond the window
  std::set<std::string> handed_over_;                // target keys a human has
  std::map<std::string, TimePoint> attempts_reset_;  // by target key: its alert resolved then
  std::map<std::string, TimePoint> occurrences_;     // occurrence -> when acted
};

/// Whether an active silence matches the labels (every matcher of one silence matches).
bool silenced_by_any(const alerting::LabelSet& labels,
                     const std::vector<alerting::GettableSilence>& silences, TimePoint now);

}  // namespace auto_healer
