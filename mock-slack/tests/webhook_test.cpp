#include <SQLiteCpp/SQLiteCpp.h>

#include <future>
#include <set>
#include <thread>

#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

json alerts_of(const Running& r, const std::string& query = "") {
  return r.get("/api/v1/alerts" + query)["data"];
}

}  // namespace

TEST_CASE("a firing notification is stored with its occurrences and opens an incident",
          "[webhook]") {
  Running r;
  set_clock("2026-11-21T22:40:05Z");
  auto body = notification("PortalDown", "firing",
                           {alert("PortalDown", "firing", "2026-11-21T22:40:00Z"),
                            alert("PortalSlow", "firing", "2026-11-21T22:39:00Z")});
  auto res = r.post("/webhook", body);
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto reply = json::parse(res->body);
  CHECK(reply["alerts"] == json{{"new", 2}, {"updated", 0}, {"duplicate", 0}});

  auto stored = alerts_of(r);
  REQUIRE(stored.size() == 2);
  CHECK(stored[0]["labels"]["alertname"] == "PortalDown");  // newest first
  CHECK(stored[0]["status"] == "firing");
  CHECK(stored[0]["endsAt"].is_null());  // a firing alert's endsAt is not its end
  CHECK(stored[0]["firstNotifiedAt"] == "2026-11-21T22:40:05Z");
  CHECK(stored[0]["timesNotified"] == 1);

  auto incidents = r.get("/api/v1/incidents")["data"];
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["status"] == "firing");
  CHECK(incidents[0]["startedAt"] == "2026-11-21T22:39:00Z");
  CHECK(incidents[0]["firstNotifiedAt"] == "2026-11-21T22:40:05Z");
  CHECK(incidents[0]["alertCount"] == 2);
  CHECK(incidents[0]["severity"] == "page");
  CHECK(reply["incident"] == incidents[0]["id"]);

  SECTION("a repeat updates the occurrences and never duplicates them") {
    set_clock("2026-11-21T22:44:05Z");
    auto again = r.post("/webhook", body);
    REQUIRE(again->status == 200);
    CHECK(json::parse(again->body)["alerts"] == json{{"new", 0}, {"updated", 0}, {"duplicate", 2}});
    auto now = alerts_of(r);
    REQUIRE(now.size() == 2);
    CHECK(now[0]["timesNotified"] == 2);
    CHECK(now[0]["firstNotifiedAt"] == "2026-11-21T22:40:05Z");
    CHECK(now[0]["lastNotifiedAt"] == "2026-11-21T22:44:05Z");
    auto detail = r.get("/api/v1/incidents/" + incidents[0]["id"].dump());
    CHECK(detail["notifications"].size() == 2);
  }

  SECTION("resolution closes the occurrences and the incident") {
    set_clock("2026-11-21T22:50:01Z");
    auto resolved = notification(
        "PortalDown", "resolved",
        {alert("PortalDown", "resolved", "2026-11-21T22:40:00Z", "2026-11-21T22:49:00Z"),
         alert("PortalSlow", "resolved", "2026-11-21T22:39:00Z", "2026-11-21T22:45:00Z")});
    auto res2 = r.post("/webhook", resolved);
    REQUIRE(res2->status == 200);
    CHECK(json::parse(res2->body)["alerts"]["updated"] == 2);
    auto now = alerts_of(r, "?status=resolved");
    REQUIRE(now.size() == 2);
    CHECK(now[0]["endsAt"] == "2026-11-21T22:49:00Z");
    auto inc = r.get("/api/v1/incidents")["data"];
    REQUIRE(inc.size() == 1);
    CHECK(inc[0]["status"] == "resolved");
    CHECK(inc[0]["resolvedAt"] == "2026-11-21T22:49:00Z");
    CHECK(inc[0]["firingCount"] == 0);

    SECTION("a late retry of the firing notification does not reopen anything") {
      REQUIRE(r.post("/webhook", body)->status == 200);
      CHECK(alerts_of(r, "?status=firing").empty());
      auto after = r.get("/api/v1/incidents")["data"];
      REQUIRE(after.size() == 1);
      CHECK(after[0]["status"] == "resolved");
    }
    SECTION("the group firing again opens a second incident") {
      set_clock("2026-11-21T23:10:05Z");
      REQUIRE(
          r.post("/webhook", notification("PortalDown", "firing",
                                          {alert("PortalDown", "firing", "2026-11-21T23:10:00Z")}))
              ->status == 200);
      auto after = r.get("/api/v1/incidents")["data"];
      REQUIRE(after.size() == 2);
      CHECK(after[0]["status"] == "firing");
      CHECK(after[0]["startedAt"] == "2026-11-21T23:10:00Z");
      CHECK(after[1]["status"] == "resolved");
    }
    SECTION("the incident timeline orders transitions and deliveries") {
      auto detail = r.get("/api/v1/incidents/" + inc[0]["id"].dump());
      std::vector<std::string> types;
      for (auto& e : detail["timeline"]) types.push_back(e["type"]);
      CHECK(types == std::vector<std::string>{"firing", "firing", "notification", "resolved",
                                              "resolved", "notification"});
      CHECK(detail["alerts"].size() == 2);
    }
  }
}

