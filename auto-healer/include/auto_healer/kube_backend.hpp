#pragma once
// The Kubernetes backend: Deployments found and listed by label selector, restarted exactly as
// `kubectl rollout restart` does (a strategic-merge PATCH of the pod template's
// kubectl.kubernetes.io/restartedAt annotation, with a fieldManager), a server-side dry run in
// dry-run mode, and a core/v1 Event for every decision. Needs only the Role in
// k8s/base/auto-healer/role.yaml: pods get/list, deployments get/list/patch, events create.

#include <string>
#include <vector>

#include "auto_healer/backend.hpp"
#include "auto_healer/kit.hpp"
#include "auto_healer/kube_client.hpp"
#include "auto_healer/restart_ledger.hpp"

namespace auto_healer {

inline constexpr const char* kRestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

/// Why a Deployment must not be restarted now, or "" when it may be: paused (kubectl refuses
/// too), or a rollout still in progress (the controller has not observed the latest spec, or not
/// every replica runs the latest template, or old replicas are still terminating). Pods of the
/// latest template that are not available do not block: that is the sickness being healed.
std::string rollout_refusal(const nlohmann::json& deployment);

/// The Workload of a Deployment object.
Workload workload_of(const nlohmann::json& deployment);

/// The pods of a PodList: uid, restartCount summed over init and app containers, creation time.
std::vector<PodRestarts> pod_restarts_of(const nlohmann::json& pod_list);

class KubeBackend final : public Backend {
 public:
  /// `instance` names this replica in Events (reportingInstance): the pod's name.
  KubeBackend(KubeConfig config, Healer::Clock clock, std::string instance);

  std::string name() const override { return "kubernetes"; }
  std::optional<Workload> find(const Target& target, std::string& error) override;
  Outcome restart(const Workload& workload, bool dry_run) override;
  Outcome record_event(const Workload& workload, const Decision& decision) override;

  /// Deployments of a namespace that match `selector` ("firedrill.io/autoheal=true").
  std::optional<std::vector<Workload>> list(const std::string& namespace_name,
                                            const std::string& selector, std::string& error);
  /// The pods of a workload (by its pod selector).
  std::optional<std::vector<PodRestarts>> pods(const Workload& workload, std::string& error);
  /// Sets metadata.annotations on the Deployment (not the pod template: no rollout). With
  /// `dry_run` the server only checks it.
  Outcome annotate(const Workload& workload, const alerting::LabelSet& annotations, bool dry_run);

 private:
  std::string deployment_path(const Target& target) const;
  std::string patch_query(bool dry_run) const;

  KubeClient client_;
  Healer::Clock clock_;
  std::string instance_;
};

}  // namespace auto_healer
