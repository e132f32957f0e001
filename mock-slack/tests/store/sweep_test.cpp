// Store::sweep: what a complete batch-sync run no longer lists is resolved, and nothing else.
#include "backends.hpp"
#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

TimePoint time_of(std::string_view rfc3339) { return *alerting::parse_time(rfc3339); }

constexpr std::chrono::nanoseconds kGrace = std::chrono::minutes(10);

/// A firing notification of group `group` with one alert `name` on `instance`.
alerting::WebhookNotification firing_notification(
    const std::string& group, const std::string& name, const std::string& instance,
    const std::string& starts = "2026-11-21T22:00:00Z") {
  return alerting::parse_webhook_json(notification(
      group, "firing",
      {alert(name, "firing", starts, "0001-01-01T00:00:00Z", {{"instance", instance}})}));
}

Occurrence only_on(const Store& s, const std::string& instance) {
  AlertFilter f;
  f.matchers = {alerting::parse_matcher("instance=\"" + instance + "\"")};
  auto page = s.alerts(f);
  REQUIRE(page.items.size() == 1);
  return page.items[0];
}

}  // namespace

TEST_CASE("a sweep resolves the firing occurrences the run did not list, past the grace",
          "[store][sweep][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  StoreOptions o;
  o.path = b.location();
  Store s(o, test_now);
  set_clock("2026-11-21T22:00:05Z");
  const auto incident = s.ingest(firing_notification("A", "A", "host-1"), "h1").incident_id;

  SECTION("not seen for longer than the grace: resolved, its end the last time it was seen") {
    set_clock("2026-11-21T22:30:00Z");
    const auto r = s.sweep(time_of("2026-11-21T22:29:58Z"), kGrace);
    CHECK(r.resolved_occurrences == 1);
    CHECK(r.resolved_incidents == 1);
    const Occurrence swept = only_on(s, "host-1");
    CHECK(swept.status == "resolved");
    CHECK(alerting::format_time(*swept.ends_at) == "2026-11-21T22:00:05Z");  // last notification
    CHECK(swept.resolved_by == "sweep");
    CHECK(alerting::format_time(*swept.resolution_recorded_at) == "2026-11-21T22:30:00Z");
    const auto i = s.incident(incident);
    REQUIRE(i);
    CHECK(i->incident.status == "resolved");
    CHECK(alerting::format_time(*i->incident.resolved_at) == "2026-11-21T22:00:05Z");
    CHECK(i->incident.firing_count == 0);
    CHECK(s.repair_summaries().corrected == 0);

    SECTION("a second sweep finds nothing; a late resolved notification keeps the history") {
      CHECK(s.sweep(time_of("2026-11-21T22:29:59Z"), kGrace).resolved_occurrences == 0);
      set_clock("2026-11-21T22:31:00Z");
      auto late = alerting::parse_webhook_json(
          notification("A", "resolved",
                       {alert("A", "resolved", "2026-11-21T22:00:00Z", "2026-11-21T22:20:00Z",
                              {{"instance", "host-1"}})}));
      CHECK(s.ingest(late, "h2").incident_id == incident);
      CHECK(only_on(s, "host-1").resolved_by == "sweep");
      CHECK(s.incident(incident)->incident.status == "resolved");
      CHECK(s.repair_summaries().corrected == 0);
    }
  }
  SECTION("notified within the grace: left firing") {
    set_clock("2026-11-21T22:09:00Z");
    CHECK(s.sweep(time_of("2026-11-21T22:08:58Z"), kGrace).resolved_occurrences == 0);
    CHECK(only_on(s, "host-1").status == "firing");
    CHECK(only_on(s, "host-1").resolved_by.empty());
    CHECK(s.incident(incident)->incident.status == "firing");
  }
  SECTION("listed by this run: left firing, however long ago it was notified") {
    set_clock("2026-11-21T22:20:00Z");
    auto listed = gettable_alert("A", "2026-11-21T22:00:00Z");
    listed["labels"]["instance"] = "host-1";
    listed["fingerprint"] = only_on(s, "host-1").fingerprint;
    s.sync(gettable_alerts({listed}));
    set_clock("2026-11-21T22:45:00Z");
    // The run listed it at 22:20 (after its listing time, 22:19): not the sweep's.
    CHECK(s.sweep(time_of("2026-11-21T22:19:00Z"), kGrace).resolved_occurrences == 0);
    CHECK(only_on(s, "host-1").status == "firing");
    // A later run that did not list it resolves it, its end the last sync.
    const auto r = s.sweep(time_of("2026-11-21T22:44:00Z"), kGrace);
    CHECK(r.resolved_occurrences == 1);
    CHECK(alerting::format_time(*only_on(s, "host-1").ends_at) == "2026-11-21T22:20:00Z");
  }
  SECTION("a notification between the listing and the sweep is never resolved") {
    // The run listed at 22:29:00 and did not see B, which Alertmanager sent just after.
    set_clock("2026-11-21T22:29:30Z");
    s.ingest(firing_notification("B", "B", "host-2", "2026-11-21T22:29:10Z"), "h3");
    set_clock("2026-11-21T22:30:00Z");
    const auto r = s.sweep(time_of("2026-11-21T22:29:00Z"), kGrace);
    CHECK(r.resolved_occurrences == 1);  // A only
    CHECK(only_on(s, "host-1").status == "resolved");
    CHECK(only_on(s, "host-2").status == "firing");
    CHECK(only_on(s, "host-2").resolved_by.empty());
  }
  SECTION("an incident with an occurrence still listed stays firing") {
    s.ingest(firing_notification("A", "A", "host-3", "2026-11-21T22:00:00Z"), "h4");
    set_clock("2026-11-21T22:29:59Z");
    auto listed = gettable_alert("A", "2026-11-21T22:00:00Z");
    listed["labels"]["instance"] = "host-3";
    listed["fingerprint"] = only_on(s, "host-3").fingerprint;
    s.sync(gettable_alerts({listed}));
    set_clock("2026-11-21T22:30:00Z");
    const auto r = s.sweep(time_of("2026-11-21T22:29:58Z"), kGrace);
    CHECK(r.resolved_occurrences == 1);
    CHECK(r.resolved_incidents == 0);
    const auto i = s.incident(incident);
    CHECK(i->incident.status == "firing");
    CHECK(i->incident.alert_count == 2);
    CHECK(i->incident.firing_count == 1);
    CHECK(s.repair_summaries().corrected == 0);
  }
  SECTION("what mock-slack records of itself (the watchdog's incident) is left alone") {
    s.ingest(alerting::parse_webhook_json(
                 notification("AlertingPipelineSilent", "firing",
                              {alert("AlertingPipelineSilent", "firing", "2026-11-21T22:00:00Z",
                                     "0001-01-01T00:00:00Z", {{"instance", "self"}})},
                              "mock-slack-watchdog")),
             "w1");
    set_clock("2026-11-21T22:30:00Z");
    const auto r = s.sweep(time_of("2026-11-21T22:29:58Z"), kGrace, {"mock-slack-watchdog"});
    CHECK(r.resolved_occurrences == 1);  // A only
    CHECK(only_on(s, "self").status == "firing");
  }
  SECTION("an occurrence only a sync found is swept like the others") {
    set_clock("2026-11-21T22:01:00Z");
    auto synced = gettable_alert("Lonely", "2026-11-21T22:00:30Z");
    synced["receivers"] = json::array({json{{"name", "nobody"}}});
    s.sync(gettable_alerts({synced}));
    set_clock("2026-11-21T22:30:00Z");
    CHECK(s.sweep(time_of("2026-11-21T22:29:58Z"), kGrace).resolved_occurrences == 2);
    AlertFilter f;
    f.alertname = "Lonely";
    const auto lonely = s.alerts(f).items.at(0);
    CHECK(lonely.status == "resolved");
    CHECK(alerting::format_time(*lonely.ends_at) == "2026-11-21T22:01:00Z");  // last sync
    CHECK(lonely.resolved_by == "sweep");
  }
}

