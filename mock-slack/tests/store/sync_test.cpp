#include "../../src/api_json.hpp"
#include "backends.hpp"
#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("silences are upserted by id and updatedAt", "[store][silences][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  StoreOptions o;
  o.path = b.location();
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
