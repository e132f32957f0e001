#include "mock_slack/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <map>
#include <thread>

#include "../src/api_json.hpp"
#include "../src/store/schema.hpp"
#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::test;

namespace {

alerting::WebhookNotification make(const std::string& group, int first, int count) {
  json alerts = json::array();
  for (int i = 0; i < count; ++i) {
    alerts.push_back(alert("A", "firing", "2026-11-21T22:00:00Z", "0001-01-01T00:00:00Z",
                           {{"instance", "host-" + std::to_string(first + i)}}));
  }
  return alerting::parse_webhook_json(notification(group, "firing", alerts));
}

std::vector<alerting::GettableSilence> silences(std::initializer_list<json> list) {
  return alerting::parse_gettable_silences(json(list));
}

std::vector<alerting::GettableAlert> gettable_alerts(std::initializer_list<json> list) {
  return alerting::parse_gettable_alerts(json(list));
}

Silence only_silence(const Store& s) {
  auto page = s.silences({});
  REQUIRE(page.items.size() == 1);
  return page.items[0];
}

/// Makes the store's next insert of an occurrence with this instance label fail (half-way
/// through a notification when it is not the first alert).
void refuse_instance(const std::string& db_path, const std::string& instance) {
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
  db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON occurrences WHEN json_extract(NEW.labels, "
      "'$.instance') = '" +
      instance + "' BEGIN SELECT RAISE(ABORT, 'refused'); END");
}

}  // namespace

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

TEST_CASE("concurrent writers are committed together and each is stored exactly once", "[store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  Store s(o, test_now);
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&s, t] {
      for (int i = 0; i < kEach; ++i) {
        s.ingest(make("g" + std::to_string(t * kEach + i), (t * kEach + i) * 5, 5), "h");
      }
    });
  }
  for (auto& th : threads) th.join();
  AlertFilter all;
  all.limit = 1000;
  std::size_t occurrences = 0;
  for (;;) {
    auto page = s.alerts(all);
    occurrences += page.items.size();
    if (!page.next) break;
    all.cursor = page.next;
  }
  CHECK(occurrences == kThreads * kEach * 5);
  AlertFilter incidents;
  incidents.limit = 1000;
  CHECK(s.incidents(incidents).items.size() == kThreads * kEach);
}

TEST_CASE("a failing notification leaves nothing behind and does not undo others", "[store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  Store s(o, test_now);
  s.ingest(make("ok", 0, 2), "h");
  refuse_instance(o.path, "host-11");
  CHECK_THROWS(s.ingest(make("bad", 10, 3), "h"));  // host-10 would be written before host-11
  auto stored = s.alerts({});
  CHECK(stored.items.size() == 2);
  CHECK(s.incidents({}).items.size() == 1);
}

TEST_CASE("a failing notification committed in one batch with others fails alone", "[store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  Store s(o, test_now);
  s.ingest(make("ok", 0, 2), "h");
  refuse_instance(o.path, "host-21");
  SQLite::Database db(o.path, SQLite::OPEN_READWRITE);
  // Hold the write lock so that the writer waits on its first job while the rest queue up
  // behind it and are then committed as one batch.
  db.exec("BEGIN IMMEDIATE");
  std::vector<std::thread> writers;
  std::atomic<int> failed = 0;
  auto submit = [&](std::string group, int first) {
    writers.emplace_back([&s, &failed, group, first] {
      try {
        s.ingest(make(group, first, 2), "h");
      } catch (const std::exception&) {
        ++failed;
      }
    });
  };
  submit("first", 10);
  while (s.write_queue().taken != 2) std::this_thread::yield();  // the writer took it and waits
  submit("good-1", 30);
  submit("bad", 20);  // host-20 is written before host-21 is refused
  submit("good-2", 40);
  while (s.write_queue().queued != 3) std::this_thread::yield();
  db.exec("COMMIT");
  for (auto& t : writers) t.join();
  CHECK(failed == 1);
  AlertFilter all;
  all.limit = 100;
  const auto stored = s.alerts(all);
  CHECK(stored.items.size() == 8);
  for (const auto& occurrence : stored.items) {
    CHECK(occurrence.labels.at("instance").get<std::string>() != "host-20");
  }
  CHECK(s.incidents(all).items.size() == 4);
}

