// Free-text search (search.hpp, search_api.cpp) on a real listener and a real SQLite file:
// alerts, label values, annotations, incident events and Slack messages, each linked to its
// incident or channel; what users type that is FTS5 syntax; the index through updates,
// retention and a migration of an existing database; the results page.
#include <SQLiteCpp/SQLiteCpp.h>

#include "helpers.hpp"
#include "mock_slack/search.hpp"
#include "mock_slack_ui/html.hpp"
#include "schema_at.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

struct Writer : Running {
  static ReceiverOptions options() {
    ReceiverOptions o;
    o.credentials.bearer_token = "secret";
    return o;
  }
  Writer() : Running(options()) {}
  void write(const std::string& path, const json& body) const {
    auto res = Running::post(path, body, {{"Authorization", "Bearer secret"}});
    REQUIRE(res);
    INFO(path << ": " << res->body);
    REQUIRE(res->status / 100 == 2);
  }
  httplib::Result search(const std::string& q) const {
    auto c = client();
    return c.Get(("/api/v1/search?q=" + ui::url_encode(q)).c_str());
  }
  json hits(const std::string& q) const {
    auto res = search(q);
    REQUIRE(res);
    INFO(q << ": " << res->body);
    REQUIRE(res->status == 200);
    return json::parse(res->body)["data"];
  }
};

std::vector<std::string> titles(const json& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits)
    out.push_back(h["type"].get<std::string>() + ":" + h["title"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("search finds alert names, label values, annotations, notes and Slack messages",
          "[search]") {
  Writer w;
  set_clock("2026-12-01T12:00:00Z");
  json a = alert("PortalHighErrorRate", "firing", "2026-12-01T11:50:00Z", "0001-01-01T00:00:00Z",
                 {{"instance", "10.1.2.3:8080"}, {"region", "eu-west-1"}});
  a["annotations"]["description"] = "Error ratio above 14.4x the budget";
  w.write("/webhook", notification("PortalHighErrorRate", "firing", json::array({a})));
  w.write("/webhook",
          notification("DiskFull", "firing",
                       json::array({alert("DiskFull", "firing", "2026-12-01T11:55:00Z")})));
  const auto incidents = w.get("/api/v1/incidents")["data"];
  REQUIRE(incidents.size() == 2);
  const std::int64_t portal_incident = incidents[1]["id"];
  w.write("/api/v1/incidents/" + std::to_string(portal_incident) + "/events",
          {{"kind", "note"}, {"author", "alice"}, {"text", "Rolled back the canary deploy"}});
  w.write("/slack/pages", {{"text", "PortalHighErrorRate is paging: rollback started"},
                           {"attachments", {{{"title", "Runbook"}, {"text", "see grafana"}}}}});

  SECTION("an alert by its name, case-insensitive, linked to its incident") {
    const json hits = w.hits("portalhigherrorrate");
    REQUIRE(hits.size() == 2);  // the occurrence and the Slack message
    CHECK(titles(hits) ==
          std::vector<std::string>{"message:#pages", "alert:PortalHighErrorRate firing"});
    const json& alert_hit = hits[1];
    CHECK(alert_hit["incidentIds"] == json::array({portal_incident}));
    CHECK(alert_hit["url"] == "/incidents/" + std::to_string(portal_incident));
    CHECK(alert_hit["text"].get<std::string>().find("instance=10.1.2.3:8080") != std::string::npos);
    CHECK(hits[0]["url"] == "/channels/pages");
    CHECK(hits[0]["channel"] == "pages");
  }
  SECTION("label values, as phrases of their parts") {
    CHECK(titles(w.hits("10.1.2.3")) ==
          std::vector<std::string>{"alert:PortalHighErrorRate firing"});
    CHECK(titles(w.hits("eu-west-1")) ==
          std::vector<std::string>{"alert:PortalHighErrorRate firing"});
    CHECK(w.hits("10.1.2.4").empty());
    // Label names are not indexed: every alert has a "service" label.
    CHECK(w.hits("region").empty());
  }
  SECTION("annotations, and every word must match") {
    CHECK(titles(w.hits("budget ratio")) ==
          std::vector<std::string>{"alert:PortalHighErrorRate firing"});
    CHECK(w.hits("budget disk").empty());
  }
  SECTION("a note, linked to its incident") {
    const json hits = w.hits("canary");
    REQUIRE(hits.size() == 1);
    CHECK(hits[0]["type"] == "event");
    CHECK(hits[0]["title"] == "note by alice");
    CHECK(hits[0]["text"] == "Rolled back the canary deploy");
    CHECK(hits[0]["url"] == "/incidents/" + std::to_string(portal_incident));
  }
  SECTION("Slack messages, their attachments included") {
    CHECK(titles(w.hits("grafana")) == std::vector<std::string>{"message:#pages"});
    CHECK(titles(w.hits("rollback")) == std::vector<std::string>{"message:#pages"});
  }
  SECTION("a prefix with a final *") {
    CHECK(w.hits("PortalHigh").empty());  // whole words only
    CHECK(titles(w.hits("PortalHigh*")) ==
          std::vector<std::string>{"message:#pages", "alert:PortalHighErrorRate firing"});
    CHECK(w.hits("portal").size() == 2);  // the label value service="portal" of both alerts
    CHECK(titles(w.hits("Disk*")) == std::vector<std::string>{"alert:DiskFull firing"});
  }
  SECTION("limit") {
    auto c = w.client();
    auto res = c.Get("/api/v1/search?q=portal&limit=1");
    REQUIRE(res);
    CHECK(json::parse(res->body)["data"].size() == 1);
    res = c.Get("/api/v1/search?q=portal&limit=0");
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body)["error"].get<std::string>().starts_with("limit:"));
  }
}

