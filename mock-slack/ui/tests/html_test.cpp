#include "mock_slack_ui/html.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"

using namespace mock_slack::ui;
using mock_slack::ui::testing::hostile_values;
using mock_slack::ui::testing::injection_findings;
using mock_slack::ui::testing::kMinute;
using mock_slack::ui::testing::kT0;
using mock_slack::ui::testing::seeded_incident;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

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

TEST_CASE("incident page", "[html]") {
  const IncidentView inc = seeded_incident();
  const std::string html = render_incident(inc, kT0 + 60 * kMinute);
  CHECK(injection_findings(html) == std::vector<std::string>{});
  CHECK(contains(html, "<h1>Incident #42: PortalAvailabilityBudgetBurn</h1>"));
  CHECK(contains(html,
                 "<a class=\"button\" href=\"/incidents/42/postmortem.md\">Draft postmortem</a>"));
  CHECK(contains(html, "<dt>Started</dt><dd>2026-11-21 22:00:00Z</dd>"));
  CHECK(contains(html, "<dt>Detected</dt><dd>2026-11-21 22:01:00Z (time to detect 1m 0s)</dd>"));
  CHECK(contains(html, "2026-11-21 22:35:00Z (time to resolve 34m 0s)"));
  CHECK(contains(html, "<dt>Duration</dt><dd>35m 0s</dd>"));
  CHECK(contains(html, "<span class=\"sev sev-4\">page</span>"));
  CHECK(contains(html, "<code>portal</code>"));
  CHECK(contains(html, "<code>10.0.0.2:8080</code>"));
  CHECK(contains(html, "href=\"http://127.0.0.1:8090/runbooks/PortalAvailabilityBudgetBurn\""));
  CHECK(contains(
      html,
      "href=\"http://127.0.0.1:9090/graph?g0.expr=slo%3Aburn_rate%3Aratio_rate5m&amp;g0.tab=1\""));
  CHECK(contains(
      html, "href=\"" + silence_url("http://127.0.0.1:9093", inc.occurrences[0].labels) + "\""));
  CHECK(contains(html, "<h2>Notification log (4)</h2>"));
  // The log is chronological whatever the input order.
  const auto first = html.find("<td>2026-11-21 22:01:00Z</td>");
  const auto last = html.find("<td>2026-11-21 22:35:10Z</td>");
  REQUIRE(first != std::string::npos);
  REQUIRE(last != std::string::npos);
  CHECK(first < last);
}

TEST_CASE("timeline page", "[html][chart]") {
  const IncidentView inc = seeded_incident();
  TimelinePage page;
  page.incidents.push_back(inc);
  page.chart_occurrences = inc.occurrences;
  page.chart_occurrences[1].status = AlertStatus::firing;
  page.chart_occurrences[1].ends_at_ms.reset();
  page.counts = {1, 0, 2, 1};
  page.next_cursor = "c/2";
  TimelineQuery q;
  q.range = RangePreset::last_1h;
  q.alertname = "PortalAvailabilityBudgetBurn";
  q.matchers = {R"x(instance=~"10\\..*")x"};
  q.cursor = "c/1";
  const UnixMillis now = kT0 + 60 * kMinute;
  const std::string html = render_timeline(page, q, now);
  CHECK(injection_findings(html) == std::vector<std::string>{});

  SECTION("bars: exact geometry, severity colour, firing told apart") {
    // Window 22:00-23:00; first occurrence 22:00-22:30 resolved: x=120, width=420.
    CHECK(contains(html,
                   "<rect class=\"bar resolved\" x=\"120.00\" y=\"4.00\" width=\"420.00\" "
                   "height=\"12.00\" fill=\"#d1242f\" fill-opacity=\"0.4\">"));
    // Second from 22:02, firing, drawn to now (23:00): x=148, width=812.
    CHECK(contains(html,
                   "<rect class=\"bar firing\" x=\"148.00\" y=\"4.00\" width=\"812.00\" "
                   "height=\"12.00\" fill=\"#d1242f\">"));
    CHECK(contains(html, "fill=\"url(#firing-hatch)\""));
    CHECK(contains(html, "<text class=\"rowlabel\" x=\"4\" y=\"14.00\">#42 PortalAvailabilit"));
  }
  SECTION("filters are in the form and in every link") {
    CHECK(contains(
        html, "<input type=\"text\" name=\"alertname\" value=\"PortalAvailabilityBudgetBurn\""));
    CHECK(contains(html, "name=\"matcher\" value=\"instance=~&quot;10\\\\..*&quot;\""));
    CHECK(contains(html, "<option value=\"1h\" selected>1h</option>"));
    const std::string base =
        "alertname=PortalAvailabilityBudgetBurn&amp;matcher=instance%3D~%2210%5C%5C..%2A%22";
    CHECK(contains(html, "<a href=\"/?" + base + "&amp;range=1h&amp;cursor=c%2F2\">Older</a>"));
    CHECK(contains(html, "<a href=\"/?" + base + "&amp;range=1h\">Newest</a>"));
    CHECK(contains(html, "<a href=\"/?" + base + "&amp;range=6h\">6h</a>"));
    CHECK(contains(html, "<strong>1h</strong>"));
  }
  SECTION("incident list and counts") {
    CHECK(contains(html, "<a href=\"/incidents/42\">#42</a>"));
    // Started, services and severity are derived from the occurrences when the glue leaves them.
    CHECK(contains(html, "<td>portal</td><td>2026-11-21 22:00:00Z</td><td>35m 0s</td></tr>"));
    CHECK(contains(html, "<strong>1</strong> incidents"));
    CHECK(contains(html, "<strong>2</strong> alert occurrences (1 firing)"));
  }
}