TEST_CASE("the same notification from two Alertmanagers is stored once per alert", "[webhook]") {
  Running r;
  auto body = notification("HA", "firing",
                           {alert("HA1", "firing", "2026-11-21T22:00:00Z"),
                            alert("HA2", "firing", "2026-11-21T22:00:01Z"),
                            alert("HA3", "firing", "2026-11-21T22:00:02Z")});
  // Both peers deliver at the same moment.
  auto a = std::async(std::launch::async, [&] { return r.post("/webhook", body)->status; });
  auto b = std::async(std::launch::async, [&] { return r.post("/webhook", body)->status; });
  CHECK(a.get() == 200);
  CHECK(b.get() == 200);
  auto stored = r.get("/api/v1/alerts")["data"];
  CHECK(stored.size() == 3);
  for (auto& o : stored) CHECK(o["timesNotified"] == 2);
  auto incidents = r.get("/api/v1/incidents")["data"];
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0]["notificationCount"] == 2);
}

TEST_CASE("truncated notifications and unknown fields are accepted", "[webhook]") {
  Running r;
  auto body = notification("Trunc", "firing", {alert("Trunc", "firing", "2026-11-21T22:00:00Z")});
  body["truncatedAlerts"] = 7;
  body["someFutureField"] = {{"nested", true}};
  body["alerts"][0]["silenceURL"] = "http://am/silence";
  auto res = r.post("/webhook", body);
  REQUIRE(res->status == 200);
  auto id = json::parse(res->body)["incident"];
  auto detail = r.get("/api/v1/incidents/" + id.dump());
  CHECK(detail["notifications"][0]["truncatedAlerts"] == 7);
  CHECK(detail["notifications"][0]["alertCount"] == 1);
  CHECK(detail["notifications"][0]["bodySha256"].get<std::string>().size() == 64);
}

