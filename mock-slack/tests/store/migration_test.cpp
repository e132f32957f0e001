#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "../../src/store/schema.hpp"
#include "../schema_at.hpp"
#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

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

TEST_CASE("a version 6 database gains the resolution's source, and old rows can be swept",
          "[store][sweep]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  {
    // What mock-slack with schema version 6 left: an incident with a firing occurrence and a
    // resolved one, both from webhook notifications.
    SQLite::Database db(o.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Transaction tx(db);
    migrate_by_hand(db, 6);
    db.exec(
        "INSERT INTO incidents (id, group_key, receiver, started_at, first_notified_at, "
        "last_notified_at, resolved_at, group_labels, common_labels, common_annotations, "
        "external_url, notification_count, alert_count, firing_count, severity, alertnames, "
        "services) VALUES (7, 'g', 'team-portal', 1795300000000000000, 1795300005000000000, "
        "1795300005000000000, NULL, '{\"alertname\":\"DiskFull\"}', '{}', '{}', 'http://am', 1, "
        "2, 1, 'page', '[\"DiskFull\"]', '[\"portal\"]')");
    for (const char* row :
         {"(42, 'fp1', 1795300000000000000, NULL, 'firing', 'DiskFull', 'page', 'portal', "
          "'{\"alertname\":\"DiskFull\"}', '{}', '', 'team-portal', 1795300005000000000, "
          "1795300005000000000, 1, NULL, 'active', '[]', '[]', 'webhook')",
          "(43, 'fp2', 1795300000000000000, 1795300004000000000, 'resolved', 'DiskFull', 'page', "
          "'portal', '{\"alertname\":\"DiskFull\"}', '{}', '', 'team-portal', "
          "1795300005000000000, 1795300005000000000, 2, NULL, 'active', '[]', '[]', 'webhook')"}) {
      db.exec(std::string("INSERT INTO occurrences VALUES ") + row);
    }
    db.exec("INSERT INTO incident_occurrences VALUES (7, 42), (7, 43)");
    tx.commit();
  }
  Store s(o, test_now);
  CHECK(s.schema_version() == kSchemaVersion);
  auto firing = s.occurrence("fp1", alerting::from_unix_ns(1795300000000000000));
  auto resolved = s.occurrence("fp2", alerting::from_unix_ns(1795300000000000000));
  REQUIRE(firing);
  REQUIRE(resolved);
  CHECK(firing->resolved_by.empty());
  CHECK(resolved->resolved_by.empty());  // resolved before migration 7: unknown how
  CHECK_FALSE(resolved->resolution_recorded_at);

  set_clock("2026-11-21T23:00:00Z");
  const auto r = s.sweep(*alerting::parse_time("2026-11-21T22:59:59Z"), std::chrono::minutes(10));
  CHECK(r.resolved_occurrences == 1);
  CHECK(r.resolved_incidents == 1);
  CHECK(s.occurrence("fp1", firing->starts_at)->resolved_by == "sweep");
  CHECK(s.incident(7)->incident.status == "resolved");
  CHECK(s.incident(7)->incident.firing_count == 0);
  CHECK(s.repair_summaries().corrected == 0);
}

// ctest runs each case in a process of its own, so this store is the process's first SQLite use.
TEST_CASE("the store opens SQLite without memory statistics (their mutex serialised readers)",
          "[store][sqlite]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "mock-slack.db").string();
  Store store(o, test_now);
  (void)store.counts({});
  // With statistics on, SQLite counts every byte it holds (several MiB here); off, nothing.
  CHECK(sqlite3_memory_used() == 0);
  CHECK(sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1) == SQLITE_MISUSE);  // set once, at the start
}