TEST_CASE("an incident's summary follows its occurrences", "[store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  o.retention = std::chrono::hours(24);
  const std::string start = "2026-11-21T21:00:00Z";
  auto one = [&](const std::string& name, const std::string& status, const std::string& severity,
                 const std::string& service, const std::string& ends = "0001-01-01T00:00:00Z") {
    return alert(name, status, start, ends, {{"severity", severity}, {"service", service}});
  };
  auto summary = [&](Store& s) {
    auto page = s.incidents({});
    REQUIRE(page.items.size() == 1);
    return page.items.front();
  };
  set_clock("2026-11-21T21:01:00Z");
  Store s(o, test_now);
  s.ingest(alerting::parse_webhook_json(notification(
               "G", "firing",
               {one("Disk", "firing", "warning", "db"), one("Latency", "firing", "page", "web"),
                one("Odd", "firing", "custom", "web")})),
           "h");
  auto i = summary(s);
  CHECK(i.alert_count == 3);
  CHECK(i.firing_count == 3);
  CHECK(i.severity == "page");
  CHECK(i.alertnames == std::vector<std::string>{"Disk", "Latency", "Odd"});
  CHECK(i.services == std::vector<std::string>{"db", "web"});

  SECTION("a resolved alert in a webhook notification") {
    s.ingest(alerting::parse_webhook_json(
                 notification("G", "firing",
                              {one("Disk", "firing", "warning", "db"),
                               one("Latency", "resolved", "page", "web", "2026-11-21T21:05:00Z"),
                               one("Odd", "firing", "custom", "web")})),
             "h");
    i = summary(s);
    CHECK(i.alert_count == 3);
    CHECK(i.firing_count == 2);
    CHECK(i.status == "firing");
  }
  SECTION("an alert resolved through the sync endpoint, then pruned by retention") {
    auto listed = alerting::parse_gettable_alerts(
        json::array({{
            {"labels", one("Disk", "firing", "warning", "db")["labels"]},
            {"annotations", json::object()},
            {"startsAt", start},
            {"endsAt", "2026-11-21T21:02:00Z"},
            {"updatedAt", "2026-11-21T21:02:00Z"},
            {"fingerprint", one("Disk", "firing", "warning", "db")["fingerprint"]},
            {"receivers", json::array({{{"name", "team-portal"}}})},
            {"status",
             {{"state", "active"}, {"silencedBy", json::array()}, {"inhibitedBy", json::array()}}},
        }}),
        "alerts", {});
    set_clock("2026-11-21T21:03:00Z");
    s.sync(listed);
    i = summary(s);
    CHECK(i.alert_count == 3);
    CHECK(i.firing_count == 2);
    CHECK(i.services == std::vector<std::string>{"db", "web"});

    set_clock("2026-11-22T21:03:00Z");  // a day later: the resolved Disk alert is past retention
    CHECK(s.apply_retention().occurrences == 1);
    i = summary(s);
    CHECK(i.alert_count == 2);
    CHECK(i.severity == "page");
    CHECK(i.alertnames == std::vector<std::string>{"Latency", "Odd"});
    CHECK(i.services == std::vector<std::string>{"web"});
  }
}

