#include "mock_slack/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <thread>

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
      CHECK(std::string(e.what()).find("has schema version 99, newer than this mock-slack (1)") !=
            std::string::npos);
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
  {
    // Make the next notification insert fail half-way: a trigger refuses host-11.
    SQLite::Database db(o.path, SQLite::OPEN_READWRITE);
    db.exec(
        "CREATE TRIGGER refuse BEFORE INSERT ON occurrences WHEN json_extract(NEW.labels, "
        "'$.instance') = 'host-11' BEGIN SELECT RAISE(ABORT, 'refused'); END");
  }
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
  SQLite::Database db(o.path, SQLite::OPEN_READWRITE);
  db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON occurrences WHEN json_extract(NEW.labels, "
      "'$.instance') = 'host-21' BEGIN SELECT RAISE(ABORT, 'refused'); END");
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
