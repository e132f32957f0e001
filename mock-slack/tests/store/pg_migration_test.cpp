// The PostgreSQL store's migrations (src/store/pg/migration.hpp) on a real server: the same
// versions as SQLite's, once, even when replicas start together, and a newer database refused.
#include <catch2/catch.hpp>
#include <future>

#include "../../src/store/pg/migration.hpp"
#include "../../src/store/pg/schema.hpp"
#include "mock_slack/store.hpp"
#include "pg_server.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("pg: a new database is migrated to the version SQLite's store is at", "[pg]") {
  PgServer server;
  pg::Connection c(server.uri());
  CHECK(pg::schema_version(c) == 0);
  CHECK(pg::migrate(c) == kSchemaVersion);
  CHECK(pg::schema_version(c) == kSchemaVersion);
  // The tables SQLite's migrations make.
  for (const char* table : {"incidents", "notifications", "occurrences", "incident_occurrences",
                            "messages", "silences", "store_probe", "incident_events"}) {
    CAPTURE(table);
    CHECK(c.exec("SELECT to_regclass($1) IS NOT NULL", pg::Params().add(table)).text(0, 0) == "t");
  }
  SECTION("a second run does nothing") { CHECK(pg::migrate(c) == kSchemaVersion); }
  SECTION("an occurrence is unique per (fingerprint, startsAt)") {
    const char* insert =
        "INSERT INTO occurrences (fingerprint, starts_at, status, alertname, severity, service, "
        "labels, annotations, generator_url, receiver, times_notified, suppressed_state, "
        "silenced_by, inhibited_by, source) VALUES ('fp', 1, 'firing', 'A', 'page', 'portal', "
        "'{}', '{}', '', 'r', 1, 'active', '[]', '[]', 'webhook')";
    c.exec(insert);
    CHECK_THROWS_AS(c.exec(insert), pg::Error);
  }
  SECTION("incident events are append-only") {
    c.exec(
        "INSERT INTO incident_events (at, recorded_at, author, kind, text, details, incident_id) "
        "VALUES (1, 1, 'alice', 'note', 'tried a restart', '{}', 1)");
    CHECK_THROWS_WITH(c.exec("UPDATE incident_events SET text = 'edited'"),
                      Catch::Contains("append-only"));
  }
  SECTION("search finds an occurrence by its words, diacritics folded, and skips bad JSON") {
    c.exec(
        "INSERT INTO occurrences (fingerprint, starts_at, status, alertname, severity, service, "
        "labels, annotations, generator_url, receiver, times_notified, suppressed_state, "
        "silenced_by, inhibited_by, source) VALUES ('fp', 1, 'firing', 'PortalDown', 'page', "
        "'portal', '{\"instance\":\"10.0.0.1:8080\",\"site\":\"Zürich\"}', '{not json', '', "
        "'r', 1, 'active', '[]', '[]', 'webhook')");
    auto matches = [&](const char* words) {
      return c
          .exec("SELECT count(*) FROM occurrences WHERE search_text @@ mockslack_search_query($1)",
                pg::Params().add(words))
          .int64(0, 0);
    };
    CHECK(matches(R"([{"t":"10.0.0.1:8080","p":false},{"t":"PORTALDOWN","p":false}])") == 1);
    CHECK(matches(R"([{"t":"zurich","p":false}])") == 1);
    CHECK(matches(R"([{"t":"Portal","p":true}])") == 1);
    CHECK(matches(R"([{"t":"Portal","p":false}])") == 0);
    CHECK(matches(R"([{"t":"portaldown","p":false},{"t":"nowhere","p":false}])") == 0);
    CHECK(matches(R"([{"t":"it's","p":true}])") == 0);
    CHECK(matches(R"([{"t":"10.0","p":false},{"t":"8080","p":false}])") == 1);
  }
}

TEST_CASE("pg: replicas that start together migrate once", "[pg]") {
  PgServer server;
  constexpr int kReplicas = 4;
  std::vector<std::future<int>> started;
  for (int i = 0; i < kReplicas; ++i) {
    started.push_back(std::async(std::launch::async, [&] {
      pg::Connection c(server.uri());
      return pg::migrate(c);
    }));
  }
  for (auto& f : started) CHECK(f.get() == kSchemaVersion);
  pg::Connection c(server.uri());
  CHECK(pg::schema_version(c) == kSchemaVersion);
  CHECK(c.exec("SELECT count(*) FROM mockslack_schema").int64(0, 0) == 1);
}

TEST_CASE("pg: a database from a newer mock-slack is refused", "[pg]") {
  PgServer server;
  pg::Connection c(server.uri());
  pg::migrate(c);
  c.exec("UPDATE mockslack_schema SET version = 99");
  CHECK_THROWS_WITH(pg::migrate(c), Catch::Contains("has schema version 99, newer than this "
                                                    "mock-slack (" +
                                                    std::to_string(kSchemaVersion) + ")"));
  // The lock was released on the way out: another session can take it.
  pg::Connection other(server.uri());
  CHECK(other.exec("SELECT pg_try_advisory_lock(7885631463830204779)").text(0, 0) == "t");
}

TEST_CASE("pg: a migration that fails leaves nothing behind", "[pg]") {
  PgServer server;
  pg::Connection c(server.uri());
  // A table in the way of migration 3: the migration fails and its transaction rolls back.
  pg::Connection setup(server.uri());
  for (std::size_t v = 0; v < 2; ++v) setup.exec(pg::schema::kMigrations.at(v));
  setup.exec(
      "CREATE TABLE mockslack_schema (singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK "
      "(singleton), version INTEGER NOT NULL); INSERT INTO mockslack_schema VALUES (TRUE, 2); "
      "CREATE TABLE silences (id TEXT)");
  CHECK_THROWS_AS(pg::migrate(c), pg::Error);
  CHECK(pg::schema_version(c) == 2);
  CHECK(c.exec("SELECT to_regclass('silences_started') IS NULL").text(0, 0) == "t");
}
