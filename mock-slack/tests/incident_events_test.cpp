// The incident events API on a real listener and a real SQLite file: keyed by incident or by
// alert occurrence, credentials, bad input, time order, and append-only storage.
#include "mock_slack/incident_events.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

/// Running with the incident events' writes authorized by "Bearer <token>" (default "secret").
struct EventsFixture : Running {
  using Running::Running;
  httplib::Result post(const std::string& path, const json& body,
                       const std::string& token = "secret") const {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return Running::post(path, body, h);
  }
};

ReceiverOptions with_token() {
  ReceiverOptions o;
  o.credentials.bearer_token = "secret";
  return o;
}

}  // namespace

TEST_CASE("events keyed by alert occurrence or incident show with the incident in time order",
          "[incident_events]") {
  EventsFixture f(with_token());
  set_clock("2026-12-01T12:00:05Z");
  json restarting = alert("PortalRestarting", "firing", "2026-12-01T11:58:31.204Z");
  const std::string fingerprint = restarting["fingerprint"];

  // The auto-healer may write before mock-slack has the alert: Alertmanager sends both at once.
  auto early =
      f.post("/api/v1/incident-events", {{"fingerprint", fingerprint},
                                         {"starts_at", "2026-12-01T11:58:31.204Z"},
                                         {"time", "2026-12-01T12:00:01Z"},
                                         {"author", "auto-healer"},
                                         {"kind", "auto_heal"},
                                         {"text", "restart firedrill/portal, attempt 1"},
                                         {"details", {{"result", "acted"}, {"attempt", 1}}}});
  REQUIRE(early);
  INFO(early->body);
  REQUIRE(early->status == 201);
  auto created = json::parse(early->body);
  CHECK(created["kind"] == "auto_heal");
  CHECK(created["recordedAt"] == "2026-12-01T12:00:05Z");
  CHECK(created["fingerprint"] == fingerprint);

  auto delivered =
      f.post("/webhook", notification("PortalRestarting", "firing", json::array({restarting})));
  REQUIRE(delivered);
  REQUIRE(delivered->status == 200);
  const auto incident = json::parse(delivered->body)["incident"].get<std::int64_t>();
  const std::string base = "/api/v1/incidents/" + std::to_string(incident);

  auto note = f.post(base + "/events", {{"time", "2026-12-01T11:59:00Z"},
                                        {"author", "alice"},
                                        {"kind", "note"},
                                        {"text", "looking at the portal logs"}});
  REQUIRE(note);
  REQUIRE(note->status == 201);
  CHECK(json::parse(note->body)["incidentId"] == incident);

  auto events = f.get(base + "/events")["events"];
  REQUIRE(events.size() == 2);
  CHECK(events[0]["author"] == "alice");  // 11:59 before 12:00:01
  CHECK(events[1]["text"] == "restart firedrill/portal, attempt 1");
  CHECK(events[1]["details"]["attempt"] == 1);
  CHECK(f.get(base)["events"] == events);

  SECTION("under the incident's URL, the body names no incident") {
    for (const char* field : {"incident_id", "fingerprint"}) {
      json body{{"author", "alice"}, {"kind", "note"}, {"text", "x"}};
      body[field] = field == std::string("incident_id") ? json(incident + 1) : json("abc");
      auto res = f.post(base + "/events", body);
      REQUIRE(res);
      CHECK(res->status == 400);
      CHECK(json::parse(res->body)["error"] ==
            std::string(field) + ": the incident is the URL's; leave it out");
    }
    CHECK(f.get(base + "/events")["events"].size() == 2);
  }
  SECTION("another occurrence's events stay out") {
    REQUIRE(f.post("/api/v1/incident-events", {{"fingerprint", fingerprint},
                                               {"starts_at", "2026-12-01T10:00:00Z"},
                                               {"author", "auto-healer"},
                                               {"kind", "auto_heal"},
                                               {"text", "an older occurrence"}})
                ->status == 201);
    CHECK(f.get(base + "/events")["events"].size() == 2);
  }
  SECTION("the store refuses to edit an event in place") {
    SQLite::Database db((f.dir.path() / "mock-slack.db").string(), SQLite::OPEN_READWRITE);
    CHECK_THROWS_WITH(db.exec("UPDATE incident_events SET text = 'edited'"),
                      Catch::Contains("incident events are append-only"));
  }
}

TEST_CASE("writing incident events needs credentials and valid fields", "[incident_events]") {
  EventsFixture f(with_token());
  const json good = {{"incident_id", 1}, {"author", "a"}, {"kind", "note"}, {"text", "t"}};
  auto res = f.post("/api/v1/incident-events", good, "");
  REQUIRE(res);
  CHECK(res->status == 401);
  res = f.post("/api/v1/incident-events", good, "wrong");
  REQUIRE(res);
  CHECK(res->status == 401);

  auto error_of = [&](const json& body) {
    auto r = f.post("/api/v1/incident-events", body);
    REQUIRE(r);
    CHECK(r->status == 400);
    return json::parse(r->body)["error"].get<std::string>();
  };
  json bad = good;
  bad["kind"] = "deleted";
  CHECK(error_of(bad) ==
        "kind: \"deleted\" is not one of acknowledged, note, mitigated, resolved, reopened, "
        "auto_heal, drill, silence");
  bad = good;
  bad.erase("text");
  CHECK(error_of(bad) == "text: expected a non-empty string");
  bad = good;
  bad["text"] = std::string(kMaxEventTextBytes + 1, 'x');
  CHECK(error_of(bad) == "text: longer than 4096 bytes");
  bad = good;
  bad.erase("incident_id");
  CHECK(error_of(bad) == "give incident_id, or fingerprint and starts_at");
  bad["fingerprint"] = "abc";
  bad["starts_at"] = "yesterday";
  CHECK(error_of(bad) == "starts_at: invalid RFC 3339 timestamp \"yesterday\"");
  bad = good;
  bad["details"] = json::array();
  CHECK(error_of(bad) == "details: expected a JSON object");
  bad = good;
  bad["at"] = "2026-12-01T12:03:00Z";  // a misspelt "time": refused, not stored at "now"
  CHECK(error_of(bad) ==
        "unknown field \"at\" (expected kind, text, author, time, details, and incident_id or "
        "fingerprint and starts_at)");

  auto raw = f.client().Post("/api/v1/incident-events", {{"Authorization", "Bearer secret"}},
                             "{\"kind\":", "application/json");
  REQUIRE(raw);
  CHECK(raw->status == 400);

  res = f.post("/api/v1/incident-events", good);  // incident 1 does not exist
  REQUIRE(res);
  CHECK(res->status == 404);
}

TEST_CASE("without write credentials configured, incident events cannot be written",
          "[incident_events]") {
  EventsFixture f(ReceiverOptions{});
  auto res = f.post("/api/v1/incident-events",
                    {{"incident_id", 1}, {"author", "a"}, {"kind", "note"}, {"text", "t"}});
  REQUIRE(res);
  CHECK(res->status == 403);
}
