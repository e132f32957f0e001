// Writer::join_group (sync_join.cpp): an alert only a sync found joins its group's incident, by
// the webhook's grouping, and the incident summary stays what the full recompute says.
#include "backends.hpp"
#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

/// An API v2 alert `name` on `instance` for `receiver`, firing since `starts` (ended at `ends`).
json listed_alert(const std::string& name, const std::string& instance, const std::string& starts,
                  const std::string& receiver = "team-portal",
                  const std::string& ends = "0001-01-01T00:00:00Z") {
  json a = gettable_alert(name, starts);
  a["labels"]["instance"] = instance;
  alerting::LabelSet ls;
  for (auto& [k, v] : a["labels"].items()) ls[k] = v.get<std::string>();
  a["fingerprint"] = alerting::fingerprint(ls);
  a["receivers"] = json::array({json{{"name", "auto-healer"}}, json{{"name", receiver}}});
  a["endsAt"] = ends;
  return a;
}

alerting::WebhookNotification notification_of(const std::string& group, const std::string& status,
                                              const std::string& instance,
                                              const std::string& starts,
                                              const std::string& ends = "0001-01-01T00:00:00Z") {
  return alerting::parse_webhook_json(
      notification(group, status, {alert(group, status, starts, ends, {{"instance", instance}})}));
}

Incident incident_holding(const Store& s, const std::string& instance) {
  AlertFilter f;
  f.matchers = {alerting::parse_matcher("instance=\"" + instance + "\"")};
  auto occurrences = s.alerts(f).items;
  REQUIRE(occurrences.size() == 1);
  for (const auto& i : s.incidents({}).items) {
    auto detail = s.incident(i.id);
    for (const auto& o : detail->occurrences) {
      if (o.id == occurrences[0].id) return detail->incident;
    }
  }
  FAIL("occurrence on " << instance << " is in no incident");
  return {};
}

}  // namespace

