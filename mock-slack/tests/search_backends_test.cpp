// Search (search.cpp) on both back ends: the same history, the same words, the same hits, on a
// SQLite file and on a real PostgreSQL server (tests/store/backends.hpp).
#include <catch2/catch.hpp>

#include "mock_slack/incident_events.hpp"
#include "mock_slack/search.hpp"
#include "store/backends.hpp"
#include "store/store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

/// "alert 3, event 1, message 2": what a search found, by kind and id, newest first.
std::vector<std::string> found(Store& s, const std::string& q) {
  std::vector<std::string> out;
  for (const auto& h : search(s, fts_query(q), 50)) {
    out.push_back(h.type + " " + std::to_string(h.id) +
                  (h.incident_ids.empty() ? "" : " in " + std::to_string(h.incident_ids.front())));
  }
  return out;
}

}  // namespace

TEST_CASE("search finds the same on both back ends", "[search][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  StoreOptions o;
  o.path = b.location();
  set_clock("2026-11-21T22:01:00Z");
  Store s(o, test_now);
  s.ingest(alerting::parse_webhook_json(notification(
               "PortalDown", "firing",
               {alert("PortalDown", "firing", "2026-11-21T22:00:00Z", "0001-01-01T00:00:00Z",
                      {{"instance", "10.0.0.1:8080"}, {"site", "Zürich"}}),
                alert("PortalDown", "firing", "2026-11-21T22:00:00Z", "0001-01-01T00:00:00Z",
                      {{"instance", "10.0.0.2:8443"}})})),
           "h");
  s.ingest(alerting::parse_webhook_json(
               notification("DiskFull", "firing",
                            {alert("DiskFull", "firing", "2026-11-21T22:00:30Z",
                                   "0001-01-01T00:00:00Z", {{"instance", "db-1"}})})),
           "h");
  IncidentEvent note;
  note.incident_id = 1;
  note.at = test_now();
  note.author = "alice";
  note.kind = "note";
  note.text = "rolled back the deploy; it's \"fine\" now";
  add_incident_event(s, note);
  Message m;
  m.channel = "pages";
  m.username = "alertmanager";
  m.text = "[FIRING:1] DiskFull";
  m.attachments = json::array({{{"title", "disk almost full on db-1"}, {"color", "danger"}}});
  s.add_message(m);

  CHECK(found(s, "PortalDown") == std::vector<std::string>{"alert 2 in 1", "alert 1 in 1"});
  CHECK(found(s, "portaldown 10.0.0.2:8443") == std::vector<std::string>{"alert 2 in 1"});
  CHECK(found(s, "zurich") == std::vector<std::string>{"alert 1 in 1"});
  // service=portal is a label value of all three.
  CHECK(found(s, "Port*") ==
        std::vector<std::string>{"alert 3 in 2", "alert 2 in 1", "alert 1 in 1"});
  CHECK(found(s, "PortalD*") == std::vector<std::string>{"alert 2 in 1", "alert 1 in 1"});
  CHECK(found(s, "rolled deploy") == std::vector<std::string>{"event 1 in 1"});
  CHECK(found(s, "\"fine\"") == std::vector<std::string>{"event 1 in 1"});
  CHECK(found(s, "almost") == std::vector<std::string>{"message 1"});
  CHECK(found(s, "db-1").size() == 2);  // the DiskFull alert and the message's attachment
  // Words split at ASCII punctuation, as unicode61 splits them: part of an address, a port, the
  // word before a hyphen (PostgreSQL's parser kept `10.0.0.2:8443` and `db-1` whole).
  CHECK(found(s, "10.0") == std::vector<std::string>{"alert 2 in 1", "alert 1 in 1"});
  CHECK(found(s, "0.2") == std::vector<std::string>{"alert 2 in 1"});
  CHECK(found(s, "8443") == std::vector<std::string>{"alert 2 in 1"});
  CHECK(found(s, "84*") == std::vector<std::string>{"alert 2 in 1"});
  CHECK(found(s, "db").size() == 2);
  CHECK(found(s, "deploy;") == std::vector<std::string>{"event 1 in 1"});
  CHECK(found(s, "nowhere").empty());
  CHECK(found(s, "PortalDown nowhere").empty());
  SECTION("a resolution keeps the alert findable, with its new state") {
    s.ingest(alerting::parse_webhook_json(
                 notification("DiskFull", "resolved",
                              {alert("DiskFull", "resolved", "2026-11-21T22:00:30Z",
                                     "2026-11-21T22:05:00Z", {{"instance", "db-1"}})})),
             "h");
    const auto hits = search(s, fts_query("DiskFull db-1"), 10);
    const auto alert_hit = std::find_if(hits.begin(), hits.end(),
                                        [](const SearchHit& h) { return h.type == "alert"; });
    REQUIRE(alert_hit != hits.end());
    CHECK(alert_hit->title == "DiskFull resolved");
  }
}

TEST_CASE("search on PostgreSQL answers when the planner would run it in parallel",
          "[search][pg]") {
  Backend b(db::Dialect::postgres);
  // Every query that may go parallel does, as a big history's scan of a common word would
  // (debug_parallel_query since PostgreSQL 16, force_parallel_mode before).
  b.db().exec(
      "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET %s = on', current_database(), CASE WHEN "
      "current_setting('server_version_num')::int >= 160000 THEN 'debug_parallel_query' ELSE "
      "'force_parallel_mode' END); END $$");
  for (const char* setting :
       {"parallel_setup_cost = 0", "parallel_tuple_cost = 0", "min_parallel_table_scan_size = 0",
        "enable_indexscan = off", "enable_bitmapscan = off"}) {
    const std::string sql = std::string("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ") +
                            setting + "', current_database()); END $$";
    b.db().exec(sql.c_str());
  }
  StoreOptions o;
  o.path = b.location();
  set_clock("2026-11-21T22:01:00Z");
  Store s(o, test_now);
  s.ingest(alerting::parse_webhook_json(
               notification("PortalDown", "firing",
                            {alert("PortalDown", "firing", "2026-11-21T22:00:00Z",
                                   "0001-01-01T00:00:00Z", {{"instance", "10.0.0.1:8080"}})})),
           "h");
  Message m;
  m.channel = "pages";
  m.text = "[FIRING:1] PortalDown";
  m.attachments = json::array({{{"title", "portal is down"}}});
  s.add_message(m);
  std::string setting;
  s.read_db([&](db::Connection& c) {
    auto q = c.prepare(
        "SELECT current_setting(CASE WHEN current_setting('server_version_num')::int >= 160000 "
        "THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END)");
    REQUIRE(q->executeStep());
    setting = q->getString(0);
  });
  REQUIRE(setting == "on");
  CHECK(found(s, "PortalDown") == std::vector<std::string>{"message 1", "alert 1 in 1"});
  CHECK(found(s, "Port*").size() == 2);
}
