// The store's queries on both back ends: incidents by name, cursors, silences and what they
// silence. tests/store/reads_test.cpp checks the rest of the read side the same way.
#include <map>

#include "backends.hpp"
#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("incidents filtered on one alert name or service match whole names", "[store][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  StoreOptions o;
  o.path = b.location();
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

TEST_CASE("a silence lists the stored occurrences it silences", "[store][silences][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  StoreOptions o;
  o.path = b.location();
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