TEST_CASE("bad webhook input gets a 4xx naming the problem and stores nothing", "[webhook]") {
  firedrill::CommonSettings settings = firedrill::testing::test_settings();
  settings.max_body_bytes = 64 * 1024;
  Running r({}, {}, settings);
  const std::string good =
      notification("Bad", "firing", {alert("Bad", "firing", "2026-11-21T22:00:00Z")}).dump();
  struct Case {
    const char* what;
    std::string body;
    std::string content_type;
    int status;
    std::string error;  // exact, or a prefix when it ends with "*"
  };
  auto with = [&](const std::function<void(json&)>& edit) {
    json j = json::parse(good);
    edit(j);
    return j.dump();
  };
  const std::vector<Case> cases{
      {"wrong content type", good, "text/plain", 415,
       "Content-Type must be application/json, got \"text/plain\""},
      {"form content type", good, "application/x-www-form-urlencoded", 415,
       "Content-Type must be application/json, got \"application/x-www-form-urlencoded\""},
      {"empty body", "", "application/json", 400,
       "empty body: expected an Alertmanager webhook payload (JSON)"},
      {"not JSON", "hello", "application/json", 400, "malformed JSON: *"},
      {"truncated JSON", good.substr(0, good.size() / 2), "application/json", 400,
       "malformed JSON: *"},
      {"invalid UTF-8", "{\"version\":\"4\",\"receiver\":\"\xc3\x28\"}", "application/json", 400,
       "malformed JSON: *"},
      // Found by the webhook fuzzer: nlohmann's out_of_range, not a parse_error.
      {"a number too large for a double", "{\"version\":1e400}", "application/json", 400,
       "malformed JSON: number overflow parsing '1e400'"},
      {"an array", "[]", "application/json", 400, "payload: expected a JSON object, got array"},
      {"wrong type", with([](json& j) { j["alerts"] = "none"; }), "application/json", 400,
       "alerts: expected an array, got string"},
      {"missing field", with([](json& j) { j.erase("receiver"); }), "application/json", 400,
       "receiver: required field is missing"},
      {"invalid timestamp", with([](json& j) { j["alerts"][0]["startsAt"] = "2026-11-21"; }),
       "application/json", 400, "alerts[0].startsAt: invalid RFC 3339 timestamp \"2026-11-21\""},
      {"huge label value",
       with([](json& j) { j["alerts"][0]["labels"]["pod"] = std::string(10000, 'p'); }),
       "application/json", 400,
       "alerts[0].labels.pod: value is 10000 bytes, longer than the limit of 8192"},
      {"label value a number", with([](json& j) { j["alerts"][0]["labels"]["port"] = 80; }),
       "application/json", 400, "alerts[0].labels.port: expected a string, got number"},
      {"over the body limit", std::string(70 * 1024, ' '), "application/json", 413,
       "request body larger than 65536 bytes"},
  };
  auto client = r.client();
  for (const auto& c : cases) {
    INFO(c.what);
    auto res = client.Post("/webhook", c.body, c.content_type.c_str());
    REQUIRE(res);
    CHECK(res->status == c.status);
    auto error = json::parse(res->body)["error"].get<std::string>();
    if (c.error.ends_with("*")) {
      CHECK(error.rfind(c.error.substr(0, c.error.size() - 1), 0) == 0);
    } else {
      CHECK(error == c.error);
    }
  }
  CHECK(r.get("/api/v1/alerts")["data"].empty());
  CHECK(r.get("/api/v1/incidents")["data"].empty());
  // The kit answers 413 before the handler; every other rejection is counted by reason.
  auto metrics = r.service.metrics().serialize();
  CHECK(metrics.find("mockslack_webhook_rejected_total{reason=\"unsupported_media_type\"} 2") !=
        std::string::npos);
  CHECK(metrics.find("mockslack_webhook_rejected_total{reason=\"malformed_json\"} 5") !=
        std::string::npos);
  CHECK(metrics.find("mockslack_webhook_rejected_total{reason=\"invalid_payload\"} 6") !=
        std::string::npos);
}

