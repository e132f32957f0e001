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
  CHECK(error("{\"version\":1e400}") == "malformed JSON: number overflow parsing '1e400'");
  // Invalid UTF-8 inside a string.
  CHECK(error("{\"version\":\"\xff\"}").rfind("malformed JSON: ", 0) == 0);
  // A number too large for a double: nlohmann/json throws out_of_range, not parse_error (found
  // by the webhook fuzzer).
  CHECK(error("{\"version\":1e999}") == "malformed JSON: number overflow parsing '1e999'");
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

namespace {

// Two silences as Alertmanager 0.25 returns them from GET /api/v2/silences.
json silences_sample() {
  return json::parse(R"([{
    "id": "4c2a0f1e-5b1d-4f8e-9a51-2d6c1f0b7e3a",
    "status": {"state": "active"},
    "updatedAt": "2026-11-21T22:00:00.5Z",
    "comment": "maintenance of the disk array",
    "createdBy": "ops@example.com",
    "startsAt": "2026-11-21T22:00:00Z", "endsAt": "2026-11-22T02:00:00Z",
    "matchers": [
      {"name": "alertname", "value": "DiskFull", "isRegex": false, "isEqual": true},
      {"name": "instance", "value": "10\\..*", "isRegex": true, "isEqual": false}
    ]
  }, {
    "id": "s-2",
    "status": {"state": "expired"},
    "updatedAt": "2026-11-20T10:00:00Z",
    "comment": "",
    "createdBy": "drill",
    "startsAt": "2026-11-20T09:00:00Z", "endsAt": "2026-11-20T10:00:00Z",
    "matchers": [{"name": "service", "value": "portal", "isRegex": false}]
  }])");
}

