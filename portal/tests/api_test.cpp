#include "portal/api.hpp"

#include <catch2/catch.hpp>

#include "firedrill/testing.hpp"
#include "portal/portal.hpp"
#include "support.hpp"

using firedrill::Service;
using firedrill::testing::RunningService;
using firedrill::testing::test_settings;
using nlohmann::json;
using portal::testing::RecordingSleeper;
using portal::testing::sample;

namespace {

/// A portal on ephemeral ports with a recording sleeper and a fixed seed.
struct TestPortal {
  explicit TestPortal(portal::PortalConfig config = {}) : service("portal", test_settings(true)) {
    if (!config.seed) config.seed = 42;
    config.api.work_cap = std::chrono::milliseconds(20);
    portal = std::make_unique<portal::Portal>(service, std::move(config), sleeper,
                                              // No test here crashes.
                                              [](int) { std::abort(); });
  }
  Service service;
  RecordingSleeper sleeper;
  std::unique_ptr<portal::Portal> portal;
};

}  // namespace

TEST_CASE("the API serves its catalogue and orders", "[api]") {
  TestPortal p;
  RunningService running(p.service);
  auto api = running.api();

  SECTION("GET / says what the portal is and shows the fault state") {
    auto res = api.Get("/");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(res->body.find("Firedrill portal") != std::string::npos);
    CHECK(res->body.find("No faults are injected") != std::string::npos);
    p.portal->faults().set_state(std::get<portal::FaultState>(
        portal::apply_patch({}, {{"error_rate", 0.0}, {"latency_ms", 7}})));
    res = api.Get("/");
    CHECK(res->body.find("Faults are injected") != std::string::npos);
    CHECK(res->body.find("&quot;latency_ms&quot;: 7") != std::string::npos);
  }
  SECTION("GET /api/items lists the catalogue") {
    auto res = api.Get("/api/items");
    REQUIRE(res);
    CHECK(res->status == 200);
    auto body = json::parse(res->body);
    CHECK(body["count"] == portal::kCatalogueSize);
    REQUIRE(body["items"].size() == static_cast<std::size_t>(portal::kCatalogueSize));
    CHECK(body["items"][0] == json{{"id", 1}, {"name", "pager"}, {"price_cents", 500}});
  }
  SECTION("GET /api/items/{id} finds an item, 404 for an unknown id") {
    auto res = api.Get("/api/items/3");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(json::parse(res->body) == json{{"id", 3}, {"name", "coffee mug"}, {"price_cents", 1000}});
    for (const char* id : {"0", "21", "999999999999", "abc", "3x", "-1"}) {
      INFO(id);
      res = api.Get(std::string("/api/items/") + id);
      REQUIRE(res);
      CHECK(res->status == 404);
      CHECK(json::parse(res->body) == json{{"error", std::string("no item with id ") + id}});
    }
  }
  SECTION("POST /api/orders: 201 for a valid order") {
    auto res = api.Post("/api/orders", R"({"item_id": 2, "quantity": 3})", "application/json");
    REQUIRE(res);
    CHECK(res->status == 201);
    auto body = json::parse(res->body);
    CHECK(body["item_id"] == 2);
    CHECK(body["quantity"] == 3);
    CHECK(body["total_cents"] == 3 * 750);
    auto second = api.Post("/api/orders", R"({"item_id": 2, "quantity": 1})", "application/json");
    CHECK(json::parse(second->body)["order_id"].get<int>() == body["order_id"].get<int>() + 1);
  }
  SECTION("POST /api/orders: 400 naming the field for bad input") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"{", "body: not valid JSON"},
        {"[1]", "body: expected an object with item_id and quantity"},
        {R"({"quantity": 1})", "item_id: required"},
        {R"({"item_id": 99, "quantity": 1})",
         "item_id: expected the id of a catalogue item (1 to 20)"},
        {R"({"item_id": "1", "quantity": 1})",
         "item_id: expected the id of a catalogue item (1 to 20)"},
        {R"({"item_id": 1})", "quantity: required"},
        {R"({"item_id": 1, "quantity": 0})", "quantity: expected a whole number from 1 to 100"},
        {R"({"item_id": 1, "quantity": 2.5})", "quantity: expected a whole number from 1 to 100"},
        {R"({"item_id": 1, "quantity": 1, "coupon": "x"})",
         "coupon: unknown field; expected item_id and quantity"},
    };
    for (const auto& [body, error] : cases) {
      INFO(body);
      auto res = api.Post("/api/orders", body, "application/json");
      REQUIRE(res);
      CHECK(res->status == 400);
      CHECK(json::parse(res->body) == json{{"error", error}});
    }
  }
  SECTION("GET /api/work burns CPU, capped") {
    auto res = api.Get("/api/work?ms=5");
    REQUIRE(res);
    CHECK(res->status == 200);
    auto body = json::parse(res->body);
    CHECK(body["work_ms"] == 5);
    CHECK(body["capped"] == false);
    res = api.Get("/api/work?ms=100000");
    body = json::parse(res->body);
    CHECK(body["requested_ms"] == 100000);
    CHECK(body["work_ms"] == 20);  // the test portal's cap
    CHECK(body["capped"] == true);
    for (const char* bad : {"-1", "ten", "1.5", ""}) {
      INFO(bad);
      res = api.Get(std::string("/api/work?ms=") + bad);
      REQUIRE(res);
      CHECK(res->status == 400);
      CHECK(json::parse(res->body) ==
            json{{"error", "ms: expected a whole number of milliseconds"}});
    }
  }
}

