// What html.hpp promises of every page: no markup from values, no script, no inline style.
#include "mock_slack_ui/html.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"

using namespace mock_slack::ui;
using namespace mock_slack::ui::testing;

namespace {

/// The seeded incident with every hostile value in labels, annotations and URLs.
IncidentView hostile_incident() {
  IncidentView inc = seeded_incident();
  inc.external_url = "javascript:alert(1)//";
  inc.group_key = hostile_values()[1];
  int i = 0;
  for (const std::string& v : hostile_values()) {
    OccurrenceView o = inc.occurrences.front();
    o.alertname = v;
    o.fingerprint = v;
    o.severity = v;
    o.status = i % 2 == 0 ? AlertStatus::firing : AlertStatus::resolved;
    if (o.status == AlertStatus::firing) o.ends_at_ms.reset();
    o.labels = {{"alertname", v}, {"instance", v}, {"service", v}, {v, v}};
    o.annotations = {{"summary", v}, {"runbook_url", v}, {v, v}};
    o.generator_url = v;
    inc.occurrences.push_back(o);
    NotificationView n = inc.notifications.front();
    n.receiver = v;
    n.group_key = v;
    inc.notifications.push_back(n);
    ++i;
  }
  inc.services.clear();
  inc.instances.clear();
  inc.highest_severity.clear();
  return inc;
}

}  // namespace

