#include <set>

#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

/// 30 occurrences over 30 minutes: three services, instances 10.0.0.x and 192.168.0.x, every
/// third resolved after five minutes.
void seed(Running& r) {
  for (int i = 0; i < 30; ++i) {
    char start[32], end[32];
    std::snprintf(start, sizeof start, "2026-11-21T10:%02d:00Z", i);
    std::snprintf(end, sizeof end, "2026-11-21T10:%02d:00Z", i + 5);
    const std::string service = i % 3 == 0 ? "portal" : i % 3 == 1 ? "batch-sync" : "mock-slack";
    const std::string instance = (i % 2 == 0 ? "10.0.0." : "192.168.0.") + std::to_string(i);
    const bool resolved = i % 3 == 0;
    json a = alert("Alert" + std::to_string(i % 5), resolved ? "resolved" : "firing", start,
                   resolved ? end : "0001-01-01T00:00:00Z",
                   {{"service", service},
                    {"instance", instance},
                    {"severity", i % 2 == 0 ? "page" : "ticket"}});
    REQUIRE(r.post("/webhook",
                   notification("G" + std::to_string(i), resolved ? "resolved" : "firing", {a}))
                ->status == 200);
  }
}

std::set<std::string> instances(const json& data) {
  std::set<std::string> out;
  for (const auto& o : data) out.insert(o["labels"]["instance"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("alerts are filtered by status, labels, matchers and time", "[api]") {
  Running r;
  seed(r);
  CHECK(r.get("/api/v1/alerts?limit=1000")["data"].size() == 30);
  CHECK(r.get("/api/v1/alerts?status=resolved")["data"].size() == 10);
  CHECK(r.get("/api/v1/alerts?alertname=Alert0")["data"].size() == 6);
  CHECK(r.get("/api/v1/alerts?severity=ticket")["data"].size() == 15);
  CHECK(r.get("/api/v1/alerts?service=portal")["data"].size() == 10);
  CHECK(r.get("/api/v1/alerts?receiver=team-portal")["data"].size() == 30);
  CHECK(r.get("/api/v1/alerts?receiver=other")["data"].empty());

  SECTION("matchers in Alertmanager syntax, anchored, combined with AND") {
    auto ten = r.get("/api/v1/alerts?matcher=" +
                     httplib::detail::encode_query_param(R"(instance=~"10\\..*")"))["data"];
    CHECK(ten.size() == 15);
    for (auto& o : ten) CHECK(o["labels"]["instance"].get<std::string>().rfind("10.", 0) == 0);
    auto not_ten = r.get("/api/v1/alerts?matcher=" +
                         httplib::detail::encode_query_param(R"(instance!~"10\\..*")"))["data"];
    CHECK(not_ten.size() == 15);
    auto both = r.get(
        "/api/v1/alerts?matcher=" + httplib::detail::encode_query_param(R"(service="portal")") +
        "&matcher=" + httplib::detail::encode_query_param(R"(instance=~"10\\..*")"))["data"];
    CHECK(instances(both) ==
          std::set<std::string>{"10.0.0.0", "10.0.0.6", "10.0.0.12", "10.0.0.18", "10.0.0.24"});
    CHECK(r.get("/api/v1/alerts?matcher=" +
                httplib::detail::encode_query_param(R"(service!="portal")"))["data"]
              .size() == 20);
    // A missing label is the empty string.
    CHECK(
        r.get("/api/v1/alerts?matcher=" + httplib::detail::encode_query_param(R"(team="")"))["data"]
            .size() == 30);
    CHECK(r.get("/api/v1/alerts?matcher=" +
                httplib::detail::encode_query_param(R"(team=~".+")"))["data"]
              .empty());
  }

  SECTION("a time range selects what overlaps it") {
    // 10:20-10:21: started inside (10:20, 10:21), plus those started before and still open
    // (firing ones from before, and 10:18 which resolved at 10:23).
    auto data = r.get(
        "/api/v1/alerts?limit=1000&since=2026-11-21T10:20:00Z&until=2026-11-21T10:21:00Z")["data"];
    std::set<std::string> got = instances(data);
    std::set<std::string> want;
    for (int i = 0; i <= 21; ++i) {
      const bool resolved = i % 3 == 0;
      if (i >= 20 || !resolved || i + 5 >= 20) {
        want.insert((i % 2 == 0 ? "10.0.0." : "192.168.0.") + std::to_string(i));
      }
    }
    CHECK(got == want);
  }

  SECTION("keyset pages visit every row once, newest first") {
    std::vector<std::string> seen;
    std::string cursor;
    int pages = 0;
    for (;;) {
      auto page = r.get("/api/v1/alerts?limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor));
      for (auto& o : page["data"]) seen.push_back(o["startsAt"]);
      ++pages;
      if (page["nextCursor"].is_null()) break;
      cursor = page["nextCursor"];
    }
    CHECK(pages == 5);
    REQUIRE(seen.size() == 30);
    CHECK(std::is_sorted(seen.rbegin(), seen.rend()));
    CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 30);
  }

  SECTION("paging through a time range crosses from one index scan to the other") {
    std::vector<std::string> seen;
    std::string cursor;
    for (;;) {
      auto page =
          r.get("/api/v1/alerts?limit=3&since=2026-11-21T10:20:00Z&until=2026-11-21T10:21:00Z" +
                (cursor.empty() ? "" : "&cursor=" + cursor));
      for (auto& o : page["data"]) seen.push_back(o["labels"]["instance"]);
      if (page["nextCursor"].is_null()) break;
      cursor = page["nextCursor"];
    }
    auto all = r.get(
        "/api/v1/alerts?limit=1000&since=2026-11-21T10:20:00Z&until=2026-11-21T10:21:00Z")["data"];
    CHECK(seen.size() == all.size());
    CHECK(std::set<std::string>(seen.begin(), seen.end()) == instances(all));
  }

  SECTION("incidents take the same filters") {
    CHECK(r.get("/api/v1/incidents?limit=1000")["data"].size() == 30);
    CHECK(r.get("/api/v1/incidents?status=resolved")["data"].size() == 10);
    auto portal = r.get("/api/v1/incidents?matcher=" +
                        httplib::detail::encode_query_param(R"(service="portal")"))["data"];
    CHECK(portal.size() == 10);
    CHECK(portal[0]["services"] == json{"portal"});
    auto c = r.client();
    CHECK(c.Get("/api/v1/incidents/999999")->status == 404);
    CHECK(c.Get("/api/v1/incidents/abc")->status == 400);
  }
}

TEST_CASE("bad filters are answered 400 naming the parameter", "[api]") {
  Running r;
  auto client = r.client();
  const std::vector<std::pair<std::string, std::string>> cases{
      {"status=pending", "status: expected \"firing\" or \"resolved\", got \"pending\""},
      {"limit=0", "limit: expected an integer from 1 to 1000, got \"0\""},
      {"limit=1001", "limit: expected an integer from 1 to 1000, got \"1001\""},
      {"limit=ten", "limit: expected an integer from 1 to 1000, got \"ten\""},
      {"since=yesterday",
       "since: expected an RFC 3339 time or a duration before now such as 1h, got \"yesterday\""},
      {"since=2026-11-21T10:00:00Z&until=2026-11-21T09:00:00Z", "since: is after until"},
      {"cursor=xyz", "cursor: not a cursor returned by this API: \"xyz\""},
      {"matcher=service",
       "matcher: expected an operator (=, !=, =~, !~) after \"service\" at "
       "position 7 in \"service\""},
      {"matcher=" + httplib::detail::encode_query_param(R"(a=~"(")"),
       "matcher: invalid regular expression \"(\" for \"a\": *"},
  };
  for (const auto& [query, error] : cases) {
    for (const char* path : {"/api/v1/alerts?", "/api/v1/incidents?"}) {
      INFO(path << query);
      auto res = client.Get((path + query).c_str());
      REQUIRE(res);
      CHECK(res->status == 400);
      auto got = json::parse(res->body)["error"].get<std::string>();
      if (error.ends_with("*")) {
        CHECK(got.rfind(error.substr(0, error.size() - 1), 0) == 0);
      } else {
        CHECK(got == error);
      }
    }
  }
}

TEST_CASE("regex matchers run on RE2: pathological patterns answer, RE2's refusals are 400s",
          "[api][re2]") {
  Running r;
  const std::string long_value(8192, 'a');
  REQUIRE(r.post("/webhook", notification("G", "firing",
                                          {alert("Long", "firing", "2026-11-21T10:00:00Z",
                                                 "0001-01-01T00:00:00Z", {{"long", long_value}})}))
              ->status == 200);
  auto query = [&](const std::string& matcher) {
    return r.get("/api/v1/alerts?matcher=" + httplib::detail::encode_query_param(matcher))["data"];
  };
  CHECK(query(R"(long=~"(a|a)*c")").empty());
  CHECK(query(R"(long=~"(a*)*b")").empty());
  CHECK(query(R"(long=~"(a|a)*")").size() == 1);
  CHECK(query(R"(long!~"(x+x+)+y")").size() == 1);
  CHECK(query(R"(alertname=~"(?i)long")").size() == 1);

  auto client = r.client();
  for (const char* path : {"/api/v1/alerts", "/api/v1/incidents"}) {
    INFO(path);
    auto res = client.Get(
        (std::string(path) + "?matcher=" + httplib::detail::encode_query_param(R"(long=~"(a)\1")"))
            .c_str());
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body)["error"] ==
          R"(matcher: invalid regular expression "(a)\1" for "long": invalid escape sequence: \1)");
  }
}

TEST_CASE("silences are listed with their matchers and the occurrences they silence",
          "[api][silences]") {
  Running r;
  set_clock("2026-11-21T23:30:00Z");
  // Twelve silences starting a minute apart: every third expired, s-11 pending; each active one
  // silences one synced occurrence.
  json silences = json::array();
  json alerts = json::array();
  for (int i = 0; i < 12; ++i) {
    char start[32];
    std::snprintf(start, sizeof start, "2026-11-21T22:%02d:00Z", i);
    const std::string id = "s-" + std::to_string(i);
    const std::string state = i == 11 ? "pending" : i % 3 == 0 ? "expired" : "active";
    silences.push_back(silence(id, state, start, start));
    if (state == "active")
      alerts.push_back(gettable_alert("Alert" + std::to_string(i), start, {id}));
  }
  REQUIRE(r.post("/api/v1/sync",
                 json{{"source", "alertmanager"}, {"alerts", alerts}, {"silences", silences}})
              ->status == 200);

  auto page = r.get("/api/v1/silences?limit=1000");
  REQUIRE(page["data"].size() == 12);
  CHECK(page["nextCursor"].is_null());
  const json& newest = page["data"][0];
  CHECK(newest["id"] == "s-11");  // latest start first
  CHECK(newest["state"] == "pending");
  CHECK(newest["occurrenceIds"] == json::array());
  const json& s10 = page["data"][1];
  CHECK(s10 == json{{"id", "s-10"},
                    {"state", "active"},
                    {"matchers", silence("s-10")["matchers"]},
                    {"createdBy", "ops@example.com"},
                    {"comment", "maintenance"},
                    {"startsAt", "2026-11-21T22:10:00Z"},
                    {"endsAt", "2026-11-22T02:00:00Z"},
                    {"updatedAt", "2026-11-21T22:10:00Z"},
                    {"firstSyncedAt", "2026-11-21T23:30:00Z"},
                    {"lastSyncedAt", "2026-11-21T23:30:00Z"},
                    {"occurrenceIds", s10["occurrenceIds"]}});
  REQUIRE(s10["occurrenceIds"].size() == 1);
  auto silenced = r.get("/api/v1/alerts?alertname=Alert10")["data"];
  REQUIRE(silenced.size() == 1);
  CHECK(s10["occurrenceIds"][0] == silenced[0]["id"]);

  SECTION("filtered by state") {
    auto expired = r.get("/api/v1/silences?state=expired")["data"];
    std::set<std::string> ids;
    for (const auto& s : expired) ids.insert(s["id"]);
    CHECK(ids == std::set<std::string>{"s-0", "s-3", "s-6", "s-9"});
    CHECK(r.get("/api/v1/silences?state=active")["data"].size() == 7);
  }
  SECTION("keyset pages visit every silence once, latest start first") {
    std::vector<std::string> seen;
    std::string cursor;
    for (;;) {
      auto p = r.get("/api/v1/silences?limit=5" + (cursor.empty() ? "" : "&cursor=" + cursor));
      for (const auto& s : p["data"]) seen.push_back(s["id"]);
      if (p["nextCursor"].is_null()) break;
      cursor = p["nextCursor"];
    }
    std::vector<std::string> want;
    for (int i = 11; i >= 0; --i) want.push_back("s-" + std::to_string(i));
    CHECK(seen == want);
  }
  SECTION("bad parameters are answered 400 naming them") {
    auto client = r.client();
    const std::vector<std::pair<std::string, std::string>> cases{
        {"state=firing", R"(state: expected "active", "pending" or "expired", got "firing")"},
        {"limit=0", "limit: expected an integer from 1 to 1000, got \"0\""},
        {"cursor=xyz", "cursor: not a cursor returned by this API: \"xyz\""},
    };
    for (const auto& [query, error] : cases) {
      INFO(query);
      auto res = client.Get(("/api/v1/silences?" + query).c_str());
      REQUIRE(res);
      CHECK(res->status == 400);
      CHECK(json::parse(res->body)["error"] == error);
    }
  }
}

TEST_CASE("a bad message listing is answered 400 naming the parameter", "[api]") {
  Running r;
  auto client = r.client();
  for (const auto& [query, error] : std::vector<std::pair<std::string, std::string>>{
           {"limit=0", "limit: expected an integer from 1 to 1000, got \"0\""},
           {"channel=alerts&cursor=xyz", "cursor: not a cursor returned by this API: \"xyz\""},
       }) {
    INFO(query);
    auto res = client.Get(("/api/v1/messages?" + query).c_str());
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body)["error"] == error);
  }
  CHECK(client.Get("/api/v1/messages?channel=%23alerts&limit=5")->status == 200);
}
