#include <atomic>
#include <thread>

#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

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