TEST_CASE("the other paths record how a resolution was learnt", "[store][sweep][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  StoreOptions o;
  o.path = b.location();
  Store s(o, test_now);
  set_clock("2026-11-21T22:00:05Z");
  s.ingest(firing_notification("A", "A", "host-1"), "h1");
  CHECK(only_on(s, "host-1").resolved_by.empty());
  CHECK_FALSE(only_on(s, "host-1").resolution_recorded_at);

  SECTION("a resolved notification") {
    set_clock("2026-11-21T22:10:00Z");
    s.ingest(alerting::parse_webhook_json(
                 notification("A", "resolved",
                              {alert("A", "resolved", "2026-11-21T22:00:00Z",
                                     "2026-11-21T22:09:00Z", {{"instance", "host-1"}})})),
             "h2");
    CHECK(only_on(s, "host-1").resolved_by == "webhook");
    CHECK(alerting::format_time(*only_on(s, "host-1").resolution_recorded_at) ==
          "2026-11-21T22:10:00Z");
  }
  SECTION("a sync that lists it with its end passed, which also resolves its incident") {
    set_clock("2026-11-21T22:10:00Z");
    auto listed = gettable_alert("A", "2026-11-21T22:00:00Z");
    listed["labels"]["instance"] = "host-1";
    listed["fingerprint"] = only_on(s, "host-1").fingerprint;
    listed["endsAt"] = "2026-11-21T22:09:00Z";
    const auto r = s.sync(gettable_alerts({listed}));
    CHECK(r.updated_occurrences == 1);
    CHECK(r.resolved_incidents == 1);
    CHECK(only_on(s, "host-1").resolved_by == "sync");
    CHECK(s.incidents({}).items.at(0).status == "resolved");
    CHECK(s.repair_summaries().corrected == 0);
  }
}
