#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <future>

#include "firedrill/testing.hpp"
#include "portal/portal.hpp"
#include "support.hpp"

using firedrill::Service;
using firedrill::testing::RunningService;
using firedrill::testing::test_settings;
using nlohmann::json;
using portal::testing::BlockingSleeper;
using portal::testing::RecordingSleeper;
using portal::testing::sample;

namespace {

/// Records crashes instead of exiting.
struct CrashRecorder {
  std::promise<int> crashed;
  std::atomic<int> count{0};
  portal::CrashHandler handler() {
    return [this](int code) {
      if (count.fetch_add(1) == 0) crashed.set_value(code);
    };
  }
};

std::string temp_path(const char* name) {
  return std::string("/tmp/portal-test-") + std::to_string(::getpid()) + "-" + name;
}

/// A portal (seed 1) with its admin routes on, a recording sleeper and a crash recorder, serving
/// on port 0.
struct AdminPortal {
  explicit AdminPortal(portal::PortalConfig config = {})
      : p(service, seeded(std::move(config)), sleeper, crash.handler()), running(service) {}
  static portal::PortalConfig seeded(portal::PortalConfig config) {
    config.seed = 1;
    return config;
  }
  Service service{"portal", test_settings(true)};
  RecordingSleeper sleeper;
  CrashRecorder crash;
  portal::Portal p;
  RunningService running;
};

const httplib::Headers kJson{};

}  // namespace

TEST_CASE("GET, PUT and DELETE /admin/faults", "[admin]") {
  AdminPortal t;
  auto& crash = t.crash;
  auto& running = t.running;
  auto ops = running.ops();
  const json healthy = portal::to_json(portal::FaultState{});

  auto res = ops.Get("/admin/faults");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body) == healthy);

  SECTION("PUT sets a subset and leaves the rest") {
    res = ops.Put("/admin/faults", R"({"error_rate": 0.5, "error_code": 502})", "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    auto expected = healthy;
    expected["error_rate"] = 0.5;
    expected["error_code"] = 502;
    CHECK(json::parse(res->body) == expected);
    res = ops.Put("/admin/faults", R"({"latency_ms": 100})", "application/json");
    expected["latency_ms"] = 100;
    CHECK(json::parse(res->body) == expected);
    CHECK(json::parse(ops.Get("/admin/faults")->body) == expected);
    auto text = ops.Get("/metrics")->body;
    CHECK(sample(text, "portal_fault_error_rate") == 0.5);
    CHECK(sample(text, "portal_fault_latency_seconds") == 0.1);

    SECTION("DELETE restores health") {
      res = ops.Delete("/admin/faults");
      REQUIRE(res);
      CHECK(res->status == 200);
      CHECK(json::parse(res->body) == healthy);
      CHECK(json::parse(ops.Get("/admin/faults")->body) == healthy);
      text = ops.Get("/metrics")->body;
      CHECK(sample(text, "portal_fault_error_rate") == 0);
      CHECK(sample(text, "portal_fault_latency_seconds") == 0);
      CHECK(running.api().Get("/api/items")->status == 200);
    }
  }
  SECTION("a bad field is a 400 naming it, and nothing is applied") {
    REQUIRE(ops.Put("/admin/faults", R"({"error_rate": 0.1})", "application/json")->status == 200);
    const auto before = json::parse(ops.Get("/admin/faults")->body);
    const std::vector<std::pair<std::string, json>> cases{
        {R"({"error_rate": 0.9, "latency_ms": 20000})",
         {{"error", "latency_ms: expected a whole number of milliseconds from 0 to 10000"},
          {"field", "latency_ms"}}},
        {R"({"ready": false, "colour": "red"})",
         {{"error",
           "colour: unknown field; expected any of error_rate, error_code, latency_ms, "
           "latency_jitter_ms, latency_rate, routes, ready, healthy, crash_after_ms"},
          {"field", "colour"}}},
        {R"({"error_code": 200})",
         {{"error", "error_code: expected an HTTP status code from 500 to 599"},
          {"field", "error_code"}}},
        {"not json", {{"error", "body: not valid JSON"}, {"field", "body"}}},
        {"", {{"error", "body: not valid JSON"}, {"field", "body"}}},
        {"[]", {{"error", "body: expected a JSON object of fault fields"}, {"field", "body"}}},
    };
    for (const auto& [body, error] : cases) {
      INFO(body);
      res = ops.Put("/admin/faults", body, "application/json");
      REQUIRE(res);
      CHECK(res->status == 400);
      CHECK(json::parse(res->body) == error);
    }
    CHECK(json::parse(ops.Get("/admin/faults")->body) == before);
    CHECK(ops.Get("/readyz")->status == 200);
  }
  SECTION("ready and healthy flip the probes") {
    REQUIRE(ops.Put("/admin/faults", R"({"ready": false})", "application/json")->status == 200);
    CHECK(ops.Get("/readyz")->status == 503);
    CHECK(ops.Get("/healthz")->status == 200);
    REQUIRE(ops.Put("/admin/faults", R"({"healthy": false})", "application/json")->status == 200);
    CHECK(ops.Get("/healthz")->status == 503);
    CHECK(ops.Get("/readyz")->status == 503);
    CHECK(running.api().Get("/api/items")->status == 200);  // the API itself still answers
    REQUIRE(ops.Delete("/admin/faults")->status == 200);
    CHECK(ops.Get("/readyz")->status == 200);
    CHECK(ops.Get("/healthz")->status == 200);
  }
  SECTION("admin routes live on the ops listener only") {
    CHECK(running.api().Get("/admin/faults")->status == 404);
    CHECK(running.api().Post("/admin/crash", "", "application/json")->status == 404);
  }
  SECTION("/metrics passes promtool check metrics with faults injected") {
    REQUIRE(ops.Put("/admin/faults", R"({"error_rate": 1, "latency_ms": 5})", "application/json")
                ->status == 200);
    auto api = running.api();
    REQUIRE(api.Get("/api/items")->status == 500);
    REQUIRE(api.Get("/")->status == 500);
    auto metrics = ops.Get("/metrics");
    REQUIRE(metrics);
    auto [status, output] = firedrill::testing::promtool_check_metrics(PROMTOOL, metrics->body);
    INFO(output);
    CHECK(status == 0);
    CHECK(output.empty());
    CHECK(sample(metrics->body, R"(portal_faults_injected_total{kind="error"})") == 2);
    CHECK(sample(metrics->body, R"(portal_faults_injected_total{kind="latency"})") == 2);
  }
  CHECK(crash.count == 0);
}

