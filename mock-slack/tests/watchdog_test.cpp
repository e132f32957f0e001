// The Watchdog's observer on a real store (SQLite file), driven by the injected clock.
#include "mock_slack/watchdog.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;
using namespace std::chrono_literals;

namespace {

struct Watched {
  TempDir dir;
  prometheus::Registry registry;
  Store store;
  Watchdog watchdog;

  explicit Watched(WatchdogOptions options = with_timeout(5s), StoreOptions store_options = {})
      : store(with_path(std::move(store_options), dir), test_now, nullptr),
        watchdog(store, std::move(options), test_now, &registry) {}

  static WatchdogOptions with_timeout(std::chrono::milliseconds timeout) {
    WatchdogOptions o;
    o.timeout = timeout;
    return o;
  }
  static StoreOptions with_path(StoreOptions o, const TempDir& d) {
    o.path = (d.path() / "mock-slack.db").string();
    return o;
  }
  std::vector<Message> pages() const {
    MessageFilter f;
    f.channel = "pages";
    return store.messages(f).items;
  }
  std::vector<Incident> silent_incidents() const {
    AlertFilter f;
    f.alertname = std::string(kSilentAlertname);
    return store.incidents(f).items;
  }
  std::string metrics() const { return prometheus::TextSerializer().Serialize(registry.Collect()); }
};

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("no heartbeat yet: the watch is not armed and raises no alarm", "[watchdog]") {
  set_clock("2026-11-21T22:00:00Z");
  Watched w;
  set_clock("2026-11-22T22:00:00Z");  // a day later
  w.watchdog.check();
  CHECK_FALSE(w.watchdog.state().armed);
  CHECK(w.watchdog.banner().empty());
  CHECK(w.pages().empty());
  CHECK(w.silent_incidents().empty());
  CHECK_FALSE(has(w.metrics(), "mockslack_watchdog_last_seen_timestamp_seconds"));
  CHECK(has(w.metrics(), "mockslack_watchdog_silent 0"));
}

TEST_CASE("silence after the timeout raises one alarm, and heartbeats clear it", "[watchdog]") {
  set_clock("2026-11-21T22:00:00Z");
  Watched w;
  w.watchdog.heartbeat();
  CHECK(w.watchdog.state().armed);
  CHECK(has(w.metrics(), "mockslack_watchdog_last_seen_timestamp_seconds 1795298400"));
  CHECK(has(w.metrics(), "mockslack_watchdog_heartbeats_total 1"));

  // At the timeout exactly: still quiet.
  set_clock("2026-11-21T22:00:05Z");
  w.watchdog.check();
  CHECK(w.watchdog.banner().empty());
  CHECK(w.pages().empty());

  set_clock("2026-11-21T22:00:05.001Z");
  w.watchdog.check();
  CHECK(w.watchdog.banner() ==
        "the alerting pipeline has been silent since 2026-11-21T22:00:00Z (no Watchdog heartbeat "
        "for 5s)");
  CHECK(has(w.metrics(), "mockslack_watchdog_silent 1"));
  auto messages = w.pages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].text ==
        ":rotating_light: *The alerting pipeline has been silent since 2026-11-21T22:00:00Z*: no "
        "Watchdog heartbeat for 5s. Alerts may not reach anyone. Runbook: Watchdog.");
  CHECK(messages[0].username == "mock-slack");
  auto incidents = w.silent_incidents();
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0].status == "firing");
  CHECK(incidents[0].group_key == kSilentGroupKey);
  CHECK(incidents[0].receiver == kSilentReceiver);
  CHECK(incidents[0].started_at == *alerting::parse_time("2026-11-21T22:00:00Z"));
  CHECK(incidents[0].severity == "page");

  // Later checks repeat nothing.
  set_clock("2026-11-21T22:10:00Z");
  w.watchdog.check();
  w.watchdog.check();
  CHECK(w.pages().size() == 1);
  CHECK(w.silent_incidents().size() == 1);

  // Heartbeats return: the banner goes, the incident resolves at that heartbeat.
  set_clock("2026-11-21T22:12:00Z");
  w.watchdog.heartbeat();
  CHECK(w.watchdog.banner().empty());
  CHECK(has(w.metrics(), "mockslack_watchdog_silent 0"));
  incidents = w.silent_incidents();
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0].status == "resolved");
  REQUIRE(incidents[0].resolved_at);
  CHECK(*incidents[0].resolved_at == *alerting::parse_time("2026-11-21T22:12:00Z"));
  CHECK(w.pages().size() == 1);

  SECTION("a second silence is a second incident and a second message") {
    set_clock("2026-11-21T22:12:04Z");
    w.watchdog.heartbeat();
    set_clock("2026-11-21T22:13:00Z");
    w.watchdog.check();
    CHECK(w.watchdog.banner() ==
          "the alerting pipeline has been silent since 2026-11-21T22:12:04Z (no Watchdog "
          "heartbeat for 5s)");
    CHECK(w.pages().size() == 2);
    incidents = w.silent_incidents();
    REQUIRE(incidents.size() == 2);
    CHECK(incidents[0].status == "firing");  // newest first
    CHECK(incidents[1].status == "resolved");
  }
}

