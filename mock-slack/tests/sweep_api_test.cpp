// POST /api/v1/sync/sweep (sweep_api.cpp): answers what it resolved; refuses bad input with a
// 400 naming the field, and then writes nothing.
#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("a sweep resolves what the run no longer listed and says how many", "[sweep]") {
  ReceiverOptions options;
  options.credentials.bearer_token = "write-secret";
  Running r(options);
  const httplib::Headers auth{{"Authorization", "Bearer write-secret"}};
  set_clock("2026-11-21T22:00:05Z");
  REQUIRE(r.post("/webhook",
                 notification("PortalDown", "firing",
                              {alert("PortalDown", "firing", "2026-11-21T22:00:00Z")}),
                 auth)
              ->status == 200);
  set_clock("2026-11-21T22:30:00Z");
  const json good{
      {"source", "alertmanager"}, {"listedAt", "2026-11-21T22:29:58Z"}, {"graceSeconds", 600}};
  auto firing = [&] { return r.get("/api/v1/alerts?status=firing")["data"].size(); };

  SECTION("bad input: 400 naming the field, nothing resolved") {
    const std::vector<std::pair<json, std::string>> cases{
        {json::array(), "payload: expected a JSON object, got array"},
        {{{"listedAt", "2026-11-21T22:29:58Z"}, {"graceSeconds", 600}},
         "source: required field is missing"},
        {{{"source", "prometheus"}, {"listedAt", "2026-11-21T22:29:58Z"}, {"graceSeconds", 600}},
         "source: expected \"alertmanager\""},
        {{{"source", "alertmanager"}, {"graceSeconds", 600}},
         "listedAt: required field is missing"},
        {{{"source", "alertmanager"}, {"listedAt", "yesterday"}, {"graceSeconds", 600}},
         "listedAt: expected an RFC 3339 time, the time the run read Alertmanager's alerts"},
        {{{"source", "alertmanager"}, {"listedAt", 1795300000}, {"graceSeconds", 600}},
         "listedAt: expected an RFC 3339 time, the time the run read Alertmanager's alerts"},
        {{{"source", "alertmanager"}, {"listedAt", "0001-01-01T00:00:00Z"}, {"graceSeconds", 600}},
         "listedAt: expected an RFC 3339 time, the time the run read Alertmanager's alerts"},
        {{{"source", "alertmanager"}, {"listedAt", "2026-11-21T22:32:00Z"}, {"graceSeconds", 600}},
         "listedAt: 2026-11-21T22:32:00Z is ahead of mock-slack's clock (2026-11-21T22:30:00Z) by "
         "more than a minute"},
        {{{"source", "alertmanager"}, {"listedAt", "2026-11-21T22:29:58Z"}},
         "graceSeconds: required field is missing"},
    };
    for (const auto& [body, error] : cases) {
      INFO(body.dump());
      auto res = r.post("/api/v1/sync/sweep", body, auth);
      REQUIRE(res);
      CHECK(res->status == 400);
      CHECK(json::parse(res->body)["error"] == error);
    }
    for (const json& grace : {json(0), json(-5), json("600"), json(604801), json(nullptr)}) {
      INFO(grace.dump());
      json body = good;
      body["graceSeconds"] = grace;
      auto res = r.post("/api/v1/sync/sweep", body, auth);
      REQUIRE(res);
      CHECK(res->status == 400);
      CHECK(json::parse(res->body)["error"] ==
            "graceSeconds: expected a number of seconds above 0 and at most 604800 (a week)");
    }
    auto malformed =
        r.client().Post("/api/v1/sync/sweep", auth, "{\"source\":", "application/json");
    REQUIRE(malformed);
    CHECK(malformed->status == 400);
    auto text = r.client().Post("/api/v1/sync/sweep", auth, good.dump(), "text/plain");
    REQUIRE(text);
    CHECK(text->status == 415);
    auto anonymous = r.post("/api/v1/sync/sweep", good);
    REQUIRE(anonymous);
    CHECK(anonymous->status == 401);
    CHECK(firing() == 1);
  }
  SECTION("within the grace nothing is resolved") {
    json body = good;
    body["graceSeconds"] = 1800.5;
    auto res = r.post("/api/v1/sync/sweep", body, auth);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    CHECK(json::parse(res->body) == json{{"resolved", 0},
                                         {"incidentsResolved", 0},
                                         {"listedAt", "2026-11-21T22:29:58Z"},
                                         {"graceSeconds", 1800.5}});
    CHECK(firing() == 1);
  }
  SECTION("past the grace the occurrence and its incident resolve") {
    auto res = r.post("/api/v1/sync/sweep", good, auth);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    CHECK(json::parse(res->body) == json{{"resolved", 1},
                                         {"incidentsResolved", 1},
                                         {"listedAt", "2026-11-21T22:29:58Z"},
                                         {"graceSeconds", 600}});
    CHECK(firing() == 0);
    const json swept = r.get("/api/v1/alerts")["data"][0];
    CHECK(swept["status"] == "resolved");
    CHECK(swept["endsAt"] == "2026-11-21T22:00:05Z");
    CHECK(swept["resolvedBy"] == "sweep");
    CHECK(swept["resolutionRecordedAt"] == "2026-11-21T22:30:00Z");
    const json incident = r.get("/api/v1/incidents")["data"][0];
    CHECK(incident["status"] == "resolved");
    const json timeline = r.get("/api/v1/incidents/" + incident["id"].dump())["timeline"];
    json resolved;
    for (const auto& e : timeline) {
      if (e["type"] == "resolved") resolved = e;
    }
    CHECK(resolved["summary"] == "PortalDown resolved (last seen active; batch-sync's sweep)");
    CHECK(resolved["time"] == "2026-11-21T22:00:05Z");
  }
}