TEST_CASE("auto-refresh is a meta refresh, so it works without JavaScript", "[html]") {
  TimelineQuery q;
  CHECK_FALSE(contains(render_timeline({}, q, kT0), "http-equiv=\"refresh\""));
  q.refresh_seconds = 30;
  const std::string html = render_timeline({}, q, kT0);
  CHECK(contains(html, "<meta http-equiv=\"refresh\" content=\"30\">"));
  CHECK(contains(html, "No incidents match these filters."));
  CHECK(contains(html, "No alert occurrences in this range."));
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

TEST_CASE("rendering 500 incidents stays cheap", "[html][perf]") {
  // A guard against quadratic work, not a benchmark: generous for loaded, sanitized CI machines.
  const IncidentView seed = seeded_incident();
  TimelinePage page;
  for (int i = 0; i < 500; ++i) {
    IncidentView inc = seed;
    inc.id = 1000 + i;
    inc.notifications.clear();
    for (OccurrenceView& o : inc.occurrences) {
      o.incident_id = inc.id;
      o.starts_at_ms -= i * kMinute;
      *o.ends_at_ms -= i * kMinute;
      page.chart_occurrences.push_back(o);
    }
    page.incidents.push_back(inc);
  }
  TimelineQuery q;
  q.range = RangePreset::last_30d;
  // The first render in a thread also parses the templates: warm up, then take the best of 3.
  std::string html = render_timeline(page, q, kT0 + 60 * kMinute);
  auto best = std::chrono::steady_clock::duration::max();
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    html = render_timeline(page, q, kT0 + 60 * kMinute);
    best = std::min(best, std::chrono::steady_clock::now() - start);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(best).count();
  INFO("render_timeline of 500 incidents, 1000 bars: " << ms << " ms, " << html.size() << " bytes");
  CHECK(contains(html, "/incidents/1499"));
  WARN("render_timeline, 500 incidents and 1000 bars: " << ms << " ms");
}

TEST_CASE("the alarm banner sits at the top of the page's main, escaped", "[html][banner]") {
  const std::string page = render_channels({});
  CHECK(with_banner(page, "") == page);
  const std::string html =
      with_banner(page, "the alerting pipeline has been silent since 2026-11-21T22:00:00Z");
  const auto main = html.find("<main>\n");
  REQUIRE(main != std::string::npos);
  CHECK(html.find("<div class=\"alarm\" role=\"alert\">the alerting pipeline has been silent since "
                  "2026-11-21T22:00:00Z</div>") == main + 7);
  const std::string hostile = with_banner(page, "<script>alert(1)</script>");
  CHECK(injection_findings(hostile) == std::vector<std::string>{});
  CHECK(contains(hostile, "&lt;script&gt;alert(1)&lt;/script&gt;"));
}