TEST_CASE("what users type that is FTS5 syntax is searched as text or refused with 400",
          "[search][hostile]") {
  Writer w;
  set_clock("2026-12-01T12:00:00Z");
  json a = alert("NearOrNot", "firing", "2026-12-01T11:50:00Z", "0001-01-01T00:00:00Z",
                 {{"owner", "AND"}, {"team", "NEAR"}});
  w.write("/webhook", notification("NearOrNot", "firing", json::array({a})));

  // FTS5 operators and punctuation: words to find, or nothing, never a syntax error.
  for (const std::string q : {"AND",       "OR",         "NOT",     "NEAR",
                              "NEAR(",     "AND OR NOT", "\"",      "\"\"\"",
                              "owner:AND", "^near",      "near*",   "(",
                              ")",         "{team}",     "a OR b",  "\"unbalanced",
                              "col : x",   "x\"y\"z",    "'; DROP", "NearOrNot*",
                              "—",         "é",          "🔥",       "\\",
                              "*x",        "%",          "+",       "-near",
                              "near-",     "a AND (b OR"}) {
    auto res = w.search(q);
    REQUIRE(res);
    INFO("q=" << q << ": " << res->status << " " << res->body);
    CHECK((res->status == 200 || res->status == 400));
    const json body = json::parse(res->body);
    if (res->status == 400) CHECK(body["error"].get<std::string>().starts_with("q:"));
  }
  CHECK(titles(w.hits("AND")) == std::vector<std::string>{"alert:NearOrNot firing"});
  CHECK(titles(w.hits("NEAR(")) == std::vector<std::string>{"alert:NearOrNot firing"});
  CHECK(titles(w.hits("-near")) == std::vector<std::string>{"alert:NearOrNot firing"});
  CHECK(w.hits("—").empty());  // a word of punctuation only finds nothing

  SECTION("nothing to search for, too long, too many words: 400 naming q") {
    for (const std::string& q :
         std::vector<std::string>{"", "   ", "***", "\" \" \"", std::string(513, 'a'),
                                  "a b c d e f g h i j k l m n o p q"}) {
      auto res = w.search(q);
      REQUIRE(res);
      INFO("q=" << q);
      CHECK(res->status == 400);
      CHECK(json::parse(res->body)["error"].get<std::string>().starts_with("q:"));
    }
  }
}