TEST_CASE("an alert only a sync found joins the incident of its group", "[store][sync][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  StoreOptions o;
  o.path = b.location();
  Store s(o, test_now);
  set_clock("2026-11-21T22:00:05Z");
  const auto first =
      s.ingest(notification_of("A", "firing", "host-1", "2026-11-21T22:00:00Z"), "h1");
  set_clock("2026-11-21T22:03:00Z");

  SECTION("the open incident of its receiver and group labels") {
    const auto r = s.sync(gettable_alerts({listed_alert("A", "host-2", "2026-11-21T21:59:00Z")}));
    CHECK(r.new_occurrences == 1);
    CHECK(r.joined_incidents == 1);
    CHECK(r.opened_incidents == 0);
    const Incident i = incident_holding(s, "host-2");
    CHECK(i.id == first.incident_id);
    CHECK(i.alert_count == 2);
    CHECK(i.firing_count == 2);
    CHECK(alerting::format_time(i.started_at) == "2026-11-21T21:59:00Z");  // the earliest start
    CHECK(s.repair_summaries().corrected == 0);
  }
  SECTION("another group of the same receiver opens its own incident, which the webhook joins") {
    const auto r = s.sync(gettable_alerts({listed_alert("B", "host-2", "2026-11-21T22:02:00Z")}));
    CHECK(r.joined_incidents == 0);
    CHECK(r.opened_incidents == 1);
    const Incident i = incident_holding(s, "host-2");
    CHECK(i.id != first.incident_id);
    CHECK(i.receiver == "team-portal");
    CHECK(i.status == "firing");
    CHECK(i.group_labels == json{{"alertname", "B"}});
    // The group key the webhook would send: the route's part from the receiver's latest one.
    CHECK(i.group_key == "{}/{service=\"portal\"}:{alertname=\"B\"}");
    CHECK(i.notification_count == 0);
    CHECK(alerting::format_time(i.first_notified_at) == "2026-11-21T22:03:00Z");
    CHECK(i.alertnames == std::vector<std::string>{"B"});
    CHECK(s.repair_summaries().corrected == 0);

    set_clock("2026-11-21T22:04:00Z");
    const auto late =
        s.ingest(notification_of("B", "firing", "host-2", "2026-11-21T22:02:00Z"), "h2");
    CHECK(late.incident_id == i.id);
    CHECK(s.incident(i.id)->incident.alert_count == 1);
    CHECK(s.repair_summaries().corrected == 0);
  }
  SECTION("a silenced alert joins its group's incident, but opens none") {
    json joins = listed_alert("A", "host-2", "2026-11-21T22:02:00Z");
    json alone = listed_alert("B", "host-3", "2026-11-21T22:02:00Z");
    for (json* a : {&joins, &alone}) {
      (*a)["status"] = {{"state", "suppressed"},
                        {"silencedBy", json::array({"s-1"})},
                        {"inhibitedBy", json::array()}};
    }
    const auto r = s.sync(gettable_alerts({joins, alone}));
    CHECK(r.new_occurrences == 2);
    CHECK(r.joined_incidents == 1);
    CHECK(r.opened_incidents == 0);
    CHECK(incident_holding(s, "host-2").id == first.incident_id);
    CHECK(s.incidents({}).items.size() == 1);
    CHECK(s.repair_summaries().corrected == 0);
  }
  SECTION("a receiver that never notified mock-slack groups nothing") {
    const auto r =
        s.sync(gettable_alerts({listed_alert("A", "host-2", "2026-11-21T22:02:00Z", "heartbeat")}));
    CHECK(r.new_occurrences == 1);
    CHECK(r.joined_incidents == 0);
    CHECK(r.opened_incidents == 0);
    CHECK(s.incidents({}).items.size() == 1);
    CHECK(s.incident(first.incident_id)->incident.alert_count == 1);
  }
  SECTION("once resolved, the incident whose span covers its start takes it, and fires again") {
    set_clock("2026-11-21T22:10:00Z");
    s.ingest(
        notification_of("A", "resolved", "host-1", "2026-11-21T22:00:00Z", "2026-11-21T22:09:00Z"),
        "h3");
    REQUIRE(s.incident(first.incident_id)->incident.status == "resolved");
    set_clock("2026-11-21T22:11:00Z");
    const auto r = s.sync(gettable_alerts({listed_alert("A", "host-2", "2026-11-21T22:05:00Z")}));
    CHECK(r.joined_incidents == 1);
    const Incident i = incident_holding(s, "host-2");
    CHECK(i.id == first.incident_id);
    CHECK(i.status == "firing");
    CHECK(i.firing_count == 1);
    CHECK(s.repair_summaries().corrected == 0);

    SECTION("an alert that started after it is a new incident") {
      const auto r2 =
          s.sync(gettable_alerts({listed_alert("A", "host-3", "2026-11-21T22:10:30Z")}));
      CHECK(r2.opened_incidents == 0);  // the reopened incident is the open one now
      CHECK(incident_holding(s, "host-3").id == first.incident_id);
    }
  }
  SECTION("a resolved incident that does not cover its start: a new incident") {
    set_clock("2026-11-21T22:10:00Z");
    s.ingest(
        notification_of("A", "resolved", "host-1", "2026-11-21T22:00:00Z", "2026-11-21T22:09:00Z"),
        "h3");
    set_clock("2026-11-21T22:20:00Z");
    const auto r = s.sync(gettable_alerts({listed_alert("A", "host-2", "2026-11-21T22:15:00Z")}));
    CHECK(r.opened_incidents == 1);
    const Incident i = incident_holding(s, "host-2");
    CHECK(i.id != first.incident_id);
    CHECK(i.group_key == "{}/{service=\"portal\"}:{alertname=\"A\"}");
    CHECK(s.repair_summaries().corrected == 0);
  }
  SECTION("listed with its end passed: its new incident opens and resolves") {
    set_clock("2026-11-21T22:20:00Z");
    const auto r = s.sync(gettable_alerts({listed_alert("C", "host-2", "2026-11-21T22:15:00Z",
                                                        "team-portal", "2026-11-21T22:18:00Z")}));
    CHECK(r.opened_incidents == 1);
    const Incident i = incident_holding(s, "host-2");
    CHECK(i.status == "resolved");
    CHECK(alerting::format_time(*i.resolved_at) == "2026-11-21T22:18:00Z");
    CHECK(i.firing_count == 0);
    CHECK(s.repair_summaries().corrected == 0);
  }
}