TEST_CASE("burn_cpu spends about the CPU time asked for", "[api]") {
  auto cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec};
  };
  const auto before = cpu();
  portal::burn_cpu(std::chrono::milliseconds(15));
  CHECK(cpu() - before >= std::chrono::milliseconds(15));
}

TEST_CASE("injected errors are answered and counted under the code returned", "[api][faults]") {
  portal::PortalConfig config;
  config.faults.error_rate = 1.0;
  config.faults.error_code = 503;
  config.faults.routes = {"/api/items"};
  TestPortal p(config);
  RunningService running(p.service);
  auto api = running.api();
  for (int i = 0; i < 5; ++i) {
    auto res = api.Get("/api/items");
    REQUIRE(res);
    CHECK(res->status == 503);
    CHECK(res->get_header_value("X-Fault-Injected") == "error");
    CHECK(json::parse(res->body) == json{{"error", "injected fault"}});
  }
  auto other = api.Get("/api/items/1");
  REQUIRE(other);
  CHECK(other->status == 200);

  auto text = running.ops().Get("/metrics")->body;
  CHECK(sample(text, R"(http_requests_total{code="503",handler="/api/items",method="GET"})") == 5);
  // Exposed at 0 from the start; no request succeeded.
  CHECK(sample(text, R"(http_requests_total{code="200",handler="/api/items",method="GET"})") == 0);
  CHECK(sample(text, R"(http_requests_total{code="200",handler="/api/items/{id}",method="GET"})") ==
        1);
  CHECK(sample(text, R"(portal_faults_injected_total{kind="error"})") == 5);
  CHECK(sample(text, "portal_fault_error_rate") == 1);
}

TEST_CASE("an error rate fails about that fraction of real requests", "[api][faults]") {
  portal::PortalConfig config;
  config.faults.error_rate = 0.3;
  TestPortal p(config);
  RunningService running(p.service);
  auto api = running.api();
  constexpr int kRequests = 1000;
  int failed = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto res = api.Get("/api/items/1");
    REQUIRE(res);
    if (res->status == 500) ++failed;
  }
  // Binomial(1000, 0.3): the standard deviation is 0.0145; +/- 0.06 is four of them.
  CHECK(static_cast<double>(failed) / kRequests == Approx(0.3).margin(0.06));
  auto text = running.ops().Get("/metrics")->body;
  CHECK(sample(text, R"(http_requests_total{code="500",handler="/api/items/{id}",method="GET"})") ==
        failed);
}

TEST_CASE("latency is added only to the chosen routes", "[api][faults]") {
  portal::PortalConfig config;
  config.faults.latency_ms = 250;
  config.faults.routes = {"/api/orders", "/"};
  TestPortal p(config);
  RunningService running(p.service);
  auto api = running.api();
  REQUIRE(api.Get("/api/items")->status == 200);
  REQUIRE(api.Get("/api/items/2")->status == 200);
  REQUIRE(api.Get("/api/work?ms=0")->status == 200);
  CHECK(p.sleeper.delays().empty());
  REQUIRE(api.Post("/api/orders", R"({"item_id":1,"quantity":1})", "application/json")->status ==
          201);
  REQUIRE(api.Get("/")->status == 200);
  CHECK(p.sleeper.delays() == std::vector<std::chrono::milliseconds>{
                                  std::chrono::milliseconds(250), std::chrono::milliseconds(250)});
  auto text = running.ops().Get("/metrics")->body;
  CHECK(sample(text, R"(portal_faults_injected_total{kind="latency"})") == 2);
  CHECK(sample(text, "portal_fault_latency_seconds") == 0.25);
}

TEST_CASE("injected latency is real time on the API", "[api][faults]") {
  // The one place a real delay is shown: a request takes at least the injected latency.
  Service service("portal", test_settings(true));
  portal::RealSleeper sleeper;
  portal::PortalConfig config;
  config.seed = 1;
  config.faults.latency_ms = 30;
  portal::Portal p(service, config, sleeper, [](int) {});
  RunningService running(service);
  auto api = running.api();
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(api.Get("/api/items")->status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(30));
  auto text = running.ops().Get("/metrics")->body;
  // The kit measured the delay too: the request is not in the 25 ms bucket.
  CHECK(
      sample(
          text,
          R"(http_request_duration_seconds_bucket{handler="/api/items",method="GET",le="0.025"})") ==
      0);
}
