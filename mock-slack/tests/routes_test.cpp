// The route table (routes.cpp): every row is served with the credentials it names, and the API
// listener serves the table and nothing else.
#include <fstream>
#include <set>

#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

ReceiverOptions routes_options(const TempDir& books) {
  ReceiverOptions o;
  o.runbooks_dir = books.path();
  o.credentials.bearer_token = "write-secret";
  o.read.bearer_token = "read-secret";
  o.read.trusted_user_header = "X-Forwarded-User";  // so that the forms are on
  return o;
}

/// The route's path with its placeholders filled in with what the test stored.
std::string concrete_path(std::string path) {
  for (auto [from, to] : {std::pair{"{channel*}", "ops"}, std::pair{"{name*}", "team-portal"},
                          std::pair{"{id}", "1"}, std::pair{"{name}", "PortalDown"}}) {
    if (auto at = path.find(from); at != std::string::npos) {
      path.replace(at, std::string(from).size(), to);
    }
  }
  if (path == "/api/v1/search") path += "?q=PortalDown";  // a search needs words
  return path;
}

}  // namespace

TEST_CASE("every route of the table is served with the credentials it names", "[routes]") {
  TempDir books;
  std::ofstream(books.path() / "PortalDown.md") << "# PortalDown\n";
  Running r(routes_options(books));
  r.post(
      "/webhook",
      notification("PortalDown", "firing", {alert("PortalDown", "firing", "2026-11-21T22:40:00Z")}),
      {{"Authorization", "Bearer write-secret"}});
  auto c = r.client();
  std::set<std::pair<std::string, std::string>> seen;
  for (const RouteInfo& route : Receiver::routes()) {
    INFO(route.method << " " << route.path);
    CHECK_FALSE(route.description.empty());
    CHECK(seen.insert({route.method, route.path}).second);  // registered once
    const std::string path = concrete_path(route.path);
    auto call = [&](const std::string& token) {
      httplib::Headers h;
      if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
      return route.method == "POST" ? c.Post(path, h, "{}", "application/json") : c.Get(path, h);
    };
    if (route.access == Access::open) {
      auto res = call("");
      REQUIRE(res);
      CHECK(res->status == route.success_code);
      continue;
    }
    const bool write = route.access == Access::write;
    const std::string mine = write ? "write-secret" : "read-secret";
    const std::string other = write ? "read-secret" : "write-secret";
    auto without = call("");
    REQUIRE(without);
    CHECK(without->status == 401);
    if (route.access == Access::page) {
      CHECK(without->get_header_value("Content-Type").starts_with("text/html"));
    }
    CHECK(call(other)->status == 401);
    auto with = call(mine);
    REQUIRE(with);
    INFO(with->body);
    if (route.access == Access::form) {
      // Past the read credentials, a form needs a signed-in person: the read token is none.
      CHECK(with->status == 403);
      CHECK(with->body.find("the read token names nobody") != std::string::npos);
      continue;
    }
    if (route.path == "/signin") {
      // Signed in means a person (here the proxy's header): the read token names nobody.
      CHECK(with->status == 403);
      CHECK(with->body.find("does not carry X-Forwarded-User") != std::string::npos);
      continue;
    }
    // Served by its handler: its success code, or 400 for the empty object a write route cannot
    // take, or (the SLI chart, with no --prometheus-url here) 404 saying why.
    const bool no_prometheus = route.path == "/incidents/{id}/sli.svg" && with->status == 404 &&
                               with->body.find("--prometheus-url") != std::string::npos;
    CHECK((with->status == route.success_code || (write && with->status == 400) || no_prometheus));
  }
  CHECK(seen.size() == 29);
}

TEST_CASE("the API listener serves the table's routes and nothing else", "[routes]") {
  Running r;
  // test_settings() has no ops listener: the kit's probes and /metrics come first.
  std::vector<firedrill::http::Server::RouteKey> expected{
      {"GET", "/healthz"}, {"GET", "/readyz"}, {"GET", "/metrics"}};
  for (const RouteInfo& route : Receiver::routes()) expected.push_back({route.method, route.path});
  CHECK(r.service.api().routes() == expected);
}
