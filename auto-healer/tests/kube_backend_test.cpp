// The Kubernetes backend against a stand-in API server (tests/fake_apiserver.hpp): the exact
// requests it sends, and how it reads the server's answers and errors.
#include "auto_healer/kube_backend.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "fake_apiserver.hpp"

using namespace auto_healer;
using auto_healer::testing::Canned;
using auto_healer::testing::deployment;
using auto_healer::testing::FakeApiServer;
using auto_healer::testing::status_object;
using nlohmann::json;

namespace {

// 2026-12-01T12:00:00.750Z
const TimePoint kNow = TimePoint(std::chrono::milliseconds(1796126400750));

struct TokenFile {
  std::string path = "/tmp/auto-healer-token-" + std::to_string(::getpid()) + "-" +
                     std::to_string(reinterpret_cast<std::uintptr_t>(this));
  explicit TokenFile(const std::string& token) { write(token); }
  void write(const std::string& token) const {
    std::ofstream(path, std::ios::trunc) << token << "\n";
  }
  ~TokenFile() { std::remove(path.c_str()); }
};

KubeBackend backend_for(const FakeApiServer& api, const TokenFile& token) {
  KubeConfig config;
  config.api_url = api.url();
  config.token_file = token.path;
  config.timeout = std::chrono::milliseconds(5000);
  return KubeBackend(
      config, [] { return kNow; }, "auto-healer-7d9f8-abcde");
}

const std::string kDeploymentPath = "/apis/apps/v1/namespaces/firedrill/deployments/portal";

}  // namespace

TEST_CASE("restart sends the PATCH of kubectl rollout restart, with the fieldManager",
          "[kube_backend]") {
  FakeApiServer api;
  TokenFile token("token-one");
  auto backend = backend_for(api, token);
  api.answer("GET " + kDeploymentPath, Canned{200, deployment("firedrill", "portal")});
  api.answer("PATCH " + kDeploymentPath, Canned{200, deployment("firedrill", "portal")});

  std::string error;
  auto workload = backend.find(Target{"firedrill", "portal"}, error);
  REQUIRE(workload);
  CHECK(workload->labels.at("firedrill.io/autoheal") == "true");
  CHECK(workload->refusal.empty());
  CHECK(workload->pod_selector == "app.kubernetes.io/name=portal");

  SECTION("for real") {
    REQUIRE(backend.restart(*workload, false).ok);
    auto seen = api.seen();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].path == kDeploymentPath);
    CHECK(seen[0].query.empty());
    CHECK(seen[0].authorization == "Bearer token-one");
    CHECK(seen[1].method == "PATCH");
    CHECK(seen[1].path == kDeploymentPath);
    CHECK(seen[1].query == "fieldManager=auto-healer");
    CHECK(seen[1].content_type == "application/strategic-merge-patch+json");
    CHECK(
        seen[1].body ==
        R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-12-01T12:00:00Z"}}}}})");
  }
  SECTION("as a server-side dry run") {
    REQUIRE(backend.restart(*workload, true).ok);
    auto seen = api.seen();
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].query == "fieldManager=auto-healer&dryRun=All");
  }
}

TEST_CASE("the token is read again for every call, as it rotates", "[kube_backend]") {
  FakeApiServer api;
  TokenFile token("token-one");
  auto backend = backend_for(api, token);
  api.answer("GET " + kDeploymentPath, Canned{200, deployment("firedrill", "portal")});
  std::string error;
  REQUIRE(backend.find(Target{"firedrill", "portal"}, error));
  token.write("token-two");
  REQUIRE(backend.find(Target{"firedrill", "portal"}, error));
  auto seen = api.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].authorization == "Bearer token-one");
  CHECK(seen[1].authorization == "Bearer token-two");

  std::remove(token.path.c_str());
  CHECK_FALSE(backend.find(Target{"firedrill", "portal"}, error));
  CHECK(error.find("cannot read the service-account token " + token.path) != std::string::npos);
  CHECK(api.seen().size() == 2);  // nothing sent without a token
}