TEST_CASE("admin routes require the bearer token when one is set", "[admin][auth]") {
  portal::PortalConfig config;
  config.admin_token = "s3cret";
  AdminPortal t(config);
  auto& p = t.p;
  auto& crash = t.crash;
  auto ops = t.running.ops();

  auto check_401 = [](const httplib::Result& res, const std::string& error) {
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(res->get_header_value("WWW-Authenticate") == "Bearer realm=\"portal-admin\"");
    CHECK(json::parse(res->body) == json{{"error", error}});
  };
  const std::string missing = "admin routes require Authorization: Bearer <token>";
  check_401(ops.Get("/admin/faults"), missing);
  check_401(ops.Put("/admin/faults", R"({"error_rate":1})", "application/json"), missing);
  check_401(ops.Delete("/admin/faults"), missing);
  check_401(ops.Post("/admin/crash", "", "application/json"), missing);
  check_401(ops.Put("/admin/faults", {{"Authorization", "Bearer wrong"}}, R"({"error_rate":1})",
                    "application/json"),
            "invalid admin token");
  check_401(ops.Get("/admin/faults", {{"Authorization", "Bearer s3cret2"}}), "invalid admin token");
  check_401(ops.Get("/admin/faults", {{"Authorization", "Basic s3cret"}}), "invalid admin token");
  check_401(ops.Get("/admin/faults", {{"Authorization", "s3cret"}}), "invalid admin token");
  // Nothing was applied, and no crash happened.
  CHECK(p.faults().state() == portal::FaultState{});
  CHECK(crash.count == 0);

  auto ok = ops.Put("/admin/faults", {{"Authorization", "Bearer s3cret"}}, R"({"error_rate":1})",
                    "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(p.faults().state().error_rate == 1.0);
  // Probes and metrics stay open: kubelets and Prometheus carry no token.
  CHECK(ops.Get("/healthz")->status == 200);
  CHECK(ops.Get("/readyz")->status == 200);
  CHECK(ops.Get("/metrics")->status == 200);
}

TEST_CASE("probes and scrapes are unaffected while latency holds every API worker",
          "[admin][faults]") {
  auto settings = test_settings(true);
  settings.threads = 4;
  Service service("portal", settings);
  BlockingSleeper sleeper;
  portal::PortalConfig config;
  config.seed = 1;
  config.faults.latency_ms = portal::kMaxLatencyMs;
  portal::Portal p(service, config, sleeper, [](int) {});
  RunningService running(service);

  std::vector<std::future<int>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::async(std::launch::async, [&] {
      auto res = running.api().Get("/api/items");
      return res ? res->status : -1;
    }));
  }
  REQUIRE(sleeper.wait_for_sleepers(4));  // every API worker is now delayed
  auto ops = running.ops();
  CHECK(ops.Get("/healthz")->status == 200);
  CHECK(ops.Get("/readyz")->status == 200);
  auto metrics = ops.Get("/metrics");
  REQUIRE(metrics);
  CHECK(sample(metrics->body, R"(portal_faults_injected_total{kind="latency"})") == 4);
  CHECK(json::parse(ops.Get("/admin/faults")->body)["latency_ms"] == portal::kMaxLatencyMs);

  // Healing releases the held requests at once.
  REQUIRE(ops.Delete("/admin/faults")->status == 200);
  for (auto& f : held) CHECK(f.get() == 200);
}

