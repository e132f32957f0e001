#include "portal/faults.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "firedrill/metrics.hpp"
#include "support.hpp"

using nlohmann::json;
using portal::apply_patch;
using portal::FaultDecision;
using portal::FaultInjector;
using portal::FaultState;
using portal::FieldError;

namespace {

constexpr std::size_t kItems = 1;  // index of "/api/items" in kApiRoutes
constexpr std::size_t kOrders = 3;

FaultState patched(const json& patch) {
  auto result = apply_patch(FaultState{}, patch);
  REQUIRE(std::holds_alternative<FaultState>(result));
  return std::get<FaultState>(result);
}

FieldError refused(const FaultState& base, const json& patch) {
  auto result = apply_patch(base, patch);
  REQUIRE(std::holds_alternative<FieldError>(result));
  return std::get<FieldError>(result);
}

}  // namespace

TEST_CASE("a fault patch sets only the fields it names", "[faults]") {
  FaultState base;
  base.error_rate = 0.2;
  base.latency_ms = 300;
  auto result = apply_patch(base, json{{"error_code", 503}, {"routes", {"/api/orders"}}});
  REQUIRE(std::holds_alternative<FaultState>(result));
  const auto& s = std::get<FaultState>(result);
  CHECK(s.error_rate == 0.2);
  CHECK(s.latency_ms == 300);
  CHECK(s.error_code == 503);
  CHECK(s.routes == std::vector<std::string>{"/api/orders"});

  SECTION("every field is accepted at its bounds") {
    auto all = patched({{"error_rate", 1},
                        {"error_code", 599},
                        {"latency_ms", portal::kMaxLatencyMs},
                        {"latency_jitter_ms", 0},
                        {"latency_rate", 0.5},
                        {"routes", json::array()},
                        {"ready", false},
                        {"healthy", false},
                        {"crash_after_ms", portal::kMaxCrashAfterMs}});
    CHECK(all.error_rate == 1.0);
    CHECK(all.error_code == 599);
    CHECK(all.latency_ms == portal::kMaxLatencyMs);
    CHECK(all.latency_rate == 0.5);
    CHECK(all.routes.empty());
    CHECK_FALSE(all.ready);
    CHECK_FALSE(all.healthy);
    CHECK(all.crash_after_ms == portal::kMaxCrashAfterMs);
    CHECK(portal::to_json(all)["latency_rate"] == 0.5);
  }
  SECTION("an empty patch changes nothing") { CHECK(patched(json::object()) == FaultState{}); }
  SECTION("duplicate routes are kept once") {
    CHECK(patched({{"routes", {"/", "/"}}}).routes == std::vector<std::string>{"/"});
  }
}

TEST_CASE("a bad fault patch names the field and applies nothing", "[faults]") {
  FaultState base;
  base.error_rate = 0.3;
  struct Case {
    json patch;
    std::string field;
    std::string message;
  };
  const std::vector<Case> cases{
      {{{"error_rate", 1.5}}, "error_rate", "error_rate: expected a number from 0 to 1"},
      {{{"error_rate", -0.1}}, "error_rate", "error_rate: expected a number from 0 to 1"},
      {{{"error_rate", "0.5"}}, "error_rate", "error_rate: expected a number from 0 to 1"},
      {{{"latency_rate", 2}}, "latency_rate", "latency_rate: expected a number from 0 to 1"},
      {{{"error_code", 404}},
       "error_code",
       "error_code: expected an HTTP status code from 500 to 599"},
      {{{"error_code", 500.5}},
       "error_code",
       "error_code: expected an HTTP status code from 500 to 599"},
      {{{"latency_ms", 10001}},
       "latency_ms",
       "latency_ms: expected a whole number of milliseconds from 0 to 10000"},
      {{{"latency_ms", -1}},
       "latency_ms",
       "latency_ms: expected a whole number of milliseconds from 0 to 10000"},
      {{{"latency_jitter_ms", 1.5}},
       "latency_jitter_ms",
       "latency_jitter_ms: expected a whole number of milliseconds from 0 to 10000"},
      {{{"routes", "/api/items"}}, "routes", "routes: expected a list of API route templates"},
      {{{"routes", {"/api/items/7"}}},
       "routes",
       "routes: unknown route \"/api/items/7\"; expected any of /, /api/items, /api/items/{id}, "
       "/api/orders, /api/work"},
      {{{"routes", {"/healthz"}}},
       "routes",
       "routes: unknown route \"/healthz\"; expected any of /, /api/items, /api/items/{id}, "
       "/api/orders, /api/work"},
      {{{"ready", "no"}}, "ready", "ready: expected true or false"},
      {{{"healthy", 0}}, "healthy", "healthy: expected true or false"},
      {{{"crash_after_ms", -5}},
       "crash_after_ms",
       "crash_after_ms: expected a whole number of milliseconds from 0 (off) to 86400000"},
      {{{"error_ratio", 0.5}},
       "error_ratio",
       "error_ratio: unknown field; expected any of error_rate, error_code, latency_ms, "
       "latency_jitter_ms, latency_rate, routes, ready, healthy, crash_after_ms"},
  };
  for (const auto& c : cases) {
    INFO(c.patch.dump());
    auto error = refused(base, c.patch);
    CHECK(error.field == c.field);
    CHECK(error.message == c.message);
  }
  SECTION("a valid field next to a bad one is not applied either") {
    auto result = apply_patch(base, json{{"error_code", 502}, {"latency_ms", 99999}});
    CHECK(std::holds_alternative<FieldError>(result));
    CHECK(base.error_code == 500);
  }
  SECTION("the body must be an object") {
    CHECK(refused(base, json::array()).message == "expected a JSON object of fault fields");
  }
}