TEST_CASE("a locked database answers 503 so Alertmanager retries, then recovers", "[webhook]") {
  StoreOptions so;
  so.busy_timeout_ms = 20;
  Running r({}, so);
  auto body = notification("Busy", "firing", {alert("Busy", "firing", "2026-11-21T22:00:00Z")});
  {
    // Another process holds the write lock.
    SQLite::Database other((r.dir.path() / "mock-slack.db").string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    auto res = r.post("/webhook", body);
    REQUIRE(res);
    CHECK(res->status == 503);
    CHECK(json::parse(res->body)["error"].get<std::string>().rfind("database unavailable: ", 0) ==
          0);
    other.exec("ROLLBACK");
  }
  CHECK(r.get("/api/v1/alerts")["data"].empty());
  CHECK(r.post("/webhook", body)->status == 200);
  CHECK(r.get("/api/v1/alerts")["data"].size() == 1);
}

TEST_CASE("metrics count notifications and occurrences and pass promtool", "[webhook][metrics]") {
  Running r;
  auto body = notification("M", "firing",
                           {alert("M1", "firing", "2026-11-21T22:00:00Z"),
                            alert("M2", "firing", "2026-11-21T22:00:00Z")});
  REQUIRE(r.post("/webhook", body)->status == 200);
  REQUIRE(r.post("/webhook", body)->status == 200);
  auto client = r.client();
  auto res = client.Get("/metrics");
  REQUIRE(res);
  const std::string& text = res->body;
  CHECK(text.find("mockslack_notifications_received_total{receiver=\"team-portal\",status="
                  "\"firing\"} 2") != std::string::npos);
  CHECK(text.find("mockslack_alert_occurrences_total{result=\"new\"} 2") != std::string::npos);
  CHECK(text.find("mockslack_alert_occurrences_total{result=\"duplicate\"} 2") !=
        std::string::npos);
  CHECK(text.find("mockslack_db_write_duration_seconds_count") != std::string::npos);
  CHECK(text.find("mockslack_db_size_bytes ") != std::string::npos);
  CHECK(text.find("mockslack_webhook_rejected_total{reason=\"unauthorized\"} 0") !=
        std::string::npos);
  auto [code, output] = firedrill::testing::promtool_check_metrics(PROMTOOL, text);
  INFO(output);
  CHECK(code == 0);
}

TEST_CASE("sync records alerts the webhook never delivered, idempotently", "[webhook][sync]") {
  Running r;
  set_clock("2026-11-21T22:30:00Z");
  json silenced = json::parse(R"({
    "labels": {"alertname": "DiskFull", "service": "batch-sync", "severity": "ticket"},
    "annotations": {"summary": "disk"},
    "startsAt": "2026-11-21T22:00:00Z", "endsAt": "2026-11-21T22:35:00Z",
    "updatedAt": "2026-11-21T22:29:00Z", "fingerprint": "00000000000000aa",
    "generatorURL": "http://p", "receivers": [{"name": "ops"}],
    "status": {"state": "suppressed", "silencedBy": ["silence-1"], "inhibitedBy": []}
  })");
  json body{{"source", "alertmanager"}, {"alerts", {silenced}}};
  auto res = r.post("/api/v1/sync", body);
  REQUIRE(res->status == 200);
  const json no_silences{{"received", 0}, {"new", 0}, {"updated", 0}};
  // "ops" never sent a notification: its grouping is unknown, so no incident (sync_join.cpp).
  const json no_incidents{{"joined", 0}, {"opened", 0}, {"resolved", 0}};
  CHECK(json::parse(res->body) == json{{"received", 1},
                                       {"new", 1},
                                       {"updated", 0},
                                       {"incidents", no_incidents},
                                       {"silences", no_silences}});
  auto stored = r.get("/api/v1/alerts")["data"];
  REQUIRE(stored.size() == 1);
  CHECK(stored[0]["suppressed"] == json{{"state", "suppressed"},
                                        {"silencedBy", {"silence-1"}},
                                        {"inhibitedBy", json::array()}});
  CHECK(stored[0]["timesNotified"] == 0);
  CHECK(stored[0]["firstNotifiedAt"].is_null());
  CHECK(stored[0]["source"] == "sync");
  CHECK(stored[0]["receiver"] == "ops");

  // A second run adds nothing.
  CHECK(json::parse(r.post("/api/v1/sync", body)->body) == json{{"received", 1},
                                                                {"new", 0},
                                                                {"updated", 0},
                                                                {"incidents", no_incidents},
                                                                {"silences", no_silences}});
  // The silence expires: the state changes.
  body["alerts"][0]["status"] = {
      {"state", "active"}, {"silencedBy", json::array()}, {"inhibitedBy", json::array()}};
  CHECK(json::parse(r.post("/api/v1/sync", body)->body) == json{{"received", 1},
                                                                {"new", 0},
                                                                {"updated", 1},
                                                                {"incidents", no_incidents},
                                                                {"silences", no_silences}});
  CHECK(r.get("/api/v1/alerts")["data"].size() == 1);

  SECTION("bad input names the field and changes nothing") {
    auto bad = body;
    bad["alerts"].push_back(silenced);
    bad["alerts"][1]["startsAt"] = "soon";
    bad["alerts"][1]["fingerprint"] = "00000000000000bb";
    auto res2 = r.post("/api/v1/sync", bad);
    CHECK(res2->status == 400);
    CHECK(json::parse(res2->body)["error"] ==
          "alerts[1].startsAt: invalid RFC 3339 timestamp \"soon\"");
    CHECK(json::parse(r.post("/api/v1/sync", json{{"alerts", json::array()}})->body)["error"] ==
          "source: required field is missing");
    // A number too large for a double is malformed JSON, a 400, not an escaped exception.
    auto overflow = r.client().Post("/api/v1/sync", R"({"source":"alertmanager","n":1e999})",
                                    "application/json");
    REQUIRE(overflow);
    CHECK(overflow->status == 400);
    CHECK(json::parse(overflow->body)["error"] ==
          "malformed JSON: number overflow parsing '1e999'");
    CHECK(r.get("/api/v1/alerts")["data"].size() == 1);
  }
}

