#include "backends.hpp"
#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("an incident's summary follows its occurrences", "[store][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  StoreOptions o;
  o.path = b.location();
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

  SECTION("a redelivery with one new alert, and one listed twice, links each once") {
    s.ingest(alerting::parse_webhook_json(notification(
                 "G", "firing",
                 {one("Disk", "firing", "warning", "db"), one("Disk", "firing", "warning", "db"),
                  one("Latency", "firing", "page", "web"), one("Odd", "firing", "custom", "web"),
                  one("Extra", "firing", "critical", "db")})),
             "h");
    i = summary(s);
    CHECK(i.alert_count == 4);
    CHECK(i.firing_count == 4);
    CHECK(i.severity == "critical");
    CHECK(i.alertnames == std::vector<std::string>{"Disk", "Extra", "Latency", "Odd"});
    CHECK(s.alerts({}).items.size() == 4);
    // The same again links nothing: the summary stays as it is.
    s.ingest(alerting::parse_webhook_json(notification("G", "firing",
                                                       {one("Extra", "firing", "critical", "db"),
                                                        one("Disk", "firing", "warning", "db")})),
             "h");
    CHECK(summary(s).alert_count == 4);
    CHECK(summary(s).firing_count == 4);
  }
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
