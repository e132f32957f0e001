// The store's writer on PostgreSQL (issue #22), checked in the database itself: what a
// notification stores, exactly once when replicas that share the database get the same
// notification at the same instant, and a server that goes away answered as a transient failure.
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "../../src/store/pg/connection.hpp"
#include "mock_slack/store.hpp"
#include "pg_server.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

StoreOptions on(const PgServer& server) {
  StoreOptions o;
  o.path = server.uri();
  return o;
}

std::int64_t count(pg::Connection& c, const std::string& sql) { return c.exec(sql).int64(0, 0); }

/// A notification of `alerts` firing alerts of group `group`, starting at the same time, with
/// instance labels from host-`first`.
alerting::WebhookNotification firing(const std::string& group, int alerts, int first = 0) {
  return make(group, first, alerts);
}

}  // namespace

TEST_CASE("pg: a notification stores its occurrences, incident and summary", "[pg][store]") {
  PgServer server;
  Store s(on(server), test_now);
  CHECK(is_postgres(server.uri()));
  const auto r = s.ingest(firing("G", 3), "sha-1");
  CHECK(r.new_occurrences == 3);
  CHECK(r.incident_id > 0);
  CHECK(r.notification_id > 0);
  pg::Connection c(server.uri());
  CHECK(count(c, "SELECT count(*) FROM occurrences WHERE status = 'firing'") == 3);
  CHECK(count(c, "SELECT count(*) FROM incident_occurrences") == 3);
  const auto i = c.exec(
      "SELECT alert_count, firing_count, severity, alertnames, services, notification_count "
      "FROM incidents");
  REQUIRE(i.rows() == 1);
  CHECK(i.int64(0, 0) == 3);
  CHECK(i.int64(0, 1) == 3);
  CHECK(i.text(0, 2) == "page");
  CHECK(i.text(0, 3) == "[\"A\"]");
  CHECK(i.text(0, 4) == "[\"portal\"]");
  CHECK(i.int64(0, 5) == 1);

  SECTION("a redelivery adds a notification and nothing else") {
    const auto again = s.ingest(firing("G", 3), "sha-1");
    CHECK(again.new_occurrences == 0);
    CHECK(again.duplicate_occurrences == 3);
    CHECK(again.incident_id == r.incident_id);
    CHECK(count(c, "SELECT count(*) FROM occurrences") == 3);
    CHECK(count(c, "SELECT count(*) FROM notifications") == 2);
  }
  SECTION("the resolution resolves the occurrences and the incident") {
    json alerts = json::array();
    for (int k = 0; k < 3; ++k) {
      alerts.push_back(alert("A", "resolved", "2026-11-21T22:00:00Z", "2026-11-21T22:10:00Z",
                             {{"instance", "host-" + std::to_string(k)}}));
    }
    const auto done =
        s.ingest(alerting::parse_webhook_json(notification("G", "resolved", alerts)), "sha-2");
    CHECK(done.updated_occurrences == 3);
    CHECK(count(c,
                "SELECT count(*) FROM occurrences WHERE status = 'resolved' AND resolved_by = "
                "'webhook'") == 3);
    CHECK(count(c, "SELECT count(*) FROM incidents WHERE resolved_at IS NOT NULL") == 1);
    CHECK(count(c, "SELECT firing_count FROM incidents") == 0);
  }
  SECTION("a summary repair finds nothing to correct") {
    const auto repair = s.repair_summaries();
    CHECK(repair.incidents == 1);
    CHECK(repair.corrected == 0);
  }
  SECTION("a Slack message and the write probe") {
    Message m;
    m.channel = "#alerts";
    m.text = "hello";
    CHECK(s.add_message(m) > 0);
    CHECK(s.probe_write().empty());
    CHECK(count(c, "SELECT count(*) FROM messages") == 1);
  }
}

