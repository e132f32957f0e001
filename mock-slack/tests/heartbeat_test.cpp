// POST /heartbeat (heartbeat.cpp): what counts as a heartbeat, credentials, bad input, metrics.
#include "helpers.hpp"
#include "mock_slack/watchdog.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

/// mock-slack with the heartbeat route, the webhook token "s3cret" and the test clock.
struct WithHeartbeat {
  TempDir dir;
  firedrill::Service service{"mock-slack", firedrill::testing::test_settings()};
  Store store{Running::with_path({}, dir), test_now, &service.metrics().registry()};
  Watchdog watchdog{store, {}, test_now, &service.metrics().registry()};
  Receiver receiver{service, store, with_token(), &watchdog};
  firedrill::testing::RunningService running{service};

  static ReceiverOptions with_token() {
    ReceiverOptions o;
    o.credentials.bearer_token = "s3cret";
    return o;
  }
  httplib::Result post(const std::string& body, const std::string& token = "s3cret",
                       const char* type = "application/json") const {
    auto c = running.api();
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return c.Post("/heartbeat", h, body, type);
  }
};

json watchdog_notification(const std::string& status = "firing") {
  return notification(
      "Watchdog", status,
      json::array({alert("Watchdog", status, "2026-11-21T20:00:00Z",
                         status == "firing" ? "0001-01-01T00:00:00Z" : "2026-11-21T21:00:00Z",
                         {{"severity", "none"}})}),
      "heartbeat");
}

}  // namespace

TEST_CASE("a firing Watchdog alert is a heartbeat", "[heartbeat]") {
  set_clock("2026-11-21T22:00:00Z");
  WithHeartbeat h;
  auto res = h.post(watchdog_notification().dump());
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body) == json{{"status", "heartbeat"}});
  CHECK(h.watchdog.state().heartbeats == 1);
  CHECK(*h.watchdog.state().last_seen == *alerting::parse_time("2026-11-21T22:00:00Z"));

  auto metrics = h.running.ops().Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("mockslack_watchdog_last_seen_timestamp_seconds 1795298400") !=
        std::string::npos);
  CHECK(metrics->body.find("mockslack_watchdog_heartbeats_total 1") != std::string::npos);
  auto [code, output] = firedrill::testing::promtool_check_metrics(PROMTOOL, metrics->body);
  INFO(output);
  CHECK(code == 0);
}

TEST_CASE("what is not a heartbeat is ignored or refused, and counts nothing", "[heartbeat]") {
  set_clock("2026-11-21T22:00:00Z");
  WithHeartbeat h;
  SECTION("a resolved Watchdog, or another alert, is ignored") {
    for (const json& body :
         {watchdog_notification("resolved"),
          notification("PortalDown", "firing",
                       json::array({alert("PortalDown", "firing", "2026-11-21T20:00:00Z")}))}) {
      auto res = h.post(body.dump());
      REQUIRE(res);
      INFO(res->body);
      CHECK(res->status == 200);
      CHECK(json::parse(res->body)["status"] == "ignored");
    }
  }
  SECTION("without the token: 401 with a challenge") {
    auto res = h.post(watchdog_notification().dump(), "");
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(res->get_header_value("WWW-Authenticate") == "Bearer realm=\"mock-slack\"");
    CHECK(h.post(watchdog_notification().dump(), "wrong")->status == 401);
  }
  SECTION("malformed JSON, a bad payload, another media type") {
    auto res = h.post("{\"alerts\": [");
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body)["error"].get<std::string>().starts_with("malformed JSON"));
    json bad = watchdog_notification();
    bad["alerts"][0]["startsAt"] = "yesterday";
    res = h.post(bad.dump());
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body)["error"] ==
          "alerts[0].startsAt: invalid RFC 3339 timestamp \"yesterday\"");
    CHECK(h.post(watchdog_notification().dump(), "s3cret", "text/plain")->status == 415);
  }
  CHECK(h.watchdog.state().heartbeats == 0);
  CHECK_FALSE(h.watchdog.state().armed);
}
