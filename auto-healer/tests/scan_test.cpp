// One scan pass against the stand-in API server: increases since the last pass from the ledger
// annotation, the threshold, the restart and the annotations it writes back.
#include "auto_healer/scan.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "fake_apiserver.hpp"

using namespace auto_healer;
using auto_healer::testing::Canned;
using auto_healer::testing::deployment;
using auto_healer::testing::FakeApiServer;
using nlohmann::json;

namespace {

const TimePoint kScanNow = *firedrill::alerting::parse_time("2026-12-01T12:00:00Z");

json pod_list(std::int64_t restarts) {
  return {{"kind", "PodList"},
          {"apiVersion", "v1"},
          {"metadata", {{"resourceVersion", "1"}}},
          {"items",
           {{{"metadata",
              {{"name", "portal-6c8d9b7f5-x2x9q"},
               {"uid", "pod-uid-1"},
               {"creationTimestamp", "2026-11-30T08:00:00Z"}}},
             {"status",
              {{"containerStatuses", {{{"name", "portal"}, {"restartCount", restarts}}}}}}}}}};
}

struct ScanFixture {
  FakeApiServer api;
  std::string token_path = "/tmp/auto-healer-scan-token-" + std::to_string(::getpid());
  prometheus::Registry registry;
  Audit audit{registry};
  ScanFixture() { std::ofstream(token_path) << "t\n"; }
  ~ScanFixture() { std::remove(token_path.c_str()); }
  ScanReport run(const json& deployment_with_annotations) {
    api.answer("GET /apis/apps/v1/namespaces/firedrill/deployments",
               Canned{200, json{{"kind", "DeploymentList"},
                                {"apiVersion", "apps/v1"},
                                {"metadata", json::object()},
                                {"items", {deployment_with_annotations}}}});
    api.answer("PATCH /apis/apps/v1/namespaces/firedrill/deployments/portal",
               Canned{200, deployment("firedrill", "portal")});
    api.answer("POST /api/v1/namespaces/firedrill/events", Canned{201, json{{"kind", "Event"}}});
    KubeConfig config;
    config.api_url = api.url();
    config.token_file = token_path;
    KubeBackend backend(
        config, [] { return kScanNow; }, "scan-pod");
    Policy policy;
    policy.allowed_namespaces = {"firedrill"};
    return run_scan(backend, policy, {"firedrill"}, audit, [] { return kScanNow; });
  }
  std::vector<json> annotation_patches() const {
    std::vector<json> out;
    for (const auto& r : api.seen()) {
      if (r.method != "PATCH") continue;
      auto body = json::parse(r.body);
      if (body.contains("metadata")) out.push_back(body["metadata"]["annotations"]);
    }
    return out;
  }
  int restart_patches() const {
    int n = 0;
    for (const auto& r : api.seen())
      n += r.method == "PATCH" && r.body.find("restartedAt") != std::string::npos;
    return n;
  }
};

}  // namespace

TEST_CASE("a first pass only takes a baseline of old pods' restart counts", "[scan]") {
  ScanFixture f;
  f.api.answer("GET /api/v1/namespaces/firedrill/pods", Canned{200, pod_list(40)});
  auto report = f.run(deployment("firedrill", "portal"));
  CHECK(report.success);
  CHECK(report.workloads == 1);
  CHECK(report.restarted == 0);
  REQUIRE(report.decisions.size() == 1);
  CHECK(report.decisions[0].result == Result::below_threshold);
  CHECK(f.restart_patches() == 0);
  auto patches = f.annotation_patches();
  REQUIRE(patches.size() == 1);
  CHECK(patches[0][kLedgerAnnotation] == R"({"increases":[],"pods":{"pod-uid-1":40}})");
  CHECK(patches[0][kActionsAnnotation] == "[]");
}

TEST_CASE("an increase over the threshold since the last pass restarts the deployment", "[scan]") {
  ScanFixture f;
  f.api.answer("GET /api/v1/namespaces/firedrill/pods", Canned{200, pod_list(43)});
  auto d = deployment("firedrill", "portal");
  d["metadata"]["annotations"][kLedgerAnnotation] = R"({"increases":[],"pods":{"pod-uid-1":40}})";
  auto report = f.run(d);
  CHECK(report.success);
  CHECK(report.restarted == 1);
  CHECK(report.decisions.at(0).result == Result::acted);
  CHECK(f.restart_patches() == 1);
  auto patches = f.annotation_patches();
  REQUIRE(patches.size() == 1);
  // The restarts that led to the action do not count towards the next one.
  CHECK(patches[0][kLedgerAnnotation] == R"({"increases":[],"pods":{"pod-uid-1":43}})");
  CHECK(patches[0][kActionsAnnotation] == R"(["2026-12-01T12:00:00Z"])");

  SECTION("within the cooldown of a recorded action it waits") {
    ScanFixture g;
    g.api.answer("GET /api/v1/namespaces/firedrill/pods", Canned{200, pod_list(50)});
    d["metadata"]["annotations"][kActionsAnnotation] = R"(["2026-12-01T11:58:00Z"])";
    auto again = g.run(d);
    CHECK(again.decisions.at(0).result == Result::cooldown);
    CHECK(g.restart_patches() == 0);
  }
}

TEST_CASE("a pass that cannot read pods reports failure and restarts nothing", "[scan]") {
  ScanFixture f;
  f.api.answer("GET /api/v1/namespaces/firedrill/pods",
               Canned{403, auto_healer::testing::status_object(403, "Forbidden",
                                                               "pods is forbidden", "", "pods")});
  auto report = f.run(deployment("firedrill", "portal"));
  CHECK_FALSE(report.success);
  CHECK(report.errors == 1);
  CHECK(f.restart_patches() == 0);
}
