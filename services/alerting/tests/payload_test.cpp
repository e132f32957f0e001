#include "firedrill/alerting/payload.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace firedrill::alerting;
using nlohmann::json;

namespace {

// The shape Alertmanager 0.27 sends (webhook payload version 4), with one firing and one resolved
// alert.
json sample() {
  return json::parse(R"({
    "receiver": "team-portal",
    "status": "firing",
    "alerts": [
      {"status": "firing",
       "labels": {"alertname": "PortalHighErrorRate", "service": "portal", "severity": "page"},
       "annotations": {"summary": "5xx above 5%", "runbook_url": "http://localhost:8090/runbooks/PortalHighErrorRate"},
       "startsAt": "2026-11-21T22:40:00.123Z", "endsAt": "0001-01-01T00:00:00Z",
       "generatorURL": "http://prometheus:9090/graph?g0.expr=x", "fingerprint": "a1b2c3d4e5f60718"},
      {"status": "resolved",
       "labels": {"alertname": "PortalHighLatency", "service": "portal", "severity": "ticket"},
       "annotations": {},
       "startsAt": "2026-11-21T22:30:00Z", "endsAt": "2026-11-21T22:41:00Z",
       "generatorURL": "", "fingerprint": "0f1e2d3c4b5a6978"}
    ],
    "groupLabels": {"service": "portal"},
    "commonLabels": {"service": "portal"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager:9093",
    "version": "4",
    "groupKey": "{}/{service=~\"portal\"}:{service=\"portal\"}",
    "truncatedAlerts": 0
  })");
}

std::string error_of(const json& j) {
  try {
    (void)parse_webhook_json(j);
  } catch (const PayloadError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("webhook payloads parse", "[payload]") {
  auto n = parse_webhook_json(sample());
  CHECK(n.receiver == "team-portal");
  CHECK(n.status == AlertStatus::firing);
  CHECK(n.group_labels == LabelSet{{"service", "portal"}});
  REQUIRE(n.alerts.size() == 2);
  CHECK(n.alerts[0].ends_at == kZeroTime);
  CHECK(n.alerts[0].fingerprint == "a1b2c3d4e5f60718");
  CHECK(format_time(n.alerts[0].starts_at) == "2026-11-21T22:40:00.123Z");
  CHECK(n.alerts[1].status == AlertStatus::resolved);
  CHECK(format_time(n.alerts[1].ends_at) == "2026-11-21T22:41:00Z");

  SECTION("unknown fields are ignored") {
    json j = sample();
    j["newField"] = {{"x", 1}};
    j["alerts"][0]["silenceURL"] = "http://x";
    CHECK(parse_webhook_json(j).alerts.size() == 2);
  }
  SECTION("a missing fingerprint is computed from the labels") {
    json j = sample();
    j["alerts"][0].erase("fingerprint");
    CHECK(parse_webhook_json(j).alerts[0].fingerprint == fingerprint(n.alerts[0].labels));
  }
  SECTION("serialisation round-trips") {
    CHECK(to_json(parse_webhook_json(to_json(n))) == to_json(n));
  }
  SECTION("from text") { CHECK(parse_webhook(sample().dump()).group_key == n.group_key); }
}

TEST_CASE("bad webhook payloads name the field", "[payload]") {
  struct Case {
    const char* what;
    std::function<void(json&)> edit;
    const char* error;
  };
  const std::vector<Case> cases{
      {"version missing", [](json& j) { j.erase("version"); },
       "version: required field is missing"},
      {"version wrong", [](json& j) { j["version"] = "3"; },
       "version: unsupported version \"3\" (expected \"4\")"},
      {"version a number", [](json& j) { j["version"] = 4; },
       "version: expected a string, got number"},
      {"groupKey missing", [](json& j) { j.erase("groupKey"); },
       "groupKey: required field is missing"},
      {"status unknown", [](json& j) { j["status"] = "pending"; },
       "status: expected \"firing\" or \"resolved\", got \"pending\""},
      {"receiver empty", [](json& j) { j["receiver"] = ""; }, "receiver: must not be empty"},
      {"truncatedAlerts a string", [](json& j) { j["truncatedAlerts"] = "2"; },
       "truncatedAlerts: expected a non-negative integer, got string"},
      {"truncatedAlerts negative", [](json& j) { j["truncatedAlerts"] = -1; },
       "truncatedAlerts: expected a non-negative integer, got -1"},
      {"alerts an object", [](json& j) { j["alerts"] = json::object(); },
       "alerts: expected an array, got object"},
      {"alert a string", [](json& j) { j["alerts"][1] = "x"; },
       "alerts[1]: expected an object, got string"},
      {"labels an array", [](json& j) { j["alerts"][0]["labels"] = json::array(); },
       "alerts[0].labels: expected an object of strings, got array"},
      {"label value a number", [](json& j) { j["alerts"][0]["labels"]["port"] = 8080; },
       "alerts[0].labels.port: expected a string, got number"},
      {"huge label value",
       [](json& j) { j["alerts"][0]["labels"]["big"] = std::string(9000, 'x'); },
       "alerts[0].labels.big: value is 9000 bytes, longer than the limit of 8192"},
      {"startsAt missing", [](json& j) { j["alerts"][0].erase("startsAt"); },
       "alerts[0].startsAt: required field is missing"},
      {"startsAt invalid", [](json& j) { j["alerts"][0]["startsAt"] = "yesterday"; },
       "alerts[0].startsAt: invalid RFC 3339 timestamp \"yesterday\""},
      {"endsAt impossible date", [](json& j) { j["alerts"][1]["endsAt"] = "2026-02-30T00:00:00Z"; },
       "alerts[1].endsAt: invalid RFC 3339 timestamp \"2026-02-30T00:00:00Z\""},
      {"resolved without end", [](json& j) { j["alerts"][1]["endsAt"] = "0001-01-01T00:00:00Z"; },
       "alerts[1].endsAt: required when status is \"resolved\""},
      {"resolved before it started",
       [](json& j) { j["alerts"][1]["endsAt"] = "2026-11-21T22:00:00Z"; },
       "alerts[1].endsAt: is before startsAt"},
      {"fingerprint empty", [](json& j) { j["alerts"][0]["fingerprint"] = ""; },
       "alerts[0].fingerprint: must not be empty"},
      {"alert status missing", [](json& j) { j["alerts"][0].erase("status"); },
       "alerts[0].status: required field is missing"},
      {"not an object", [](json& j) { j = json::array(); },
       "payload: expected a JSON object, got array"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    json j = sample();
    c.edit(j);
    CHECK(error_of(j) == c.error);
  }
}

TEST_CASE("text that is not JSON is malformed", "[payload]") {
  auto error = [](std::string_view body) {
    try {
      (void)parse_webhook(body);
    } catch (const PayloadError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error("").rfind("malformed JSON: ", 0) == 0);
  CHECK(error("{\"version\":").rfind("malformed JSON: ", 0) == 0);
  // Invalid UTF-8 inside a string.
  CHECK(error("{\"version\":\"\xff\"}").rfind("malformed JSON: ", 0) == 0);
}

TEST_CASE("API v2 alerts parse with their silenced and inhibited state", "[payload]") {
  json a = json::parse(R"([{
    "labels": {"alertname": "DiskFull", "instance": "10.0.0.1"},
    "annotations": {"summary": "disk"},
    "startsAt": "2026-11-21T20:00:00Z", "endsAt": "2026-11-21T23:00:00Z",
    "updatedAt": "2026-11-21T22:00:00Z", "fingerprint": "1111222233334444",
    "generatorURL": "http://p", "receivers": [{"name": "ops"}],
    "status": {"state": "suppressed", "silencedBy": ["s-1"], "inhibitedBy": []}
  }])");
  auto alerts = parse_gettable_alerts(a);
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].state == "suppressed");
  CHECK(alerts[0].silenced_by == std::vector<std::string>{"s-1"});
  CHECK(alerts[0].receivers == std::vector<std::string>{"ops"});
  CHECK(to_json(alerts[0]) == a[0]);

  auto error = [&](const std::function<void(json&)>& edit) {
    json j = a;
    edit(j);
    try {
      (void)parse_gettable_alerts(j);
    } catch (const PayloadError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(
      error([](json& j) { j[0]["status"]["state"] = "firing"; }) ==
      R"(alerts[0].status.state: expected "active", "suppressed" or "unprocessed", got "firing")");
  CHECK(error([](json& j) { j[0]["status"]["silencedBy"] = "s-1"; }) ==
        "alerts[0].status.silencedBy: expected an array of strings, got string");
  CHECK(error([](json& j) { j[0]["receivers"][0] = "ops"; }) ==
        "alerts[0].receivers[0]: expected an object, got string");
  CHECK(error([](json& j) { j[0].erase("status"); }) ==
        "alerts[0].status: required field is missing");
}