TEST_CASE("retention prunes what resolved before the cutoff", "[webhook][retention]") {
  Running r;
  set_clock("2026-08-01T00:10:00Z");
  REQUIRE(r.post("/webhook", notification("Old", "resolved",
                                          {alert("Old", "resolved", "2026-08-01T00:00:00Z",
                                                 "2026-08-01T00:05:00Z")}))
              ->status == 200);
  REQUIRE(r.post("/webhook",
                 notification("Long", "firing", {alert("Long", "firing", "2026-08-01T00:00:00Z")}))
              ->status == 200);
  REQUIRE(r.post("/slack/old", json{{"text", "old message"}})->status == 200);
  // Expired long ago (pruned), expired within the retention, and still active however old.
  REQUIRE(r.post("/api/v1/sync", json{{"source", "alertmanager"},
                                      {"silences",
                                       {silence("old", "expired", "2026-08-01T00:05:00Z",
                                                "2026-08-01T00:00:00Z", "2026-08-01T00:05:00Z"),
                                        silence("recent", "expired", "2026-11-20T00:00:00Z",
                                                "2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z"),
                                        silence("long", "active", "2026-08-01T00:00:00Z",
                                                "2026-08-01T00:00:00Z", "2027-08-01T00:00:00Z")}}})
              ->status == 200);

  set_clock("2026-10-29T00:00:00Z");  // 89 days later: nothing is old enough
  CHECK(json::parse(r.post("/api/v1/retention", json::object())->body)["pruned"] == 0);

  set_clock("2026-11-21T00:00:00Z");
  auto res = r.post("/api/v1/retention", json::object());
  REQUIRE(res->status == 200);
  auto reply = json::parse(res->body);
  CHECK(reply["pruned"] == 1);
  CHECK(reply["incidents"] == 1);
  CHECK(reply["messages"] == 1);
  CHECK(reply["silences"] == 1);
  const json silences = r.get("/api/v1/silences")["data"];
  std::set<std::string> silences_left;
  for (const auto& s : silences) silences_left.insert(s["id"]);
  CHECK(silences_left == std::set<std::string>{"recent", "long"});
  auto left = r.get("/api/v1/alerts")["data"];
  REQUIRE(left.size() == 1);  // still firing: kept however old
  CHECK(left[0]["labels"]["alertname"] == "Long");
  CHECK(r.get("/api/v1/incidents")["data"].size() == 1);
}

