// POST /webhook on a real listener: which alerts are acted on, the 500 that makes Alertmanager
// retry, authentication, bad bodies, resolved alerts, and the audit metric.
#include "auto_healer/receiver.hpp"

#include <catch2/catch.hpp>
#include <mutex>

#include "firedrill/testing.hpp"

using namespace auto_healer;
using nlohmann::json;

namespace {

TimePoint clock_now = TimePoint(std::chrono::seconds(1796126400));

class RecordingBackend final : public Backend {
 public:
  std::string name() const override { return "recording"; }
  std::optional<Workload> find(const Target& target, std::string& error) override {
    if (target.name == "missing") {
      error =
          "GET .../deployments/missing answered 404 NotFound: deployments.apps \"missing\" not "
          "found";
      return std::nullopt;
    }
    Workload w;
    w.target = target;
    w.labels = {{"firedrill.io/autoheal", "true"}};
    return w;
  }
  Outcome restart(const Workload& w, bool dry_run) override {
    std::lock_guard lock(mutex);
    restarts.push_back(w.target.key() + (dry_run ? " (dry run)" : ""));
    return fail ? Outcome::failure("exit 1") : Outcome::success();
  }
  Outcome record_event(const Workload&, const Decision& d) override {
    std::lock_guard lock(mutex);
    events.push_back(std::string(to_string(d.result)));
    return Outcome::success();
  }
  std::mutex mutex;
  std::vector<std::string> restarts;
  std::vector<std::string> events;
  bool fail = false;
};

class RecordingNotifier final : public Notifier {
 public:
  std::string notify(const Decision& d, const AlertRef& alert) override {
    told.push_back(std::string(to_string(d.result)) + " " + alert.alertname + " " +
                   alert.fingerprint);
    return {};
  }
  std::vector<std::string> told;
};

// A notification in the shape Alertmanager 0.25 sends (webhook version 4).
std::string notification(const std::string& status, const std::string& service,
                         const std::string& fingerprint, bool remediation = true) {
  json labels = {{"alertname", "PortalRestarting"},
                 {"instance", "127.0.0.1:8081"},
                 {"job", "portal"},
                 {"service", service},
                 {"severity", "ticket"}};
  if (remediation) labels["remediation"] = "restart";
  return json{
      {"receiver", "auto-healer"},
      {"status", status},
      {"alerts",
       {{{"status", status},
         {"labels", labels},
         {"annotations", {{"summary", "portal restarted more than 3 times in 15m"}}},
         {"startsAt", "2026-12-01T11:58:31.204Z"},
         {"endsAt", status == "firing" ? "0001-01-01T00:00:00Z" : "2026-12-01T12:03:31.204Z"},
         {"generatorURL", "http://127.0.0.1:9090/graph?g0.expr=..."},
         {"fingerprint", fingerprint}}}},
      {"groupLabels", {{"alertname", "PortalRestarting"}, {"service", service}}},
      {"commonLabels", labels},
      {"commonAnnotations", json::object()},
      {"externalURL", "http://127.0.0.1:9093"},
      {"version", "4"},
      {"groupKey", "{}/{remediation=~\".+\"}:{alertname=\"PortalRestarting\"}"},
      {"truncatedAlerts", 0}}
      .dump();
}

struct Fixture {
  Fixture()
      : service("auto-healer", firedrill::testing::test_settings()),
        audit(service.metrics().registry()) {
    policy.allowed_namespaces = {"firedrill"};
    policy.cooldown = std::chrono::seconds(60);
    healer = std::make_unique<Healer>(policy, [] { return clock_now; });
    receiver = std::make_unique<Receiver>(*healer, backend, audit, &notifier, nullptr,
                                          ReceiverOptions{"firedrill", "hook-token"},
                                          [] { return clock_now; });
    receiver->register_routes(service.api());
  }
  httplib::Result post(httplib::Client& c, const std::string& body,
                       const std::string& token = "hook-token") {
    return c.Post("/webhook", {{"Authorization", "Bearer " + token}}, body, "application/json");
  }
  firedrill::Service service;
  Audit audit;
  Policy policy;
  RecordingBackend backend;
  RecordingNotifier notifier;
  std::unique_ptr<Healer> healer;
  std::unique_ptr<Receiver> receiver;
};

}  // namespace