TEST_CASE("injected errors follow error_rate for a fixed seed", "[faults]") {
  firedrill::Metrics metrics("test");
  auto state = patched({{"error_rate", 0.25}, {"error_code", 503}});
  FaultInjector injector(metrics.registry(), state, 42);
  constexpr int kRequests = 20000;
  int errors = 0;
  for (int i = 0; i < kRequests; ++i) {
    FaultDecision d = injector.decide(kItems);
    CHECK(d.delay.count() == 0);
    if (d.error_code != 0) {
      CHECK(d.error_code == 503);
      ++errors;
    }
  }
  // Binomial(20000, 0.25): the standard deviation is 0.003, so +/- 0.015 is five of them.
  CHECK(static_cast<double>(errors) / kRequests == Approx(0.25).margin(0.015));
  auto text = metrics.serialize();
  CHECK(portal::testing::sample(text, R"(portal_faults_injected_total{kind="error"})") == errors);
  CHECK(portal::testing::sample(text, R"(portal_faults_injected_total{kind="latency"})") == 0);
  CHECK(portal::testing::sample(text, "portal_fault_error_rate") == 0.25);

  SECTION("rates 0 and 1 are exact") {
    injector.set_state(patched({{"error_rate", 1}}));
    for (int i = 0; i < 1000; ++i) REQUIRE(injector.decide(kItems).error_code == 500);
    injector.set_state(patched({{"error_rate", 0}}));
    for (int i = 0; i < 1000; ++i) REQUIRE(injector.decide(kItems).error_code == 0);
  }
  SECTION("the same seed gives the same decisions; another seed does not") {
    FaultInjector a(metrics.registry(), state, 7), b(metrics.registry(), state, 7),
        c(metrics.registry(), state, 8);
    std::string sa, sb, sc;
    for (int i = 0; i < 200; ++i) {
      sa += a.decide(kItems).error_code != 0 ? '1' : '0';
      sb += b.decide(kItems).error_code != 0 ? '1' : '0';
      sc += c.decide(kItems).error_code != 0 ? '1' : '0';
    }
    CHECK(sa == sb);
    CHECK(sa != sc);
  }
}

TEST_CASE("injected latency follows latency_ms, jitter and latency_rate", "[faults]") {
  firedrill::Metrics metrics("test");
  FaultInjector injector(
      metrics.registry(),
      patched({{"latency_ms", 200}, {"latency_jitter_ms", 50}, {"latency_rate", 0.4}}), 42);
  constexpr int kRequests = 20000;
  int delayed = 0;
  long long total_ms = 0;
  long long min_ms = 1'000'000, max_ms = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto d = injector.decide(kItems);
    CHECK(d.error_code == 0);
    if (d.delay.count() > 0) {
      ++delayed;
      total_ms += d.delay.count();
      min_ms = std::min<long long>(min_ms, d.delay.count());
      max_ms = std::max<long long>(max_ms, d.delay.count());
    }
  }
  CHECK(static_cast<double>(delayed) / kRequests == Approx(0.4).margin(0.02));
  CHECK(min_ms >= 150);
  CHECK(max_ms <= 250);
  CHECK(min_ms < 160);  // the jitter spreads over its whole range
  CHECK(max_ms > 240);
  CHECK(static_cast<double>(total_ms) / delayed == Approx(200).margin(2));
  auto text = metrics.serialize();
  CHECK(portal::testing::sample(text, R"(portal_faults_injected_total{kind="latency"})") ==
        delayed);
  CHECK(portal::testing::sample(text, "portal_fault_latency_seconds") == 0.2);

  SECTION("jitter never makes a delay negative, and delays are capped") {
    injector.set_state(patched({{"latency_ms", 10}, {"latency_jitter_ms", 100}}));
    injector.set_state(patched({{"latency_ms", 9990}, {"latency_jitter_ms", 100}}));
    for (int i = 0; i < 2000; ++i) {
      REQUIRE(injector.decide(kItems).delay.count() <= portal::kMaxLatencyMs);
    }
    injector.set_state(patched({{"latency_ms", 10}, {"latency_jitter_ms", 100}}));
    for (int i = 0; i < 2000; ++i) REQUIRE(injector.decide(kItems).delay.count() >= 0);
  }
}

TEST_CASE("faults apply only to the chosen routes", "[faults]") {
  firedrill::Metrics metrics("test");
  FaultInjector injector(
      metrics.registry(),
      patched({{"error_rate", 1}, {"latency_ms", 100}, {"routes", {"/api/orders"}}}), 1);
  for (std::size_t route = 0; route < portal::kApiRoutes.size(); ++route) {
    INFO(portal::kApiRoutes[route]);
    auto d = injector.decide(route);
    if (route == kOrders) {
      CHECK(d.error_code == 500);
      CHECK(d.delay.count() == 100);
    } else {
      CHECK(d.error_code == 0);
      CHECK(d.delay.count() == 0);
    }
  }
}

TEST_CASE("the real sleeper waits, and healing cuts the wait short", "[faults]") {
  portal::RealSleeper sleeper;
  auto start = std::chrono::steady_clock::now();
  sleeper.sleep_for(std::chrono::milliseconds(20));
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(20));

  std::promise<void> started;
  const auto before = std::chrono::steady_clock::now();
  auto done = std::async(std::launch::async, [&] {
    started.set_value();
    sleeper.sleep_for(std::chrono::seconds(20));
  });
  started.get_future().wait();
  // The sleeper may not be waiting yet when interrupt_all() runs; repeat until it returns.
  while (done.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
    sleeper.interrupt_all();
  }
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(10));
}