TEST_CASE("incidents filtered on one alert name or service match whole names", "[store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  set_clock("2026-11-21T21:01:00Z");
  Store s(o, test_now);
  const std::string start = "2026-11-21T21:00:00Z";
  const std::string zero = "0001-01-01T00:00:00Z";
  s.ingest(alerting::parse_webhook_json(
               notification("one", "firing",
                            {alert("DiskFull", "firing", start, zero, {{"service", "db,api"}}),
                             alert("Latency", "firing", start, zero, {{"service", "web"}})})),
           "h");
  s.ingest(alerting::parse_webhook_json(
               notification("two", "firing", {alert("Disk", "firing", start, zero)})),
           "h");
  auto ids = [&](AlertFilter f) {
    std::vector<std::int64_t> out;
    for (const auto& i : s.incidents(f).items) out.push_back(i.id);
    return out;
  };
  auto matcher = [](const std::string& text) {
    AlertFilter f;
    f.matchers.push_back(alerting::parse_matcher(text));
    return f;
  };
  AlertFilter by_name;
  by_name.alertname = "Disk";
  CHECK(ids(by_name) == std::vector<std::int64_t>{2});
  by_name.alertname = "Latency";
  CHECK(ids(by_name) == std::vector<std::int64_t>{1});
  CHECK(ids(matcher("alertname=\"DiskFull\"")) == std::vector<std::int64_t>{1});
  CHECK(ids(matcher("service=\"web\"")) == std::vector<std::int64_t>{1});
  CHECK(ids(matcher("service=\"db\"")).empty());
  CHECK(ids(matcher("service=\"db,api\"")) == std::vector<std::int64_t>{1});  // not a list
  CHECK(ids(matcher("service=\"portal\"")) == std::vector<std::int64_t>{2});
  // Two conditions must hold for one occurrence, not each for some occurrence.
  AlertFilter both = matcher("service=\"web\"");
  both.alertname = "DiskFull";
  CHECK(ids(both).empty());
}