TEST_CASE("the injection checker catches markup and bad URLs", "[html][security]") {
  // The checker must be able to fail, or the tests below prove nothing.
  CHECK_FALSE(injection_findings("<p>x<script>alert(1)</script></p>").empty());
  CHECK_FALSE(injection_findings(R"x(<input value=""><img src=x onerror=alert(1)>">)x").empty());
  CHECK_FALSE(injection_findings(R"x(<td title="" onmouseover="alert(1)">)x").empty());
  CHECK_FALSE(injection_findings(R"x(<a href="JaVaScRiPt:alert(1)">x</a>)x").empty());
  CHECK_FALSE(injection_findings(R"x(<a href="java&#9;script:x">x</a>)x").empty());
  CHECK_FALSE(injection_findings(R"x(<rect fill="red;x"/>)x").empty());
  CHECK(injection_findings(
            R"x(<a href="/incidents/1" title="&quot;&gt;&lt;img onerror=x&gt;">x</a>)x")
            .empty());
}

TEST_CASE("hostile values never reach a page as markup", "[html][security]") {
  const IncidentView inc = hostile_incident();
  const UnixMillis now = kT0 + 60 * kMinute;

  SECTION("incident page") {
    const std::string html = render_incident(inc, now);
    CHECK(injection_findings(html) == std::vector<std::string>{});
    // The values are there, escaped, not silently dropped.
    CHECK(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(contains(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    CHECK(contains(html, "{{bad}} {{{worse}}}"));
    // No link from javascript: / data: values or the hostile external URL.
    CHECK_FALSE(contains(html, "Silence in Alertmanager"));
    CHECK_FALSE(contains(testing::lower(html), "href=\"javascript"));
    CHECK_FALSE(contains(testing::lower(html), "href=\"data:"));
  }
  SECTION("timeline with hostile filters, chart and incidents") {
    TimelinePage page;
    page.incidents.push_back(inc);
    page.chart_occurrences = inc.occurrences;
    page.next_cursor = hostile_values()[1];
    TimelineQuery q;
    q.alertname = hostile_values()[0];
    q.severity = hostile_values()[1];
    q.service = hostile_values()[2];
    q.matchers = hostile_values();
    q.cursor = hostile_values()[3];
    const std::string html = render_timeline(page, q, now);
    CHECK(injection_findings(html) == std::vector<std::string>{});
    CHECK(contains(html, "value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
    CHECK(contains(html, "<title>&lt;script&gt;"));  // a bar's tooltip
  }
  SECTION("channel page with hostile Slack messages, as mrkdwn and as plain text") {
    // Every hostile value, and mrkdwn built to smuggle markup through the converter, in every
    // field the page shows: message text, attachment parts with and without mrkdwn_in, and
    // Block Kit text objects of both types.
    std::vector<std::string> values = hostile_values();
    for (const std::string& v : hostile_values()) {
      values.push_back("<" + v + "|label>");
      values.push_back("<https://ok.example|" + v + ">");
      values.push_back("*" + v + "* _`" + v + "`_ ```" + v + "```\n> " + v);
    }
    values.insert(values.end(),
                  {"<https://ok.example/\"onmouseover=\"alert(1)|x>", "<@U1|\"><script>x>",
                   "&lt;script&gt;alert(1)&lt;/script&gt;", "<mailto:a@b\"onclick=\"x|m>",
                   "<!subteam^S1|<img src=x onerror=alert(1)>>", "<#C1|</span><script>>"});
    std::vector<SlackMessageView> messages;
    bool formatted = false;
    for (const std::string& v : values) {
      formatted = !formatted;
      SlackMessageView m;
      m.channel = v;
      m.username = v;
      m.text = v;
      m.mrkdwn = formatted;
      m.received_at_ms = kT0;
      nlohmann::json text_objects = nlohmann::json::array();
      for (const char* type : {"mrkdwn", "plain_text"}) {
        text_objects.push_back({{"type", type}, {"text", v}});
      }
      m.blocks_json =
          nlohmann::json::array(
              {{{"type", "header"}, {"text", text_objects[1]}},
               {{"type", "section"}, {"text", text_objects[0]}, {"fields", text_objects}},
               {{"type", "context"},
                {"elements", {text_objects[0], {{"type", "image"}, {"alt_text", v}}}}},
               {{"type", v}},
               {{"type", "section"},
                {"text", {{"type", "mrkdwn"}, {"text", "</pre><script>alert(1)</script>"}}}}})
              .dump();
      SlackAttachment a;
      a.color = "red\" onload=\"alert(1)";
      a.title = v;
      a.title_link = v;
      a.pretext = v;
      a.text = v;
      a.footer = v;
      a.fields = {{v, v, true}, {v, v, false}};
      if (formatted) a.mrkdwn_in = {"pretext", "text", "fields"};
      m.attachments.push_back(a);
      messages.push_back(m);
    }
    const std::string html = render_channel(hostile_values()[1], messages);
    CHECK(injection_findings(html) == std::vector<std::string>{});
    CHECK(contains(html, "&lt;/pre&gt;&lt;script&gt;"));
    CHECK(contains(html, "fill=\"#dddddd\""));  // rejected colour: neutral bar
    // The values are there, escaped, not silently dropped.
    CHECK(contains(html, "<div class=\"text\">&lt;script&gt;alert(1)&lt;/script&gt;</div>"));
    CHECK(contains(html, "&lt;javascript:alert(1)|label&gt;"));
    CHECK(contains(html, "<code>{{bad}} {{{worse}}}</code>"));
    CHECK(contains(html, "<a href=\"https://ok.example/&quot;onmouseover=&quot;alert(1)\""));
    CHECK(contains(html, "<a href=\"mailto:a@b&quot;onclick=&quot;x\""));
    CHECK_FALSE(contains(testing::lower(html), "href=\"javascript"));
  }
  SECTION("channel list and error page") {
    std::vector<ChannelSummary> channels;
    for (const std::string& v : hostile_values()) channels.push_back({v, 1, kT0});
    CHECK(injection_findings(render_channels(channels)) == std::vector<std::string>{});
    CHECK(injection_findings(render_error_page(hostile_values()[0], hostile_values()[1])) ==
          std::vector<std::string>{});
  }
}

TEST_CASE("pages need no script and no inline style", "[html][security]") {
  const std::string html = render_incident(seeded_incident(), kT0);
  CHECK(contains(html, "<link rel=\"stylesheet\" href=\"/static/style.css\">"));
  CHECK_FALSE(contains(html, "<script"));
  CHECK_FALSE(contains(html, "style="));
  CHECK(kContentSecurityPolicy ==
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  CHECK(style_css().find(".attachment .colorbar") != std::string_view::npos);
}