TEST_CASE("fts_query quotes every word and ANDs them", "[search]") {
  CHECK(fts_query("Portal down") == "\"Portal\" \"down\"");
  CHECK(fts_query("say \"hi\"") == "\"say\" \"\"\"hi\"\"\"");
  CHECK(fts_query("port* p*") == "\"port\"* \"p\"");
  CHECK(fts_query("AND") == "\"AND\"");
  CHECK_THROWS_AS(fts_query("!!! ---"), std::invalid_argument);
}

TEST_CASE("the index follows updates, retention and the alert's events by occurrence", "[search]") {
  Writer w;
  set_clock("2026-12-01T12:00:00Z");
  json a = alert("LatencyHigh", "firing", "2026-12-01T11:50:00Z");
  a["annotations"]["summary"] = "first wording";
  w.write("/webhook", notification("LatencyHigh", "firing", json::array({a})));
  CHECK(w.hits("wording").size() == 1);

  // A later notification changes the annotation: the old text is gone from the index.
  a["annotations"]["summary"] = "second phrasing";
  w.write("/webhook", notification("LatencyHigh", "firing", json::array({a})));
  CHECK(w.hits("wording").empty());
  CHECK(w.hits("phrasing").size() == 1);

  // An event keyed by the occurrence links to the occurrence's incident.
  w.write("/api/v1/incident-events", {{"fingerprint", a["fingerprint"]},
                                      {"starts_at", "2026-12-01T11:50:00Z"},
                                      {"author", "auto-healer"},
                                      {"kind", "auto_heal"},
                                      {"text", "restarted the pod"}});
  const json event = w.hits("restarted");
  REQUIRE(event.size() == 1);
  CHECK(event[0]["incidentIds"].size() == 1);

  // Retention prunes the occurrence and the message: nothing of them is found any more.
  w.write("/slack/ops", {{"text", "phrasing discussed"}});
  a["status"] = "resolved";
  a["endsAt"] = "2026-12-01T11:55:00Z";
  w.write("/webhook", notification("LatencyHigh", "resolved", json::array({a})));
  set_clock("2027-06-01T12:00:00Z");
  w.write("/api/v1/retention", json::object());
  CHECK(w.hits("phrasing").empty());
  CHECK(w.get("/api/v1/alerts")["data"].empty());
  // The index is consistent with its sources (a contentless table told wrong values on a delete
  // would fail FTS5's integrity check).
  SQLite::Database db(w.store.options().path, SQLite::OPEN_READWRITE);
  for (const char* t : {"search_occurrences", "search_events", "search_messages"}) {
    CHECK_NOTHROW(db.exec(std::string("INSERT INTO ") + t + "(" + t +
                          ") VALUES "
                          "('integrity-check')"));
  }
  // No row id of what was pruned is left in the index (the search's join would hide it).
  CHECK(db.execAndGet("SELECT count(*) FROM search_occurrences WHERE search_occurrences MATCH "
                      "'phrasing OR wording OR LatencyHigh'")
            .getInt() == 0);
  CHECK(db.execAndGet("SELECT count(*) FROM search_messages WHERE search_messages MATCH "
                      "'phrasing'")
            .getInt() == 0);
}