TEST_CASE("POST /admin/crash answers 202 before crashing", "[admin][crash]") {
  AdminPortal t;
  auto& crash = t.crash;
  auto& running = t.running;
  auto crashed = crash.crashed.get_future();

  auto res = running.ops().Post("/admin/crash", "", "application/json");
  REQUIRE(res);
  CHECK(res->status == 202);
  CHECK(json::parse(res->body) == json{{"status", "crashing"}, {"exit_code", 3}});
  CHECK(crashed.get() == portal::kCrashExitCode);
  CHECK(crash.count == 1);
  auto text = running.ops().Get("/metrics")->body;
  CHECK(sample(text, R"(http_requests_total{code="202",handler="/admin/crash",method="POST"})") ==
        1);
}

TEST_CASE("crash_after_ms crashes after the delay and DELETE disarms it", "[admin][crash]") {
  AdminPortal t;
  auto& p = t.p;
  auto& crash = t.crash;
  auto ops = t.running.ops();

  SECTION("armed") {
    auto crashed = crash.crashed.get_future();
    REQUIRE(ops.Put("/admin/faults", R"({"crash_after_ms": 1})", "application/json")->status ==
            200);
    CHECK(crashed.get() == portal::kCrashExitCode);
  }
  SECTION("disarmed before it fires") {
    REQUIRE(
        ops.Put("/admin/faults", R"({"crash_after_ms": 3600000})", "application/json")->status ==
        200);
    REQUIRE(ops.Delete("/admin/faults")->status == 200);
    CHECK(p.faults().state().crash_after_ms == 0);
    CHECK(crash.count == 0);
  }
}

TEST_CASE("a fault file keeps the faults across restarts", "[admin][fault-file]") {
  const std::string path = temp_path("faults.json");
  std::remove(path.c_str());
  RecordingSleeper sleeper;
  CrashRecorder crash;
  portal::PortalConfig config;
  config.seed = 1;
  config.fault_file = path;
  config.faults.error_rate = 0.05;  // from flags: used until the file exists

  {
    Service service("portal", test_settings(true));
    portal::Portal p(service, config, sleeper, crash.handler());
    CHECK(p.faults().state().error_rate == 0.05);
    RunningService running(service);
    REQUIRE(running.ops()
                .Put("/admin/faults", R"({"error_rate": 0.7, "ready": false})", "application/json")
                ->status == 200);
  }
  {
    // A restart: the file wins over the flags, and the probes follow it.
    Service service("portal", test_settings(true));
    portal::Portal p(service, config, sleeper, crash.handler());
    CHECK(p.faults().state().error_rate == 0.7);
    CHECK_FALSE(p.faults().state().ready);
    RunningService running(service);
    CHECK(running.ops().Get("/readyz")->status == 503);
    REQUIRE(running.ops().Delete("/admin/faults")->status == 200);
  }
  {
    Service service("portal", test_settings(true));
    portal::Portal p(service, config, sleeper, crash.handler());
    CHECK(p.faults().state() == portal::FaultState{});
  }
  SECTION("an unusable fault file is a start-up error naming it") {
    std::ofstream(path) << R"({"error_rate": 7})";
    Service service("portal", test_settings(true));
    CHECK_THROWS_WITH(portal::Portal(service, config, sleeper, crash.handler()),
                      "fault file " + path + ": error_rate: expected a number from 0 to 1");
    std::ofstream(path) << "{";
    CHECK_THROWS_WITH(portal::Portal(service, config, sleeper, crash.handler()),
                      "fault file " + path + ": not valid JSON");
  }
  SECTION("when the file cannot be written, the change is refused") {
    portal::PortalConfig unwritable = config;
    unwritable.fault_file = "/nonexistent-dir/faults.json";
    Service service("portal", test_settings(true));
    portal::Portal p(service, unwritable, sleeper, crash.handler());
    RunningService running(service);
    auto res = running.ops().Put("/admin/faults", R"({"error_rate": 0.9})", "application/json");
    REQUIRE(res);
    CHECK(res->status == 500);
    CHECK(json::parse(res->body)["error"].get<std::string>().starts_with(
        "cannot write fault file /nonexistent-dir/faults.json.tmp"));
    CHECK(p.faults().state().error_rate == 0.05);
  }
  std::remove(path.c_str());
  CHECK(crash.count == 0);
}
