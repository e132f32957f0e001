#include "portal/load.hpp"

#include <catch2/catch.hpp>
#include <future>

#include "build_paths.hpp"
#include "firedrill/testing.hpp"
#include "portal/portal.hpp"
#include "support.hpp"

using firedrill::Service;
using firedrill::testing::RunningService;
using firedrill::testing::test_settings;
using nlohmann::json;
using portal::load::LoadGenerator;
using portal::load::LoadOptions;
using portal::load::RequestMix;
using portal::testing::sample;

namespace {

// portal-load's last line of output is its JSON summary.
json summary_line(const std::string& out) {
  auto end = out.find_last_not_of('\n');
  REQUIRE(end != std::string::npos);
  auto start = out.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return json::parse(out.substr(start, end + 1 - start));
}

}  // namespace

TEST_CASE("targets parse", "[load]") {
  using portal::load::parse_target;
  CHECK(parse_target("http://127.0.0.1:8080")->port == 8080);
  CHECK(parse_target("http://portal:9/")->host == "portal");
  CHECK(parse_target("http://portal")->port == 80);
  CHECK(parse_target("http://[::1]:81")->host == "::1");
  for (const char* bad : {"", "127.0.0.1:8080", "https://x:1", "http://", "http://x:0",
                          "http://x:70000", "http://x:80/path", "http://x:", "http://[::1"}) {
    INFO(bad);
    CHECK_FALSE(parse_target(bad));
  }
}

TEST_CASE("the request mix is seeded and has the documented shares", "[load]") {
  RequestMix a(7), b(7), c(8);
  std::map<std::string, int> routes;
  int unknown_items = 0, bad_orders = 0, same_as_c = 0;
  constexpr int kRequests = 20000;
  for (int i = 0; i < kRequests; ++i) {
    auto ra = a.next();
    auto rb = b.next();
    auto rc = c.next();
    REQUIRE(ra.path == rb.path);
    REQUIRE(ra.body == rb.body);
    if (ra.path == rc.path && ra.body == rc.body) ++same_as_c;
    ++routes[ra.route];
    if (ra.route == "/api/items/{id}" && std::stoi(ra.path.substr(11)) > portal::kCatalogueSize) {
      ++unknown_items;
    }
    if (ra.route == "/api/orders") {
      CHECK(ra.method == "POST");
      if (json::parse(ra.body)["quantity"] == 0) ++bad_orders;
    }
  }
  CHECK(same_as_c < kRequests / 2);
  auto share = [&](const char* route) { return static_cast<double>(routes[route]) / kRequests; };
  CHECK(share("/") == Approx(0.10).margin(0.01));
  CHECK(share("/api/items") == Approx(0.40).margin(0.015));
  CHECK(share("/api/items/{id}") == Approx(0.30).margin(0.015));
  CHECK(share("/api/orders") == Approx(0.15).margin(0.01));
  CHECK(share("/api/work") == Approx(0.05).margin(0.01));
  CHECK(static_cast<double>(unknown_items) / routes["/api/items/{id}"] ==
        Approx(0.05).margin(0.015));
  CHECK(static_cast<double>(bad_orders) / routes["/api/orders"] == Approx(0.05).margin(0.02));
}

TEST_CASE("latency quantiles come from the histogram", "[load]") {
  portal::load::LatencyHistogram h;
  CHECK(h.quantile_ms(0.99) == 0);
  for (int i = 1; i <= 100; ++i) h.record(std::chrono::milliseconds(i));
  CHECK(h.quantile_ms(0.5) == Approx(50).margin(0.11));
  CHECK(h.quantile_ms(0.99) == Approx(99).margin(1));
  CHECK(h.max_ms() == 100);
  h.record(std::chrono::seconds(30));  // beyond the last bucket: reported by max
  CHECK(h.max_ms() == 30000);
  CHECK(h.quantile_ms(1.0) == 30000);
}

