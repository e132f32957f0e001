#include <fstream>
#include <set>

#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::test;

TEST_CASE("every route of the table is served with the credentials it names", "[routes]") {
  TempDir books;
  std::ofstream(books.path() / "PortalDown.md") << "# PortalDown\n";
  ReceiverOptions o;
  o.runbooks_dir = books.path();
  o.credentials.bearer_token = "write-secret";
  o.read.bearer_token = "read-secret";
  Running r(o);
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
    std::string path = route.path;
    for (auto [from, to] : {std::pair{"{channel*}", "ops"}, std::pair{"{id}", "1"},
                            std::pair{"{name}", "PortalDown"}}) {
      if (auto at = path.find(from); at != std::string::npos) {
        path.replace(at, std::string(from).size(), to);
      }
    }
    auto call = [&](const std::string& token) {
      httplib::Headers h;
      if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
      return route.method == "POST" ? c.Post(path, h, "{}", "application/json") : c.Get(path, h);
    };
    const std::string mine = route.write ? "write-secret" : "read-secret";
    const std::string other = route.write ? "read-secret" : "write-secret";
    auto without = call("");
    REQUIRE(without);
    CHECK(without->status == 401);
    CHECK(call(other)->status == 401);
    auto with = call(mine);
    REQUIRE(with);
    // Served by its handler: 200, or 400 for the empty object a write route cannot take.
    CHECK((with->status == 200 || (route.write && with->status == 400)));
  }
  CHECK(seen.size() == 12);
}
