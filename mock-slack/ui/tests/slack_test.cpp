#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "mock_slack_ui/html.hpp"

using namespace mock_slack::ui;
using mock_slack::ui::testing::kMinute;
using mock_slack::ui::testing::kT0;
using mock_slack::ui::testing::seeded_incident;

namespace {

NotificationView firing_notification() {
  NotificationView n;
  n.received_at_ms = kT0 + kMinute;
  n.receiver = "sre-pager";
  n.status = AlertStatus::firing;
  n.group_key = "{}:{alertname=\"PortalAvailabilityBudgetBurn\"}";
  n.group_labels = {{"alertname", "PortalAvailabilityBudgetBurn"}};
  n.common_labels = {
      {"alertname", "PortalAvailabilityBudgetBurn"}, {"service", "portal"}, {"severity", "page"}};
  n.external_url = "http://127.0.0.1:9093/";
  n.alerts = seeded_incident().occurrences;
  for (OccurrenceView& o : n.alerts) o.status = AlertStatus::firing;
  return n;
}

}  // namespace

TEST_CASE("the default Slack message of a webhook notification", "[slack]") {
  NotificationView n = firing_notification();
  SECTION("firing: Alertmanager's default subject, danger colour, link to the alert list") {
    const SlackMessageView m = default_slack_message(n);
    CHECK(m.channel == "sre-pager");
    CHECK(m.username == "Alertmanager");
    CHECK(m.received_at_ms == kT0 + kMinute);
    REQUIRE(m.attachments.size() == 1);
    const SlackAttachment& a = m.attachments[0];
    CHECK(a.color == "danger");
    CHECK(a.title == "[FIRING:2] PortalAvailabilityBudgetBurn (portal page)");
    CHECK(a.title_link == "http://127.0.0.1:9093/#/alerts?receiver=sre-pager");
    CHECK(a.text ==
          "[firing] PortalAvailabilityBudgetBurn: portal is burning its availability budget 14x "
          "too fast (10.0.0.1:8080)\n"
          "[firing] PortalAvailabilityBudgetBurn: portal is burning its availability budget 14x "
          "too fast (10.0.0.2:8080)");
    REQUIRE(a.fields.size() == 2);
    CHECK(a.fields[0].title == "severity");
    CHECK(a.fields[0].value == "page");
  }
  SECTION("resolved and truncated") {
    n.status = AlertStatus::resolved;
    for (OccurrenceView& o : n.alerts) o.status = AlertStatus::resolved;
    n.truncated_alerts = 3;
    n.common_labels = n.group_labels;
    const SlackAttachment a = default_slack_message(n).attachments.at(0);
    CHECK(a.color == "good");
    CHECK(a.title == "[RESOLVED] PortalAvailabilityBudgetBurn");
    CHECK(a.text.substr(a.text.rfind('\n') + 1) == "… and 3 more alerts truncated by Alertmanager");
  }
  SECTION("rendered in the receiver's channel") {
    const std::string html = render_channel("sre-pager", {default_slack_message(n)});
    CHECK(html.find("<h1>#sre-pager</h1>") != std::string::npos);
    CHECK(html.find("fill=\"#a30200\"") != std::string::npos);
    CHECK(html.find("<a href=\"http://127.0.0.1:9093/#/alerts?receiver=sre-pager\" "
                    "rel=\"noopener noreferrer\">[FIRING:2] PortalAvailabilityBudgetBurn (portal "
                    "page)</a>") != std::string::npos);
    CHECK(html.find("<div class=\"field short\"><div class=\"field-title\">severity</div>") !=
          std::string::npos);
  }
  SECTION("its text is mrkdwn, as Alertmanager's mrkdwn_in default makes it") {
    n.alerts.resize(1);
    n.alerts[0].annotations["summary"] = "*5xx* above <https://slo.example|the SLO>";
    const SlackMessageView m = default_slack_message(n);
    CHECK(m.attachments.at(0).mrkdwn_in == std::vector<std::string>{"fallback", "pretext", "text"});
    CHECK(render_channel("sre-pager", {m})
              .find("<strong>5xx</strong> above <a href=\"https://slo.example\" "
                    "rel=\"noopener noreferrer\">the SLO</a>") != std::string::npos);
  }
}