TEST_CASE("portal-load sends the planned mix to a portal started in the test", "[load]") {
  // A keep-alive connection holds a portal worker while it lives: one worker per load worker.
  // Concurrency covers every request of the run, so none can be dropped however slow the
  // (shared, noisy) machine is: the test checks the mix, not the machine's speed.
  auto settings = test_settings(true);
  settings.threads = 256;
  Service service("portal", settings);
  portal::testing::RecordingSleeper sleeper;
  portal::PortalConfig config;
  config.seed = 1;
  config.api.work_cap = std::chrono::milliseconds(5);
  config.faults.error_rate = 1.0;
  config.faults.error_code = 502;
  config.faults.routes = {"/"};
  portal::Portal p(service, config, sleeper, [](int) {});
  RunningService running(service);

  LoadOptions options;
  options.target = {"127.0.0.1", service.api_port()};
  options.rps = 200;
  options.max_requests = 200;
  options.seed = 5;
  options.concurrency = 200;
  auto summary = LoadGenerator(options).run();

  // What the mix planned for seed 5, computed independently.
  RequestMix mix(5);
  std::map<std::string, std::uint64_t> planned;
  std::uint64_t not_found = 0, bad = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = mix.next();
    ++planned[r.route];
    if (r.route == "/api/items/{id}" && std::stoi(r.path.substr(11)) > portal::kCatalogueSize) {
      ++not_found;
    }
    if (r.route == "/api/orders" && json::parse(r.body)["quantity"] == 0) ++bad;
  }
  INFO(summary.to_text());
  REQUIRE(summary.dropped == 0);
  CHECK(summary.scheduled == 200);
  CHECK(summary.sent == 200);
  CHECK(summary.transport_errors == 0);
  CHECK(summary.answered() == 200);
  CHECK(summary.codes[502] == planned["/"]);  // the injected fault on GET /
  CHECK(summary.codes[404] == not_found);
  CHECK(summary.codes[400] == bad);
  CHECK(summary.codes[201] == planned["/api/orders"] - bad);
  CHECK(summary.codes[200] == 200U - planned["/"] - not_found - planned["/api/orders"]);

  auto text = running.ops().Get("/metrics")->body;
  for (const auto& [route, count] : planned) {
    INFO(route);
    double seen = 0;
    for (int code : {200, 201, 400, 404, 502}) {
      for (const char* method : {"GET", "POST"}) {
        auto v = sample(text, "http_requests_total{code=\"" + std::to_string(code) +
                                  "\",handler=\"" + route + "\",method=\"" + method + "\"}");
        if (v > 0) seen += v;
      }
    }
    CHECK(seen == static_cast<double>(count));
  }

  auto j = summary.to_json();
  CHECK(j["sent"] == 200);
  CHECK(j["codes"]["502"] == planned["/"]);
  CHECK(j["dropped"] == 0);
}

TEST_CASE("portal-load stays open-loop: requests beyond the concurrency are dropped", "[load]") {
  Service service("portal", test_settings(true));
  portal::testing::BlockingSleeper sleeper;
  portal::PortalConfig config;
  config.seed = 1;
  config.faults.latency_ms = 1000;
  portal::Portal p(service, config, sleeper, [](int) {});
  RunningService running(service);

  LoadOptions options;
  options.target = {"127.0.0.1", service.api_port()};
  options.rps = 1000;
  options.max_requests = 50;
  options.concurrency = 2;
  LoadGenerator generator(options);
  auto result = std::async(std::launch::async, [&] { return generator.run(); });
  REQUIRE(sleeper.wait_for_sleepers(2));
  // Both slots are held by the portal; the rest of the schedule must be dropped, not queued.
  while (generator.progress().scheduled < 50) std::this_thread::yield();
  sleeper.release();
  auto summary = result.get();
  INFO(summary.to_text());
  CHECK(summary.sent == 2);
  CHECK(summary.dropped == 48);
  CHECK(summary.answered() == 2);
  CHECK(summary.p99_ms >= 0);
}

TEST_CASE("the portal-load binary runs for --duration and prints a summary", "[load]") {
  auto settings = test_settings(true);
  settings.threads = 64;  // portal-load's default concurrency is 32
  Service service("portal", settings);
  portal::testing::RecordingSleeper sleeper;
  portal::PortalConfig config;
  config.seed = 1;
  portal::Portal p(service, config, sleeper, [](int) {});
  RunningService running(service);
  const std::string target = "http://127.0.0.1:" + std::to_string(service.api_port());

  SECTION("--duration") {
    portal::testing::ChildProcess load({firedrill::build_paths::portal_load_binary, "--target",
                                        target, "--rps", "50", "--duration", "1s", "--seed", "3"});
    REQUIRE(load.wait() == 0);
    const auto& out = load.stdout_text();
    INFO(out << load.stderr_text());
    CHECK(out.rfind("portal-load: 50 requests in 1.0 s: 50.0 req/s (target 50.0)", 0) == 0);
    auto j = summary_line(out);
    CHECK(j["sent"] == 50);
    CHECK(j["answered"] == 50);
    CHECK(j["dropped"] == 0);
    CHECK(j["achieved_rps"] == 50.0);
  }
  SECTION("until SIGTERM") {
    portal::testing::ChildProcess load({firedrill::build_paths::portal_load_binary, "--target",
                                        target, "--rps", "100", "--duration", "0"});
    // Wait for its traffic at the portal, then stop it.
    while (sample(running.ops().Get("/metrics")->body,
                  R"(http_requests_total{code="200",handler="/api/items",method="GET"})") < 1) {
      std::this_thread::yield();
    }
    load.signal(SIGTERM);
    REQUIRE(load.wait() == 0);
    auto j = summary_line(load.stdout_text());
    CHECK(j["sent"].get<int>() >= 1);
    CHECK(j["answered"] == j["sent"]);
  }
  SECTION("an unreachable target exits 1") {
    portal::testing::ChildProcess load({firedrill::build_paths::portal_load_binary, "--target",
                                        "http://127.0.0.1:1", "--requests", "3", "--rps", "100"});
    CHECK(load.wait() == 1);
    auto j = summary_line(load.stdout_text());
    CHECK(j["transport_errors"] == 3);
  }
  SECTION("bad flags exit 2 naming the flag") {
    portal::testing::ChildProcess load(
        {firedrill::build_paths::portal_load_binary, "--target", "localhost:8080"});
    CHECK(load.wait() == 2);
    CHECK(load.stderr_text() == "portal-load: --target: expected http://host:port (see --help)\n");
  }
}
