#include <SQLiteCpp/SQLiteCpp.h>

#include "../../src/store/schema.hpp"
#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::test;

TEST_CASE("the schema is migrated once and kept across restarts", "[store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  {
    Store s(o, test_now);
    CHECK(s.schema_version() == kSchemaVersion);
    s.ingest(make("g", 0, 3), "hash");
  }
  {
    Store s(o, test_now);
    CHECK(s.schema_version() == kSchemaVersion);
    CHECK(s.alerts({}).items.size() == 3);
  }
  SECTION("a database from a newer mock-slack is refused") {
    {
      SQLite::Database db(o.path, SQLite::OPEN_READWRITE);
      db.exec("PRAGMA user_version = 99");
    }
    try {
      Store s(o, test_now);
      FAIL("opened");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find("has schema version 99, newer than this mock-slack (" +
                                       std::to_string(kSchemaVersion) + ")") != std::string::npos);
    }
  }
  SECTION("WAL mode") {
    SQLite::Database db(o.path, SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
  }
}

TEST_CASE("a version 1 database is migrated to the current version with its data intact",
          "[store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  {
    // What mock-slack with schema version 1 left: an incident with an occurrence (silenced when
    // batch-sync last saw it) and a Slack message.
    SQLite::Database db(o.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Transaction tx(db);
    db.exec(std::string(schema::kMigration1));
    db.exec("PRAGMA user_version = 1");
    db.exec(
        "INSERT INTO incidents VALUES (7, 'g', 'team-portal', 1795300000000000000, "
        "1795300005000000000, 1795300005000000000, NULL, '{}', '{}', '{}', 'http://am', 1)");
    db.exec(
        "INSERT INTO occurrences VALUES (42, 'fp', 1795300000000000000, NULL, 'firing', "
        "'DiskFull', "
        "'page', 'portal', '{\"alertname\":\"DiskFull\"}', '{}', '', 'team-portal', NULL, NULL, "
        "0, 1795300005000000000, 'suppressed', '[\"s-1\"]', '[]', 'sync')");
    db.exec("INSERT INTO incident_occurrences VALUES (7, 42)");
    db.exec(
        "INSERT INTO messages VALUES (3, 1795300005000000000, 'pages', 'am', 'hello', '', '', "
        "'[]', '[]')");
    tx.commit();
  }
  Store s(o, test_now);
  CHECK(s.schema_version() == kSchemaVersion);
  const auto alerts = s.alerts({}).items;
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].id == 42);
  CHECK(alerts[0].suppressed_state == "suppressed");
  CHECK(alerts[0].silenced_by == json::array({"s-1"}));
  const auto incident = s.incident(7);
  REQUIRE(incident);
  // Migration 2 computed the incident's summary from its occurrences.
  CHECK(incident->incident.alert_count == 1);
  CHECK(incident->incident.firing_count == 1);
  CHECK(incident->incident.severity == "page");
  CHECK(incident->incident.alertnames == std::vector<std::string>{"DiskFull"});
  CHECK(incident->incident.services == std::vector<std::string>{"portal"});
  CHECK(s.messages({}).items.at(0).text == "hello");
  CHECK(s.silences({}).items.empty());

  // The new table works with the old rows: the migrated occurrence is linked to its silence.
  CHECK(s.sync({}, silences({silence("s-1")})).silences.new_silences == 1);
  CHECK(only_silence(s).occurrence_ids == std::vector<std::int64_t>{42});
}
