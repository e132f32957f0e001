#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("Slack incoming-webhook messages are stored in their channel", "[slack]") {
  Running r;
  // What Alertmanager's slack_configs sends.
  json msg = json::parse(R"({
    "channel": "#alerts",
    "username": "Alertmanager",
    "icon_emoji": ":fire:",
    "text": "",
    "attachments": [{"color": "danger", "title": "[FIRING:1] PortalDown",
                     "title_link": "http://am/#/alerts", "text": "portal is down",
                     "fallback": "x", "fields": [{"title": "severity", "value": "page", "short": true}],
                     "mrkdwn_in": ["fallback", "pretext", "text"]}]
  })");
  auto res = r.post("/slack/T000/B000/XXXX", msg);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "ok");
  REQUIRE(r.post("/slack/ops-team", json{{"text", "plain *mrkdwn*"}})->status == 200);

  auto alerts = r.get("/api/v1/messages?channel=alerts")["data"];
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0]["username"] == "Alertmanager");
  CHECK(alerts[0]["attachments"][0]["title"] == "[FIRING:1] PortalDown");
  auto path_channel = r.get("/api/v1/messages?channel=ops-team")["data"];
  REQUIRE(path_channel.size() == 1);
  CHECK(path_channel[0]["text"] == "plain *mrkdwn*");
  CHECK(path_channel[0]["mrkdwn"] == true);  // Slack's default
  REQUIRE(r.post("/slack/ops-team", json{{"text", "*as typed*"}, {"mrkdwn", false}})->status ==
          200);
  CHECK(r.get("/api/v1/messages?channel=ops-team")["data"][0]["mrkdwn"] == false);
  CHECK(r.get("/api/v1/messages")["data"].size() == 3);
  auto channels = r.get("/api/v1/channels")["data"];
  REQUIRE(channels.size() == 2);
  CHECK(channels[0]["name"] == "alerts");

  SECTION("bad messages are refused with the field named") {
    CHECK(json::parse(r.post("/slack/x", json{{"text", 5}})->body)["error"] ==
          "text: expected a string, got number");
    CHECK(json::parse(r.post("/slack/x", json{{"attachments", {1}}})->body)["error"] ==
          "attachments[0]: expected an object, got number");
    CHECK(json::parse(r.post("/slack/x", json{{"username", "u"}})->body)["error"] ==
          "text: required when there are no attachments or blocks");
    CHECK(json::parse(r.post("/slack/x", json{{"text", "t"}, {"mrkdwn", "no"}})->body)["error"] ==
          "mrkdwn: expected a boolean, got string");
    CHECK(r.get("/api/v1/messages")["data"].size() == 3);
  }
}