TEST_CASE("an occurrence queued for the index and pruned before it was indexed leaves no trace",
          "[search]") {
  Writer w;
  set_clock("2026-12-01T12:00:00Z");
  w.write("/webhook", notification("Blip", "resolved",
                                   json::array({alert("Blip", "resolved", "2026-12-01T11:50:00Z",
                                                      "2026-12-01T11:51:00Z")})));
  SQLite::Database db(w.store.options().path, SQLite::OPEN_READWRITE);
  // Not indexed yet: past the watermark.
  CHECK(db.execAndGet("SELECT occurrences_through FROM search_watermark").getInt() == 0);
  CHECK(db.execAndGet("SELECT max(id) FROM occurrences").getInt() == 1);
  set_clock("2027-06-01T12:00:00Z");
  w.write("/api/v1/retention", json::object());
  CHECK(db.execAndGet("SELECT count(*) FROM occurrences").getInt() == 0);
  CHECK(w.hits("Blip").empty());
  CHECK_NOTHROW(
      db.exec("INSERT INTO search_occurrences(search_occurrences) VALUES "
              "('integrity-check')"));
  // And one indexed in a batch is found, then taken out again when pruned.
  set_clock("2027-06-01T12:00:00Z");
  w.write("/webhook", notification("Blop", "resolved",
                                   json::array({alert("Blop", "resolved", "2027-06-01T11:50:00Z",
                                                      "2027-06-01T11:51:00Z")})));
  CHECK(index_pending(w.store) == 1);
  CHECK(index_pending(w.store) == 0);
  CHECK(db.execAndGet("SELECT count(*) FROM search_occurrences WHERE search_occurrences MATCH "
                      "'Blop'")
            .getInt() == 1);
  CHECK(db.execAndGet("SELECT occurrences_through FROM search_watermark").getInt() == 1);
  set_clock("2027-12-01T12:00:00Z");
  w.write("/api/v1/retention", json::object());
  CHECK(db.execAndGet("SELECT count(*) FROM search_occurrences WHERE search_occurrences MATCH "
                      "'Blop'")
            .getInt() == 0);

  // The table is empty again, so SQLite gives the next occurrence Blop's id, 1, again: the
  // watermark came down with the delete, so the new row is past it and indexed.
  CHECK(db.execAndGet("SELECT occurrences_through FROM search_watermark").getInt() == 0);
  w.write("/webhook", notification("Blup", "firing",
                                   json::array({alert("Blup", "firing", "2027-12-01T11:50:00Z")})));
  CHECK(db.execAndGet("SELECT id FROM occurrences").getInt() == 1);
  CHECK(titles(w.hits("Blup")) == std::vector<std::string>{"alert:Blup firing"});
  CHECK(w.hits("Blop").empty());
  CHECK_NOTHROW(
      db.exec("INSERT INTO search_occurrences(search_occurrences) VALUES "
              "('integrity-check')"));
}