TEST_CASE("a firing alert with a remediation restarts its target once", "[receiver]") {
  Fixture f;
  firedrill::testing::RunningService running(f.service);
  auto client = running.api();
  auto res = f.post(client, notification("firing", "portal", "6f4e1d2c3b4a5968"));
  REQUIRE(res);
  CHECK(res->status == 200);
  auto body = json::parse(res->body);
  REQUIRE(body["decisions"].size() == 1);
  CHECK(body["decisions"][0]["result"] == "acted");
  CHECK(body["decisions"][0]["target"] == "firedrill/portal");
  CHECK(body["decisions"][0]["occurrence"] == "6f4e1d2c3b4a5968@2026-12-01T11:58:31.204Z");
  CHECK(f.backend.restarts == std::vector<std::string>{"firedrill/portal"});

  // The HA peer's copy: a duplicate, 200, no second restart.
  res = f.post(client, notification("firing", "portal", "6f4e1d2c3b4a5968"));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body)["decisions"][0]["result"] == "duplicate");
  CHECK(f.backend.restarts.size() == 1);
  CHECK(f.backend.events == std::vector<std::string>{"acted", "duplicate"});
  CHECK(f.notifier.told == std::vector<std::string>{"acted PortalRestarting 6f4e1d2c3b4a5968",
                                                    "duplicate PortalRestarting 6f4e1d2c3b4a5968"});

  auto metrics = running.ops().Get("/metrics");
  REQUIRE(metrics);
  CHECK_THAT(metrics->body,
             Catch::Contains("autohealer_actions_total{action=\"restart\",result=\"acted\"} 1"));
  CHECK_THAT(
      metrics->body,
      Catch::Contains("autohealer_actions_total{action=\"restart\",result=\"duplicate\"} 1"));
  CHECK_THAT(metrics->body,
             Catch::Contains("autohealer_actions_total{action=\"restart\",result=\"cap\"} 0"));
  CHECK_THAT(
      metrics->body,
      Catch::Contains(
          "autohealer_last_action_timestamp_seconds{target=\"firedrill/portal\"} 1796126400"));
  auto [code, output] = firedrill::testing::promtool_check_metrics(PROMTOOL, metrics->body);
  CHECK(code == 0);
  CHECK(output.empty());
}

TEST_CASE("a failed action answers 500 so that Alertmanager sends it again", "[receiver]") {
  Fixture f;
  firedrill::testing::RunningService running(f.service);
  auto client = running.api();
  f.backend.fail = true;
  auto res = f.post(client, notification("firing", "portal", "aa"));
  REQUIRE(res);
  CHECK(res->status == 500);
  CHECK(json::parse(res->body)["decisions"][0]["reason"] ==
        "restart of firedrill/portal failed: exit 1");
  // The retry, once the backend works again, acts.
  f.backend.fail = false;
  res = f.post(client, notification("firing", "portal", "aa"));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body)["decisions"][0]["result"] == "acted");

  SECTION("a target the backend cannot find is a failure too") {
    res = f.post(client, notification("firing", "missing", "bb"));
    REQUIRE(res);
    CHECK(res->status == 500);
    CHECK(json::parse(res->body)["decisions"][0]["reason"] ==
          "cannot find firedrill/missing: GET .../deployments/missing answered 404 NotFound: "
          "deployments.apps \"missing\" not found");
  }
}

TEST_CASE("alerts without a remediation are left alone; resolved ones end the attempts",
          "[receiver]") {
  Fixture f;
  firedrill::testing::RunningService running(f.service);
  auto client = running.api();
  auto res = f.post(client, notification("firing", "portal", "cc", /*remediation=*/false));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body)["decisions"].empty());
  CHECK(f.backend.restarts.empty());

  REQUIRE(f.post(client, notification("firing", "portal", "dd"))->status == 200);
  clock_now += std::chrono::seconds(1);
  CHECK(json::parse(f.post(client, notification("firing", "portal", "ee"))
                        ->body)["decisions"][0]["result"] == "cooldown");
  REQUIRE(f.post(client, notification("resolved", "portal", "dd"))->status == 200);
  CHECK(f.backend.restarts.size() == 1);
}

TEST_CASE("the webhook needs its bearer token and a valid body", "[receiver]") {
  Fixture f;
  firedrill::testing::RunningService running(f.service);
  auto client = running.api();
  auto res = f.post(client, notification("firing", "portal", "ff"), "wrong");
  REQUIRE(res);
  CHECK(res->status == 401);
  CHECK(res->get_header_value("WWW-Authenticate") == "Bearer realm=\"auto-healer\"");
  res = client.Post("/webhook", notification("firing", "portal", "ff"), "application/json");
  REQUIRE(res);
  CHECK(res->status == 401);
  res = f.post(client, "{\"alerts\": [");
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK_THAT(json::parse(res->body)["error"].get<std::string>(),
             Catch::StartsWith("malformed JSON"));
  res = f.post(
      client,
      R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"startsAt":"yesterday"}]})");
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(f.backend.restarts.empty());
}