std::string silences_error_of(const json& j) {
  try {
    (void)parse_gettable_silences(j);
  } catch (const PayloadError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("API v2 silences parse with their matchers", "[payload]") {
  auto silences = parse_gettable_silences(silences_sample());
  REQUIRE(silences.size() == 2);
  const auto& s = silences[0];
  CHECK(s.id == "4c2a0f1e-5b1d-4f8e-9a51-2d6c1f0b7e3a");
  CHECK(s.state == "active");
  CHECK(format_time(s.updated_at) == "2026-11-21T22:00:00.5Z");
  CHECK(s.comment == "maintenance of the disk array");
  CHECK(s.created_by == "ops@example.com");
  CHECK(format_time(s.starts_at) == "2026-11-21T22:00:00Z");
  CHECK(format_time(s.ends_at) == "2026-11-22T02:00:00Z");
  REQUIRE(s.matchers.size() == 2);
  CHECK(s.matchers[0].name == "alertname");
  CHECK(s.matchers[0].value == "DiskFull");
  CHECK(s.matchers[0].type == MatchType::equal);
  CHECK(s.matchers[1].value == "10\\..*");
  CHECK(s.matchers[1].type == MatchType::not_regex);
  CHECK(silences[1].state == "expired");
  CHECK(silences[1].comment.empty());

  SECTION("isEqual defaults to true") {
    CHECK(silences[1].matchers[0].type == MatchType::equal);
    json j = silences_sample();
    j[0]["matchers"][1].erase("isEqual");
    CHECK(parse_gettable_silences(j)[0].matchers[1].type == MatchType::regex);
    j[0]["matchers"][0]["isEqual"] = false;
    CHECK(parse_gettable_silences(j)[0].matchers[0].type == MatchType::not_equal);
  }
  SECTION("unknown fields are ignored") {
    json j = silences_sample();
    j[0]["annotations"] = {{"x", 1}};
    j[0]["status"]["reason"] = "new";
    j[0]["matchers"][0]["isCaseSensitive"] = true;
    CHECK(parse_gettable_silences(j).size() == 2);
  }
  SECTION("serialisation round-trips, isEqual written out") {
    CHECK(to_json(s) == silences_sample()[0]);
    json second = silences_sample()[1];
    second["matchers"][0]["isEqual"] = true;
    CHECK(to_json(silences[1]) == second);
  }
  SECTION("an empty list is valid") { CHECK(parse_gettable_silences(json::array()).empty()); }
}

TEST_CASE("bad API v2 silences name the field", "[payload]") {
  struct Case {
    const char* what;
    std::function<void(json&)> edit;
    const char* error;
  };
  const std::vector<Case> cases{
      {"not an array", [](json& j) { j = json::object(); },
       "silences: expected an array, got object"},
      {"silence a string", [](json& j) { j[1] = "s-2"; },
       "silences[1]: expected an object, got string"},
      {"id missing", [](json& j) { j[0].erase("id"); },
       "silences[0].id: required field is missing"},
      {"id empty", [](json& j) { j[0]["id"] = ""; }, "silences[0].id: must not be empty"},
      {"id a number", [](json& j) { j[0]["id"] = 7; },
       "silences[0].id: expected a string, got number"},
      {"status missing", [](json& j) { j[0].erase("status"); },
       "silences[0].status: required field is missing"},
      {"status a string", [](json& j) { j[0]["status"] = "active"; },
       "silences[0].status: expected an object, got string"},
      {"state unknown", [](json& j) { j[1]["status"]["state"] = "firing"; },
       R"(silences[1].status.state: expected "active", "pending" or "expired", got "firing")"},
      {"updatedAt invalid", [](json& j) { j[0]["updatedAt"] = "now"; },
       "silences[0].updatedAt: invalid RFC 3339 timestamp \"now\""},
      {"startsAt the zero time", [](json& j) { j[0]["startsAt"] = "0001-01-01T00:00:00Z"; },
       "silences[0].startsAt: must not be the zero time"},
      {"endsAt missing", [](json& j) { j[0].erase("endsAt"); },
       "silences[0].endsAt: required field is missing"},
      {"comment missing", [](json& j) { j[0].erase("comment"); },
       "silences[0].comment: required field is missing"},
      {"createdBy null", [](json& j) { j[0]["createdBy"] = nullptr; },
       "silences[0].createdBy: expected a string, got null"},
      {"huge comment", [](json& j) { j[0]["comment"] = std::string(70000, 'c'); },
       "silences[0].comment: value is 70000 bytes, longer than the limit of 65536"},
      {"matchers missing", [](json& j) { j[0].erase("matchers"); },
       "silences[0].matchers: required field is missing"},
      {"matchers an object", [](json& j) { j[0]["matchers"] = json::object(); },
       "silences[0].matchers: expected an array, got object"},
      {"matcher a string", [](json& j) { j[0]["matchers"][1] = "instance=~x"; },
       "silences[0].matchers[1]: expected an object, got string"},
      {"matcher name missing", [](json& j) { j[0]["matchers"][1].erase("name"); },
       "silences[0].matchers[1].name: required field is missing"},
      {"matcher name empty", [](json& j) { j[1]["matchers"][0]["name"] = ""; },
       "silences[1].matchers[0].name: must not be empty"},
      {"matcher value a number", [](json& j) { j[0]["matchers"][0]["value"] = 3; },
       "silences[0].matchers[0].value: expected a string, got number"},
      {"huge matcher value", [](json& j) { j[0]["matchers"][0]["value"] = std::string(9000, 'v'); },
       "silences[0].matchers[0].value: value is 9000 bytes, longer than the limit of 8192"},
      {"isRegex missing", [](json& j) { j[1]["matchers"][0].erase("isRegex"); },
       "silences[1].matchers[0].isRegex: required field is missing"},
      {"isRegex a string", [](json& j) { j[0]["matchers"][1]["isRegex"] = "true"; },
       "silences[0].matchers[1].isRegex: expected a boolean, got string"},
      {"isEqual a number", [](json& j) { j[0]["matchers"][1]["isEqual"] = 0; },
       "silences[0].matchers[1].isEqual: expected a boolean, got number"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    json j = silences_sample();
    c.edit(j);
    CHECK(silences_error_of(j) == c.error);
  }
  SECTION("more silences than the limit") {
    PayloadLimits limits;
    limits.max_silences = 1;
    try {
      (void)parse_gettable_silences(silences_sample(), "silences", limits);
      FAIL("parsed");
    } catch (const PayloadError& e) {
      CHECK(std::string(e.what()) == "silences: 2 silences, more than the limit of 1");
    }
  }
}