TEST_CASE("the API server's errors come back as one line with reason and message",
          "[kube_backend]") {
  FakeApiServer api;
  TokenFile token("t");
  auto backend = backend_for(api, token);
  std::string error;

  SECTION("404 NotFound") {
    api.answer("GET " + kDeploymentPath,
               Canned{404, status_object(404, "NotFound", "deployments.apps \"portal\" not found",
                                         "portal", "deployments")});
    CHECK_FALSE(backend.find(Target{"firedrill", "portal"}, error));
    CHECK(error == "GET " + kDeploymentPath +
                       " answered 404 NotFound: deployments.apps \"portal\" not found");
  }
  SECTION("403 Forbidden") {
    const std::string message =
        "deployments.apps \"portal\" is forbidden: User "
        "\"system:serviceaccount:firedrill:auto-healer\" cannot patch resource \"deployments\" in "
        "API group \"apps\" in the namespace \"firedrill\"";
    api.answer("PATCH " + kDeploymentPath,
               Canned{403, status_object(403, "Forbidden", message, "portal", "deployments")});
    auto outcome = backend.restart(workload_of(deployment("firedrill", "portal")), false);
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.error == "PATCH " + kDeploymentPath +
                               "?fieldManager=auto-healer answered 403 Forbidden: " + message);
  }
  SECTION("409 Conflict") {
    const std::string message =
        "Operation cannot be fulfilled on deployments.apps \"portal\": the object has been "
        "modified; please apply your changes to the latest version and try again";
    api.answer("PATCH " + kDeploymentPath,
               Canned{409, status_object(409, "Conflict", message, "portal", "deployments")});
    auto outcome = backend.restart(workload_of(deployment("firedrill", "portal")), false);
    CHECK(outcome.error == "PATCH " + kDeploymentPath +
                               "?fieldManager=auto-healer answered 409 Conflict: " + message);
  }
  SECTION("no server at all") {
    KubeConfig config;
    config.api_url = "http://127.0.0.1:1";
    config.token_file = token.path;
    KubeBackend nowhere(
        config, [] { return kNow; }, "x");
    CHECK_FALSE(nowhere.find(Target{"firedrill", "portal"}, error));
    CHECK(error.find("to the Kubernetes API at http://127.0.0.1:1: no response") !=
          std::string::npos);
  }
}

TEST_CASE("a paused deployment or a rollout in progress is refused without a PATCH",
          "[kube_backend]") {
  FakeApiServer api;
  TokenFile token("t");
  auto backend = backend_for(api, token);
  auto d = deployment("firedrill", "portal");

  SECTION("paused") {
    d["spec"]["paused"] = true;
    auto outcome = backend.restart(workload_of(d), false);
    CHECK(outcome.error ==
          "refused to restart firedrill/portal: the Deployment is paused (kubectl rollout resume "
          "first)");
  }
  SECTION("the controller has not seen the latest generation") {
    d["metadata"]["generation"] = 4;
    CHECK(rollout_refusal(d) ==
          "a rollout is in progress: the controller has not observed generation 4 yet (observed "
          "3)");
  }
  SECTION("not every replica runs the latest template") {
    d["status"]["updatedReplicas"] = 1;
    CHECK(rollout_refusal(d) ==
          "a rollout is in progress: 1 of 2 replicas run the latest template");
  }
  SECTION("old replicas still terminating") {
    d["status"]["replicas"] = 3;
    CHECK(rollout_refusal(d) == "a rollout is in progress: 1 old replicas are pending termination");
  }
  SECTION("unavailable pods of the latest template are the sickness, not a rollout") {
    d["status"]["availableReplicas"] = 0;
    CHECK(rollout_refusal(d).empty());
  }
  if (!rollout_refusal(d).empty()) CHECK_FALSE(backend.restart(workload_of(d), false).ok);
  for (const auto& r : api.seen()) CHECK(r.method != "PATCH");
}

