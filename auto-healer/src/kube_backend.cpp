#include "auto_healer/kube_backend.hpp"

#include <chrono>

namespace auto_healer {

namespace {

using nlohmann::json;

constexpr const char* kStrategicMergePatch = "application/strategic-merge-patch+json";

std::int64_t integer_at(const json& object, const json::json_pointer& pointer) {
  return object.contains(pointer) && object.at(pointer).is_number_integer()
             ? object.at(pointer).get<std::int64_t>()
             : 0;
}

alerting::LabelSet string_map(const json& object, const char* key) {
  alerting::LabelSet out;
  if (auto it = object.find(key); it != object.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

/// Kubernetes writes times to the second in UTC: "2026-12-01T12:00:00Z", as kubectl's
/// time.Now().Format(time.RFC3339) does in a UTC container.
std::string kube_time(TimePoint t) {
  return alerting::format_time(std::chrono::time_point_cast<std::chrono::seconds>(t));
}

}  // namespace

std::string rollout_refusal(const json& d) {
  if (d.contains(json::json_pointer("/spec/paused")) && d["spec"]["paused"].is_boolean() &&
      d["spec"]["paused"].get<bool>()) {
    return "the Deployment is paused (kubectl rollout resume first)";
  }
  const auto generation = integer_at(d, json::json_pointer("/metadata/generation"));
  const auto observed = integer_at(d, json::json_pointer("/status/observedGeneration"));
  if (observed < generation) {
    return "a rollout is in progress: the controller has not observed generation " +
           std::to_string(generation) + " yet (observed " + std::to_string(observed) + ")";
  }
  const json::json_pointer replicas_ptr("/spec/replicas");
  const auto wanted = d.contains(replicas_ptr) ? integer_at(d, replicas_ptr) : 1;
  const auto updated = integer_at(d, json::json_pointer("/status/updatedReplicas"));
  const auto total = integer_at(d, json::json_pointer("/status/replicas"));
  if (updated < wanted) {
    return "a rollout is in progress: " + std::to_string(updated) + " of " +
           std::to_string(wanted) + " replicas run the latest template";
  }
  if (total > updated) {
    return "a rollout is in progress: " + std::to_string(total - updated) +
           " old replicas are pending termination";
  }
  return {};
}

Workload workload_of(const json& d) {
  Workload w;
  const json& meta = d.value("metadata", json::object());
  w.target = Target{meta.value("namespace", ""), meta.value("name", "")};
  w.uid = meta.value("uid", "");
  w.labels = string_map(meta, "labels");
  w.annotations = string_map(meta, "annotations");
  w.refusal = rollout_refusal(d);
  if (d.contains(json::json_pointer("/spec/selector/matchLabels"))) {
    std::string selector;
    for (const auto& [k, v] : d["spec"]["selector"]["matchLabels"].items()) {
      if (!v.is_string()) continue;
      if (!selector.empty()) selector += ",";
      selector += k + "=" + v.get<std::string>();
    }
    w.pod_selector = selector;
  }
  return w;
}

std::vector<PodRestarts> pod_restarts_of(const json& list) {
  std::vector<PodRestarts> out;
  if (!list.contains("items") || !list["items"].is_array()) return out;
  for (const auto& pod : list["items"]) {
    PodRestarts p;
    const json& meta = pod.value("metadata", json::object());
    p.uid = meta.value("uid", "");
    if (auto created = alerting::parse_time(meta.value("creationTimestamp", "")))
      p.created = *created;
    for (const char* field : {"initContainerStatuses", "containerStatuses"}) {
      const json::json_pointer ptr("/status/" + std::string(field));
      if (!pod.contains(ptr) || !pod.at(ptr).is_array()) continue;
      for (const auto& c : pod.at(ptr)) p.restarts += c.value("restartCount", std::int64_t{0});
    }
    out.push_back(std::move(p));
  }
  return out;
}

KubeBackend::KubeBackend(KubeConfig config, Healer::Clock clock, std::string instance)
    : client_(std::move(config)), clock_(std::move(clock)), instance_(std::move(instance)) {}

std::string KubeBackend::deployment_path(const Target& t) const {
  return "/apis/apps/v1/namespaces/" + encode_query_value(t.namespace_name) + "/deployments/" +
         encode_query_value(t.name);
}

std::string KubeBackend::patch_query(bool dry_run) const {
  return "?fieldManager=" + encode_query_value(client_.config().field_manager) +
         (dry_run ? "&dryRun=All" : "");
}

std::optional<Workload> KubeBackend::find(const Target& target, std::string& error) {
  auto res = client_.call("GET", deployment_path(target));
  if (!res.ok()) {
    error = res.error;
    return std::nullopt;
  }
  return workload_of(res.body);
}

std::optional<std::vector<Workload>> KubeBackend::list(const std::string& ns,
                                                       const std::string& selector,
                                                       std::string& error) {
  auto res = client_.call("GET", "/apis/apps/v1/namespaces/" + encode_query_value(ns) +
                                     "/deployments?labelSelector=" + encode_query_value(selector));
  if (!res.ok()) {
    error = res.error;
    return std::nullopt;
  }
  std::vector<Workload> out;
  if (res.body.contains("items") && res.body["items"].is_array()) {
    for (const auto& d : res.body["items"]) out.push_back(workload_of(d));
  }
  return out;
}

std::optional<std::vector<PodRestarts>> KubeBackend::pods(const Workload& w, std::string& error) {
  if (w.pod_selector.empty()) {
    error = w.target.key() + " has no spec.selector.matchLabels";
    return std::nullopt;
  }
  auto res =
      client_.call("GET", "/api/v1/namespaces/" + encode_query_value(w.target.namespace_name) +
                              "/pods?labelSelector=" + encode_query_value(w.pod_selector));
  if (!res.ok()) {
    error = res.error;
    return std::nullopt;
  }
  return pod_restarts_of(res.body);
}

Outcome KubeBackend::restart(const Workload& w, bool dry_run) {
  if (!w.refusal.empty())
    return Outcome::failure("refused to restart " + w.target.key() + ": " + w.refusal);
  const json patch = {
      {"spec",
       {{"template",
         {{"metadata", {{"annotations", {{kRestartedAtAnnotation, kube_time(clock_())}}}}}}}}}};
  auto res = client_.call("PATCH", deployment_path(w.target) + patch_query(dry_run),
                          kStrategicMergePatch, patch.dump());
  return res.ok() ? Outcome::success() : Outcome::failure(res.error);
}

Outcome KubeBackend::annotate(const Workload& w, const alerting::LabelSet& annotations,
                              bool dry_run) {
  json values = json::object();
  for (const auto& [k, v] : annotations) values[k] = v;
  const json patch = {{"metadata", {{"annotations", values}}}};
  auto res = client_.call("PATCH", deployment_path(w.target) + patch_query(dry_run),
                          kStrategicMergePatch, patch.dump());
  return res.ok() ? Outcome::success() : Outcome::failure(res.error);
}

Outcome KubeBackend::record_event(const Workload& w, const Decision& d) {
  const bool warning = d.result == Result::failed || d.result == Result::gave_up;
  std::string reason;
  switch (d.result) {
    case Result::acted:
      reason = "AutoHealRestarted";
      break;
    case Result::dry_run:
      reason = "AutoHealDryRun";
      break;
    case Result::failed:
      reason = "AutoHealFailed";
      break;
    case Result::gave_up:
      reason = "AutoHealGaveUp";
      break;
    default:
      reason = "AutoHealSkipped";
      break;
  }
  const std::string now = kube_time(clock_());
  const json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata",
       {{"generateName", w.target.name + ".autoheal-"}, {"namespace", w.target.namespace_name}}},
      {"involvedObject",
       {{"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"name", w.target.name},
        {"namespace", w.target.namespace_name},
        {"uid", w.uid}}},
      {"reason", reason},
      {"message", d.reason},
      {"type", warning ? "Warning" : "Normal"},
      {"source", {{"component", "auto-healer"}}},
      {"reportingComponent", "firedrill.io/auto-healer"},
      {"reportingInstance", instance_},
      {"action", std::string(to_string(d.result))},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1}};
  auto res = client_.call(
      "POST", "/api/v1/namespaces/" + encode_query_value(w.target.namespace_name) + "/events",
      "application/json", event.dump());
  return res.ok() ? Outcome::success() : Outcome::failure(res.error);
}

}  // namespace auto_healer
