#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <set>
#include <string>

#include "firedrill/testing.hpp"
#include "portal/portal.hpp"
#include "support.hpp"

using firedrill::http::Server;
using firedrill::testing::RunningService;
using firedrill::testing::test_settings;
using nlohmann::json;

namespace {

/// A portal with an admin token and a separate ops listener; crashes are recorded, not done.
struct RoutesPortal {
  static portal::PortalConfig config() {
    portal::PortalConfig c;
    c.seed = 1;
    c.admin_token = "admin-secret";
    return c;
  }
  firedrill::Service service{"portal", test_settings(true)};
  portal::testing::RecordingSleeper sleeper;
  std::promise<int> crashed;
  portal::Portal p{service, config(), sleeper, [this](int code) { crashed.set_value(code); }};
  RunningService running{service};
};

std::string concrete(std::string path) {
  if (auto at = path.find("{id}"); at != std::string::npos) path.replace(at, 4, "1");
  return path;
}

httplib::Result call(httplib::Client& c, const portal::RouteInfo& route, const std::string& token) {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  const std::string path = concrete(route.path);
  // A body each write route takes: an order of one item, a change that changes nothing.
  const std::string body =
      route.path == "/api/orders" ? R"({"item_id": 1, "quantity": 2})" : R"({"error_rate": 0})";
  if (route.method == "GET") return c.Get(path, h);
  if (route.method == "PUT") return c.Put(path, h, body, "application/json");
  if (route.method == "DELETE") return c.Delete(path, h);
  return c.Post(path, h, body, "application/json");
}

}  // namespace

TEST_CASE("every route of the table is served on its listener with its guard", "[routes]") {
  RoutesPortal t;
  auto api = t.running.api();
  auto ops = t.running.ops();
  std::set<std::pair<std::string, std::string>> seen;
  std::set<std::string> api_paths;
  for (const portal::RouteInfo& route : portal::Portal::routes()) {
    INFO(route.listener << " " << route.method << " " << route.path);
    CHECK_FALSE(route.description.empty());
    CHECK(seen.insert({route.method, route.path}).second);  // registered once
    if (route.listener == "api") {
      CHECK(route.guard == "faults");
      api_paths.insert(route.path);
      auto res = call(api, route, "");
      REQUIRE(res);
      CHECK(res->status == route.success_code);
      CHECK_FALSE(res->has_header("X-Fault-Injected"));
    } else {
      REQUIRE(route.listener == "ops");
      CHECK(route.guard == "admin token");
      auto without = call(ops, route, "");
      REQUIRE(without);
      CHECK(without->status == 401);
      auto wrong = call(ops, route, "not-the-token");
      REQUIRE(wrong);
      CHECK(wrong->status == 401);
      auto with = call(ops, route, "admin-secret");
      REQUIRE(with);
      CHECK(with->status == route.success_code);
    }
  }
  CHECK(seen.size() == 9);
  SECTION("the API routes are the fault routes, and the injector runs before each handler") {
    std::set<std::string> fault_routes;
    for (std::string_view r : portal::kApiRoutes) fault_routes.emplace(r);
    CHECK(api_paths == fault_routes);
    auto change = ops.Put("/admin/faults", {{"Authorization", "Bearer admin-secret"}},
                          R"({"error_rate": 1, "error_code": 503})", "application/json");
    REQUIRE(change);
    REQUIRE(change->status == 200);
    for (const portal::RouteInfo& route : portal::Portal::routes()) {
      if (route.listener != "api") continue;
      INFO(route.method << " " << route.path);
      auto res = call(api, route, "");
      REQUIRE(res);
      CHECK(res->status == 503);
      CHECK(res->get_header_value("X-Fault-Injected") == "error");
    }
  }
  // POST /admin/crash was called with the token: the crash handler ran, with exit code 3.
  auto crashed = t.crashed.get_future();
  REQUIRE(crashed.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  CHECK(crashed.get() == portal::kCrashExitCode);
}

TEST_CASE("the listeners serve the table's routes and nothing else", "[routes]") {
  RoutesPortal t;
  std::vector<Server::RouteKey> api;
  std::vector<Server::RouteKey> ops{{"GET", "/healthz"}, {"GET", "/readyz"}, {"GET", "/metrics"}};
  for (const portal::RouteInfo& route : portal::Portal::routes()) {
    (route.listener == "api" ? api : ops).push_back({route.method, route.path});
  }
  CHECK(t.service.api().routes() == api);
  CHECK(t.service.ops().routes() == ops);
}