TEST_CASE("deployments and pods are listed by label selector", "[kube_backend]") {
  FakeApiServer api;
  TokenFile token("t");
  auto backend = backend_for(api, token);
  api.answer("GET /apis/apps/v1/namespaces/firedrill/deployments",
             Canned{200, json{{"kind", "DeploymentList"},
                              {"apiVersion", "apps/v1"},
                              {"metadata", {{"resourceVersion", "48290"}}},
                              {"items", {deployment("firedrill", "portal")}}}});
  json pod = {
      {"metadata",
       {{"name", "portal-6c8d9b7f5-x2x9q"},
        {"namespace", "firedrill"},
        {"uid", "b3d0c6de-2f0e-4f7e-8a51-0c3b1f4f9a10"},
        {"creationTimestamp", "2026-12-01T11:58:00Z"},
        {"labels", {{"app.kubernetes.io/name", "portal"}, {"pod-template-hash", "6c8d9b7f5"}}}}},
      {"status",
       {{"phase", "Running"},
        {"initContainerStatuses", {{{"name", "init"}, {"restartCount", 1}, {"ready", true}}}},
        {"containerStatuses",
         {{{"name", "portal"},
           {"restartCount", 4},
           {"ready", false},
           {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
           {"lastState", {{"terminated", {{"exitCode", 3}, {"reason", "Error"}}}}}}}}}}};
  api.answer("GET /api/v1/namespaces/firedrill/pods",
             Canned{200, json{{"kind", "PodList"},
                              {"apiVersion", "v1"},
                              {"metadata", {{"resourceVersion", "48291"}}},
                              {"items", {pod}}}});
  std::string error;
  auto workloads = backend.list("firedrill", "firedrill.io/autoheal=true", error);
  REQUIRE(workloads);
  REQUIRE(workloads->size() == 1);
  auto pods = backend.pods(workloads->front(), error);
  REQUIRE(pods);
  REQUIRE(pods->size() == 1);
  CHECK(pods->front().uid == "b3d0c6de-2f0e-4f7e-8a51-0c3b1f4f9a10");
  CHECK(pods->front().restarts == 5);
  CHECK(pods->front().created == *firedrill::alerting::parse_time("2026-12-01T11:58:00Z"));
  auto seen = api.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].query == "labelSelector=firedrill.io%2Fautoheal%3Dtrue");
  CHECK(seen[1].path == "/api/v1/namespaces/firedrill/pods");
  CHECK(seen[1].query == "labelSelector=app.kubernetes.io%2Fname%3Dportal");
}

TEST_CASE("every decision is posted as a core/v1 Event on the Deployment", "[kube_backend]") {
  FakeApiServer api;
  TokenFile token("t");
  auto backend = backend_for(api, token);
  api.answer("POST /api/v1/namespaces/firedrill/events", Canned{201, json{{"kind", "Event"}}});
  Decision d;
  d.result = Result::gave_up;
  d.target = Target{"firedrill", "portal"};
  d.reason = "auto-heal gave up on portal after 3 restarts";
  REQUIRE(backend.record_event(workload_of(deployment("firedrill", "portal")), d).ok);
  auto seen = api.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].content_type == "application/json");
  auto event = json::parse(seen[0].body);
  CHECK(event["kind"] == "Event");
  CHECK(event["involvedObject"] == json{{"apiVersion", "apps/v1"},
                                        {"kind", "Deployment"},
                                        {"name", "portal"},
                                        {"namespace", "firedrill"},
                                        {"uid", "5f1c9e0a-4d2b-4a8e-9c3f-2b7d41a0e6c1"}});
  CHECK(event["reason"] == "AutoHealGaveUp");
  CHECK(event["type"] == "Warning");
  CHECK(event["message"] == "auto-heal gave up on portal after 3 restarts");
  CHECK(event["metadata"]["generateName"] == "portal.autoheal-");
  CHECK(event["firstTimestamp"] == "2026-12-01T12:00:00Z");
  CHECK(event["reportingInstance"] == "auto-healer-7d9f8-abcde");
}

TEST_CASE("the in-cluster address comes from KUBERNETES_SERVICE_HOST and _PORT", "[kube_backend]") {
  std::map<std::string, std::string> env;
  auto getenv = [&env](const char* n) -> const char* {
    auto it = env.find(n);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  std::string error;
  CHECK_FALSE(in_cluster_api_url(getenv, error));
  CHECK(error.rfind("KUBERNETES_SERVICE_HOST is not set", 0) == 0);
  env["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
  CHECK(in_cluster_api_url(getenv, error) == "https://10.96.0.1:443");
  env["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  env["KUBERNETES_SERVICE_PORT"] = "6443";
  CHECK(in_cluster_api_url(getenv, error) == "https://[fd00::1]:6443");
}