TEST_CASE("cursors round-trip and reject junk", "[store]") {
  Cursor c{1795300000000000000, 42};
  CHECK(Cursor::parse(c.to_string())->id == 42);
  CHECK(Cursor::parse(c.to_string())->time_ns == c.time_ns);
  CHECK_FALSE(Cursor::parse(""));
  CHECK_FALSE(Cursor::parse("1-"));
  CHECK_FALSE(Cursor::parse("-1"));
  CHECK_FALSE(Cursor::parse("a-b"));
  CHECK_FALSE(Cursor::parse("99999999999999999999-1"));
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

TEST_CASE("silences are upserted by id and updatedAt", "[store][silences]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  Store s(o, test_now);
  set_clock("2026-11-21T22:05:00Z");
  auto r = s.sync({}, silences({silence("s-1")}));
  CHECK(r.received == 0);
  CHECK(r.silences.received == 1);
  CHECK(r.silences.new_silences == 1);
  Silence stored = only_silence(s);
  CHECK(stored.id == "s-1");
  CHECK(stored.state == "active");
  CHECK(stored.created_by == "ops@example.com");
  CHECK(stored.comment == "maintenance");
  CHECK(alerting::format_time(stored.starts_at) == "2026-11-21T22:00:00Z");
  CHECK(alerting::format_time(stored.ends_at) == "2026-11-22T02:00:00Z");
  CHECK(alerting::format_time(stored.updated_at) == "2026-11-21T22:00:00Z");
  CHECK(stored.matchers == silence("s-1")["matchers"]);
  CHECK(alerting::format_time(stored.first_synced_at) == "2026-11-21T22:05:00Z");
  CHECK(alerting::format_time(stored.last_synced_at) == "2026-11-21T22:05:00Z");

  SECTION("a resend with the same updatedAt and state changes nothing but the sync time") {
    set_clock("2026-11-21T22:10:00Z");
    r = s.sync({}, silences({silence("s-1")}));
    CHECK(r.silences.new_silences == 0);
    CHECK(r.silences.updated_silences == 0);
    CHECK(r.silences.unchanged_silences == 1);
    Silence again = only_silence(s);
    CHECK(to_json(again)["updatedAt"] == to_json(stored)["updatedAt"]);
    CHECK(alerting::format_time(again.first_synced_at) == "2026-11-21T22:05:00Z");
    CHECK(alerting::format_time(again.last_synced_at) == "2026-11-21T22:10:00Z");
  }
  SECTION("a newer updatedAt replaces it") {
    json edited = silence("s-1", "active", "2026-11-21T23:00:00Z");
    edited["endsAt"] = "2026-11-22T04:00:00Z";
    edited["comment"] = "longer maintenance";
    edited["matchers"].erase(1);
    r = s.sync({}, silences({edited}));
    CHECK(r.silences.updated_silences == 1);
    Silence now = only_silence(s);
    CHECK(now.comment == "longer maintenance");
    CHECK(alerting::format_time(now.ends_at) == "2026-11-22T04:00:00Z");
    CHECK(alerting::format_time(now.updated_at) == "2026-11-21T23:00:00Z");
    CHECK(now.matchers.size() == 1);
    CHECK(alerting::format_time(now.first_synced_at) == "2026-11-21T22:05:00Z");

    SECTION("an older updatedAt afterwards is a stale read and changes nothing") {
      r = s.sync({}, silences({silence("s-1", "expired")}));
      CHECK(r.silences.updated_silences == 0);
      CHECK(r.silences.unchanged_silences == 1);
      CHECK(only_silence(s).comment == "longer maintenance");
      CHECK(only_silence(s).state == "active");
    }
  }
  SECTION("a new state with the same updatedAt (it expired on its own) updates it") {
    r = s.sync({}, silences({silence("s-1", "expired")}));
    CHECK(r.silences.updated_silences == 1);
    CHECK(only_silence(s).state == "expired");
  }
  SECTION("alerts and silences in one sync are counted apart") {
    r = s.sync(gettable_alerts({gettable_alert("DiskFull", "2026-11-21T22:01:00Z", {"s-1"})}),
               silences({silence("s-1"), silence("s-2")}));
    CHECK(r.received == 1);
    CHECK(r.new_occurrences == 1);
    CHECK(r.silences.received == 2);
    CHECK(r.silences.new_silences == 1);
    CHECK(r.silences.unchanged_silences == 1);
  }
}

TEST_CASE("a silence lists the stored occurrences it silences", "[store][silences]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  Store s(o, test_now);
  s.sync(gettable_alerts({gettable_alert("A", "2026-11-21T22:01:00Z", {"s-1"}),
                          gettable_alert("B", "2026-11-21T22:02:00Z", {"s-1", "s-2"}),
                          gettable_alert("C", "2026-11-21T22:03:00Z")}),
         silences({silence("s-1"),
                   silence("s-2", "active", "2026-11-21T22:00:00Z", "2026-11-21T22:30:00Z"),
                   silence("s-3", "pending", "2026-11-21T22:00:00Z", "2026-11-21T23:00:00Z")}));
  std::map<std::string, std::int64_t> id_of;
  for (const auto& occurrence : s.alerts({}).items) {
    id_of[occurrence.labels.at("alertname").get<std::string>()] = occurrence.id;
  }
  const auto page = s.silences({});
  REQUIRE(page.items.size() == 3);
  CHECK(page.items[0].id == "s-3");  // latest start first
  CHECK(page.items[0].occurrence_ids.empty());
  CHECK(page.items[1].id == "s-2");
  CHECK(page.items[1].occurrence_ids == std::vector<std::int64_t>{id_of["B"]});
  CHECK(page.items[2].id == "s-1");
  CHECK(page.items[2].occurrence_ids == std::vector<std::int64_t>{id_of["A"], id_of["B"]});

  SECTION("an occurrence the webhook delivered since is no longer silenced") {
    json a = alert("A", "firing", "2026-11-21T22:01:00Z");
    s.ingest(alerting::parse_webhook_json(notification("A", "firing", {a})), "h");
    CHECK(s.silences({}).items[2].occurrence_ids == std::vector<std::int64_t>{id_of["B"]});
  }
  SECTION("the state filter") {
    SilenceFilter pending;
    pending.state = "pending";
    const auto only = s.silences(pending).items;
    REQUIRE(only.size() == 1);
    CHECK(only[0].id == "s-3");
  }
}
