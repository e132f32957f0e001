#pragma once
// What the auto-healer acts on, behind one interface: a Kubernetes API server (kube_backend.hpp)
// or the local stack of `make up` (local_backend.hpp). Implementations are thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "auto_healer/decision.hpp"
#include "auto_healer/kit.hpp"

namespace auto_healer {

/// A workload the backend knows, with its labels (matched against the policy's selector).
struct Workload {
  Target target;
  alerting::LabelSet labels;
  std::string uid;  ///< Kubernetes metadata.uid; empty for the local stack
  /// Why it must not be restarted now (paused, still rolling out); empty when it may be.
  std::string refusal;
  /// Kubernetes: the label selector of its pods (spec.selector.matchLabels, encoded for a query).
  std::string pod_selector;
  alerting::LabelSet
      annotations;  ///< Kubernetes metadata.annotations (scan keeps its ledger there)
};

/// The outcome of one backend call. `error` says what went wrong in one line, naming the peer.
struct Outcome {
  bool ok = false;
  std::string error;
  static Outcome success() { return Outcome{true, {}}; }
  static Outcome failure(std::string e) { return Outcome{false, std::move(e)}; }
};

class Backend {
 public:
  virtual ~Backend() = default;
  /// "kubernetes" or "local": logged and used in the audit.
  virtual std::string name() const = 0;
  /// The workload `target` names, or nullopt with `error` set (not found, forbidden, unreachable).
  virtual std::optional<Workload> find(const Target& target, std::string& error) = 0;
  /// Restarts the workload. With `dry_run` the backend checks all it can without changing
  /// anything (Kubernetes: a server-side dry run). Refuses a workload it must not restart now
  /// (a paused Deployment, one still rolling out) with ok=false and the reason.
  virtual Outcome restart(const Workload& workload, bool dry_run) = 0;
  /// Records a decision where the backend keeps an audit of its own (a Kubernetes Event); the
  /// default keeps none.
  virtual Outcome record_event(const Workload& /*workload*/, const Decision& /*decision*/) {
    return Outcome::success();
  }
};

}  // namespace auto_healer