TEST_CASE("sync records silences next to alerts, idempotently", "[webhook][sync][silences]") {
  Running r;
  set_clock("2026-11-21T22:30:00Z");
  json body{{"source", "alertmanager"},
            {"alerts", {gettable_alert("DiskFull", "2026-11-21T22:01:00Z", {"s-1"})}},
            {"silences", {silence("s-1"), silence("s-2", "expired")}}};
  auto res = r.post("/api/v1/sync", body);
  REQUIRE(res->status == 200);
  CHECK(json::parse(res->body) ==
        json{{"received", 1},
             {"new", 1},
             {"updated", 0},
             {"incidents", {{"joined", 0}, {"opened", 0}, {"resolved", 0}}},
             {"silences", {{"received", 2}, {"new", 2}, {"updated", 0}}}});
  CHECK(json::parse(r.post("/api/v1/sync", body)->body)["silences"] ==
        json{{"received", 2}, {"new", 0}, {"updated", 0}});
  body["silences"][1]["updatedAt"] = "2026-11-21T22:20:00Z";
  CHECK(json::parse(r.post("/api/v1/sync", body)->body)["silences"] ==
        json{{"received", 2}, {"new", 0}, {"updated", 1}});

  SECTION("silences alone, without alerts") {
    auto only = r.post("/api/v1/sync",
                       json{{"source", "alertmanager"}, {"silences", {silence("s-3", "pending")}}});
    REQUIRE(only->status == 200);
    CHECK(json::parse(only->body) ==
          json{{"received", 0},
               {"new", 0},
               {"updated", 0},
               {"incidents", {{"joined", 0}, {"opened", 0}, {"resolved", 0}}},
               {"silences", {{"received", 1}, {"new", 1}, {"updated", 0}}}});
    CHECK(r.get("/api/v1/silences")["data"].size() == 3);
  }
}

TEST_CASE("bad silences in a sync get a 400 naming the field and store nothing",
          "[webhook][sync][silences]") {
  Running r;
  const json good{{"source", "alertmanager"},
                  {"alerts", {gettable_alert("DiskFull", "2026-11-21T22:01:00Z", {"s-1"})}},
                  {"silences", {silence("s-1"), silence("s-2")}}};
  auto with = [&](const std::function<void(json&)>& edit) {
    json j = good;
    edit(j);
    return j;
  };
  const std::vector<std::pair<json, std::string>> cases{
      {with([](json& j) { j["silences"][0]["matchers"][1].erase("name"); }),
       "silences[0].matchers[1].name: required field is missing"},
      {with([](json& j) { j["silences"][1]["matchers"][0]["isRegex"] = "no"; }),
       "silences[1].matchers[0].isRegex: expected a boolean, got string"},
      {with([](json& j) { j["silences"][1]["status"]["state"] = "deleted"; }),
       R"(silences[1].status.state: expected "active", "pending" or "expired", got "deleted")"},
      {with([](json& j) { j["silences"][0]["endsAt"] = "later"; }),
       "silences[0].endsAt: invalid RFC 3339 timestamp \"later\""},
      {with([](json& j) { j["silences"] = json::object(); }),
       "silences: expected an array, got object"},
      {with([](json& j) {
         j.erase("alerts");
         j.erase("silences");
       }),
       "payload: expected \"alerts\", \"silences\" or both"},
      {with([](json& j) { j.erase("source"); }), "source: required field is missing"},
  };
  for (const auto& [body, error] : cases) {
    INFO(body.dump());
    auto res = r.post("/api/v1/sync", body);
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body)["error"] == error);
  }
  CHECK(r.get("/api/v1/silences")["data"].empty());
  CHECK(r.get("/api/v1/alerts")["data"].empty());
}