TEST_CASE("the background indexer waits for a batch worth its commit, or for max_wait",
          "[search]") {
  using std::chrono::milliseconds;
  IndexPolicy p;
  p.min_rows = 500;
  p.max_wait = milliseconds(2000);
  CHECK_FALSE(index_due(p, 0, milliseconds(60'000)));  // nothing waits
  CHECK_FALSE(index_due(p, 499, milliseconds(1999)));
  CHECK(index_due(p, 500, milliseconds(0)));
  CHECK(index_due(p, 1, milliseconds(2000)));

  // What it counts: the new and changed occurrences of committed writes.
  Writer w;
  set_clock("2026-12-01T12:00:00Z");
  json alerts = json::array();
  for (int i = 0; i < 3; ++i) {
    alerts.push_back(alert("Wait" + std::to_string(i), "firing", "2026-12-01T11:50:00Z"));
  }
  const std::uint64_t before = w.store.write_queue().occurrences_written;
  w.write("/webhook", notification("Wait", "firing", alerts));
  CHECK(w.store.write_queue().occurrences_written == before + 3);
  CHECK(index_pending(w.store) == 3);
  alerts[1]["annotations"]["summary"] = "reworded";
  w.write("/webhook", notification("Wait", "firing", alerts));
  CHECK(w.store.write_queue().occurrences_written >= before + 4);
  CHECK(index_pending(w.store) == 1);  // the changed one, queued by the update trigger
  CHECK(index_pending(w.store) == 0);
  CHECK(w.hits("reworded").size() == 1);
}

TEST_CASE("a version 7 database's existing rows are indexed by migration 8", "[search][store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  {
    SQLite::Database db(o.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    migrate_by_hand(db, 7);
    db.exec(
        "INSERT INTO occurrences (id, fingerprint, starts_at, status, alertname, severity, "
        "service, labels, annotations, generator_url, receiver, times_notified, "
        "suppressed_state, silenced_by, inhibited_by, source) VALUES (42, 'fp', "
        "1795300000000000000, 'firing', 'DiskFull', 'page', 'storage', "
        "'{\"alertname\":\"DiskFull\",\"mount\":\"/var/lib/postgres\"}', "
        "'{\"summary\":\"disk almost full\"}', '', 'team', 1, 'active', '[]', '[]', 'webhook')");
    db.exec(
        "INSERT INTO incident_events (at, recorded_at, author, kind, text, details, fingerprint, "
        "starts_at) VALUES (1, 1, 'bob', 'note', 'moved the WAL to another volume', '{}', 'fp', "
        "1795300000000000000)");
    db.exec(
        "INSERT INTO messages (received_at, channel, username, text, icon_emoji, icon_url, "
        "attachments, blocks) VALUES (1, 'storage', 'am', 'disk pages', '', '', 'not json', "
        "'[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"postgres volume\"}}]')");
  }
  Store store(o, test_now);
  CHECK(store.schema_version() == kSchemaVersion);
  CHECK(search(store, fts_query("postgres"), 10).size() == 2);  // the label value and the block
  CHECK(search(store, fts_query("almost"), 10).size() == 1);
  const auto note = search(store, fts_query("volume WAL"), 10);
  REQUIRE(note.size() == 1);
  CHECK(note[0].type == "event");
}

TEST_CASE("a version 8 database's rows are indexed again by migration 9 and stay searchable",
          "[search][store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  {
    // What mock-slack with schema version 8 left: one occurrence indexed, one still queued in
    // search_pending by migration 8's insert trigger, a note and a Slack message.
    SQLite::Database db(o.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    migrate_by_hand(db, 8);
    for (const char* row :
         {"(41, 'fp1', 1795300000000000000, 'firing', 'DiskFull', 'page', 'storage', "
          "'{\"alertname\":\"DiskFull\",\"instance\":\"10.0.0.1:8080\"}', "
          "'{\"summary\":\"disk almost full\"}', '', 'team', 1, 'active', '[]', '[]', 'webhook')",
          "(42, 'fp2', 1795300000000000000, 'firing', 'CertExpiring', 'ticket', 'edge', "
          "'{\"alertname\":\"CertExpiring\",\"instance\":\"10.0.0.2:8443\"}', "
          "'{\"summary\":\"certificate expires soon\"}', '', 'team', 1, 'active', '[]', '[]', "
          "'webhook')"}) {
      db.exec(std::string("INSERT INTO occurrences (id, fingerprint, starts_at, status, "
                          "alertname, severity, service, labels, annotations, generator_url, "
                          "receiver, times_notified, suppressed_state, silenced_by, "
                          "inhibited_by, source) VALUES ") +
              row);
    }
    // Migration 8's indexer took 41 and left 42 queued.
    db.exec(
        "INSERT INTO search_occurrences (rowid, alertname, labels, annotations) SELECT o.id, "
        "o.alertname, (SELECT group_concat(value, ' ') FROM json_each(o.labels)), (SELECT "
        "group_concat(value, ' ') FROM json_each(o.annotations)) FROM occurrences o WHERE o.id = "
        "41");
    db.exec("DELETE FROM search_pending WHERE id = 41");
    db.exec(
        "INSERT INTO incident_events (at, recorded_at, author, kind, text, details, fingerprint, "
        "starts_at) VALUES (1, 1, 'bob', 'note', 'renewed with certbot', '{}', 'fp2', "
        "1795300000000000000)");
    db.exec(
        "INSERT INTO messages (received_at, channel, username, text, icon_emoji, icon_url, "
        "attachments, blocks) VALUES (1, 'storage', 'am', 'disk pages', '', '', "
        "'[{\"title\":\"Runbook\",\"text\":\"grow the volume\"}]', 'not json')");
    REQUIRE(db.execAndGet("SELECT count(*) FROM search_pending").getInt() == 1);
  }
  Store store(o, test_now);
  CHECK(store.schema_version() == kSchemaVersion);
  auto types = [&](const std::string& q) {
    std::vector<std::string> out;
    for (const auto& h : search(store, fts_query(q), 10)) {
      out.push_back(h.type + ":" + std::to_string(h.id));
    }
    return out;
  };
  CHECK(types("DiskFull") == std::vector<std::string>{"alert:41"});
  CHECK(types("10.0.0.2:8443") == std::vector<std::string>{"alert:42"});  // the queued one
  CHECK(types("expires soon") == std::vector<std::string>{"alert:42"});
  CHECK(types("certbot").size() == 1);
  CHECK(types("volume") == std::vector<std::string>{"message:1"});
  // CertExpiring and the note's "certbot"; the 2-character prefix is read from the prefix index.
  CHECK(types("Cert*").size() == 2);
  CHECK(types("ce*").size() == 2);
  {
    SQLite::Database db(o.path, SQLite::OPEN_READWRITE);
    CHECK(db.execAndGet("SELECT count(*) FROM search_pending").getInt() == 0);
    CHECK(db.execAndGet("SELECT occurrences_through FROM search_watermark").getInt() == 42);
    for (const char* t : {"search_occurrences", "search_events", "search_messages"}) {
      CHECK_NOTHROW(
          db.exec(std::string("INSERT INTO ") + t + "(" + t + ") VALUES ('integrity-check')"));
    }
    // The alert's name is indexed once, in its own column, not again among its label values.
    CHECK(db.execAndGet("SELECT count(*) FROM search_occurrences WHERE search_occurrences MATCH "
                        "'labels : DiskFull'")
              .getInt() == 0);
    CHECK(db.execAndGet("SELECT count(*) FROM search_occurrences WHERE search_occurrences MATCH "
                        "'alertname : DiskFull'")
              .getInt() == 1);
  }
}

TEST_CASE("the search page: the box, results linked to incidents and channels, errors",
          "[search][pages]") {
  Writer w;
  set_clock("2026-12-01T12:00:00Z");
  w.write("/webhook",
          notification("Kaput", "firing",
                       json::array({alert("Kaput", "firing", "2026-12-01T11:50:00Z")})));
  w.write("/slack/ops", {{"text", "Kaput <script>alert(1)</script>"}});
  auto c = w.client();

  auto empty = c.Get("/search");
  REQUIRE(empty);
  CHECK(empty->status == 200);
  CHECK(empty->body.find("<form class=\"search\" method=\"get\" action=\"/search\"") !=
        std::string::npos);

  auto res = c.Get("/search?q=kaput");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Security-Policy").find("default-src 'none'") !=
        std::string::npos);
  CHECK(res->body.find("<a href=\"/incidents/1\">incident 1</a>") != std::string::npos);
  CHECK(res->body.find("<a href=\"/channels/ops\">#ops</a>") != std::string::npos);
  CHECK(res->body.find("<script>") == std::string::npos);
  CHECK(res->body.find("&lt;script&gt;") != std::string::npos);

  auto none = c.Get("/search?q=nothinglikethis");
  REQUIRE(none);
  CHECK(none->status == 200);
  CHECK(none->body.find("Nothing found") != std::string::npos);

  auto bad = c.Get("/search?q=%22%22");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(bad->body.find("expected words to search for") != std::string::npos);

  // The timeline page carries the search box.
  auto timeline = c.Get("/");
  REQUIRE(timeline);
  CHECK(timeline->body.find("action=\"/search\"") != std::string::npos);
}