TEST_CASE("pg: replicas on one database store a notification they both got exactly once",
          "[pg][store]") {
  PgServer server;
  // Two replicas, as behind an HA Alertmanager pair: each has its own writer and connections.
  Store a(on(server), test_now);
  Store b(on(server), test_now);
  constexpr int kGroups = 50;
  constexpr int kAlerts = 5;
  // Each group's notification arrives at both replicas at once, twice over (Alertmanager's
  // at-least-once delivery), from four threads released together.
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  std::vector<std::future<void>> senders;
  for (int t = 0; t < 4; ++t) {
    senders.push_back(std::async(std::launch::async, [&, t] {
      start.wait();
      Store& s = t % 2 == 0 ? a : b;
      for (int g = 0; g < kGroups; ++g) {
        s.ingest(firing("G" + std::to_string(g), kAlerts, g * kAlerts), "h");
      }
    }));
  }
  go.set_value();
  for (auto& f : senders) f.get();
  pg::Connection c(server.uri());
  CHECK(count(c, "SELECT count(*) FROM occurrences") == kGroups * kAlerts);
  CHECK(count(c,
              "SELECT count(*) FROM (SELECT fingerprint, starts_at FROM occurrences GROUP BY 1, 2 "
              "HAVING count(*) > 1) d") == 0);
  CHECK(count(c, "SELECT count(*) FROM incidents") == kGroups);
  CHECK(count(c, "SELECT count(DISTINCT group_key) FROM incidents") == kGroups);
  CHECK(count(c, "SELECT count(*) FROM notifications") == 4 * kGroups);
  CHECK(count(c, "SELECT count(*) FROM incident_occurrences") == kGroups * kAlerts);
  // Every incident's summary counts its alerts once.
  CHECK(count(c, "SELECT count(*) FROM incidents WHERE alert_count <> 5 OR firing_count <> 5") ==
        0);
}

TEST_CASE("pg: a server that goes away answers StoreUnavailable, and writing resumes",
          "[pg][store]") {
  PgServer server;
  Store s(on(server), test_now);
  s.ingest(firing("G", 2), "h");
  server.stop();
  CHECK_THROWS_AS(s.ingest(firing("H", 2, 10), "h"), StoreUnavailable);
  CHECK_FALSE(s.probe_write().empty());
  server.start();
  // The writer reconnects by itself: the notification Alertmanager retries is stored.
  const auto r = s.ingest(firing("H", 2, 10), "h");
  CHECK(r.new_occurrences == 2);
  CHECK(s.probe_write().empty());
  pg::Connection c(server.uri());
  CHECK(count(c, "SELECT count(*) FROM occurrences") == 4);
  CHECK(count(c, "SELECT count(*) FROM incidents") == 2);
}

TEST_CASE("pg: a store that cannot reach its server says so, without the password", "[pg][store]") {
  StoreOptions o;
  o.path = "postgresql://app:hunter2@/firedrill?host=/nonexistent-dir";
  try {
    Store s(o, test_now);
    FAIL("opened");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK(what.find("cannot open database") != std::string::npos);
    CHECK(what.find("hunter2") == std::string::npos);
  }
}

TEST_CASE("pg: retention runs on one replica at a time", "[pg][store]") {
  PgServer server;
  StoreOptions o = on(server);
  o.retention = std::chrono::hours(1);
  Store a(o, test_now);
  json alerts =
      json::array({alert("A", "resolved", "2026-11-21T20:00:00Z", "2026-11-21T20:10:00Z")});
  set_clock("2026-11-21T20:11:00Z");
  a.ingest(alerting::parse_webhook_json(notification("G", "resolved", alerts)), "h");
  set_clock("2026-11-21T23:00:00Z");
  pg::Connection other(server.uri());  // another replica, in the middle of its retention
  REQUIRE(other.exec("SELECT pg_try_advisory_lock(7885631463830204786)").text(0, 0) == "t");
  const auto skipped = a.apply_retention();
  CHECK_FALSE(skipped.ran);
  CHECK(skipped.occurrences == 0);
  pg::Connection c(server.uri());
  CHECK(count(c, "SELECT count(*) FROM occurrences") == 1);
  other.exec("SELECT pg_advisory_unlock(7885631463830204786)");
  const auto ran = a.apply_retention();
  CHECK(ran.ran);
  CHECK(ran.occurrences == 1);
  CHECK(count(c, "SELECT count(*) FROM occurrences") == 0);
  // It let go of the lock: the other replica may take it now.
  CHECK(other.exec("SELECT pg_try_advisory_lock(7885631463830204786)").text(0, 0) == "t");
}

TEST_CASE("pg: the webhook answers 503 while the database is away, so Alertmanager retries",
          "[pg][store]") {
  PgServer server;
  Running r({}, on(server));
  const json body = notification("G", "firing", {alert("A", "firing", "2026-11-21T22:00:00Z")});
  REQUIRE(r.post("/webhook", body)->status == 200);
  server.stop();
  const auto away = r.post("/webhook", body);
  REQUIRE(away);
  CHECK(away->status == 503);  // never a 4xx for a database problem
  CHECK(away->body.find("database unavailable") != std::string::npos);
  server.start();
  // Alertmanager's retry: the connection is opened again by the request itself.
  CHECK(r.post("/webhook", body)->status == 200);
  pg::Connection c(server.uri());
  CHECK(count(c, "SELECT count(*) FROM notifications") == 2);
  CHECK(count(c, "SELECT count(*) FROM occurrences") == 1);
}
