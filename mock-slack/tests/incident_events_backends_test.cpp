// Incident events (incident_events.cpp) on both back ends: written by incident and by occurrence
// (a tool that acts on an alert before mock-slack has its notification), read with the incident
// and for the export, the same on a SQLite file and on a real PostgreSQL server.
#include <catch2/catch.hpp>

#include "mock_slack/incident_events.hpp"
#include "store/backends.hpp"
#include "store/store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("incident events are kept and read the same on both back ends", "[events][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  StoreOptions o;
  o.path = b.location();
  set_clock("2026-11-21T22:00:05Z");
  Store s(o, test_now);
  const json firing = alert("A", "firing", "2026-11-21T22:00:00Z");
  // The auto-healer acted on the alert before its notification reached mock-slack.
  IncidentEvent healed;
  healed.fingerprint = firing["fingerprint"].get<std::string>();
  healed.starts_at = alerting::parse_time("2026-11-21T22:00:00Z");
  healed.at = test_now();
  healed.author = "auto-healer";
  healed.kind = "auto-healer";
  healed.text = "restarted portal-0";
  healed.details = json{{"action", "restart"}};
  const auto first = add_incident_event(s, healed);
  CHECK(first.id > 0);
  set_clock("2026-11-21T22:00:10Z");
  const auto r = s.ingest(alerting::parse_webhook_json(notification("G", "firing", {firing})), "h");
  IncidentEvent ack;
  ack.incident_id = r.incident_id;
  ack.at = test_now();
  ack.author = "alice";
  ack.kind = "acknowledged";
  ack.text = "looking";
  const auto second = add_incident_event(s, ack);
  CHECK(second.id > first.id);

  const auto detail = s.incident(r.incident_id);
  REQUIRE(detail);
  const auto events = incident_events(s, *detail);
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == "auto-healer");
  CHECK(events[0].details == json{{"action", "restart"}});
  CHECK(events[0].fingerprint == healed.fingerprint);
  CHECK(events[1].author == "alice");
  CHECK(events[1].incident_id == r.incident_id);

  const auto of = incident_events_of(s, {r.incident_id, r.incident_id + 100});
  REQUIRE(of.count(r.incident_id) == 1);
  CHECK(of.at(r.incident_id).size() == 2);
  CHECK(of.count(r.incident_id + 100) == 0);
}