TEST_CASE("a timeout of 0 turns the watch off", "[watchdog]") {
  set_clock("2026-11-21T22:00:00Z");
  Watched w(Watched::with_timeout(0ms));
  w.watchdog.heartbeat();
  set_clock("2026-11-22T22:00:00Z");
  w.watchdog.check();
  CHECK(w.watchdog.banner().empty());
  CHECK(w.pages().empty());
}

TEST_CASE("an alarm the store cannot take yet is stored once it can", "[watchdog]") {
  set_clock("2026-11-21T22:00:00Z");
  StoreOptions so;
  so.busy_timeout_ms = 20;
  Watched w(Watched::with_timeout(5s), so);
  w.watchdog.heartbeat();
  {
    // Another process holds the write lock.
    SQLite::Database other(w.store.options().path, SQLite::OPEN_READWRITE);
    SQLite::Transaction lock(other, SQLite::TransactionBehavior::IMMEDIATE);
    set_clock("2026-11-21T22:01:00Z");
    w.watchdog.check();
    // The banner does not wait for the store.
    CHECK_FALSE(w.watchdog.banner().empty());
    w.watchdog.check();
  }
  CHECK(w.pages().empty());
  CHECK(w.silent_incidents().empty());
  w.watchdog.check();
  CHECK(w.pages().size() == 1);
  REQUIRE(w.silent_incidents().size() == 1);
  CHECK(w.silent_incidents()[0].status == "firing");

  SECTION("heartbeats back before the store recovers: opened, then resolved, in order") {
    {
      SQLite::Database other(w.store.options().path, SQLite::OPEN_READWRITE);
      SQLite::Transaction lock(other, SQLite::TransactionBehavior::IMMEDIATE);
      set_clock("2026-11-21T22:02:00Z");
      w.watchdog.heartbeat();
      CHECK(w.watchdog.banner().empty());
    }
    CHECK(w.silent_incidents()[0].status == "firing");
    w.watchdog.check();
    REQUIRE(w.silent_incidents().size() == 1);
    CHECK(w.silent_incidents()[0].status == "resolved");
  }
}

TEST_CASE("the loop raises the alarm by itself within the timeout plus a check", "[watchdog]") {
  set_clock("2026-11-21T22:00:00Z");
  WatchdogOptions o = Watched::with_timeout(5s);
  o.check_interval = 5ms;
  Watched w(o);
  w.watchdog.heartbeat();
  w.watchdog.start();
  set_clock("2026-11-21T22:00:06Z");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (w.pages().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  CHECK(w.pages().size() == 1);
  CHECK_FALSE(w.watchdog.banner().empty());
}
