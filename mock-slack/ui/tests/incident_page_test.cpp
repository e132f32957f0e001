// render_incident() (src/incident_page.cpp).
#include <catch2/catch.hpp>
#include <string>

#include "fixtures.hpp"
#include "mock_slack_ui/html.hpp"

using namespace mock_slack::ui;
using namespace mock_slack::ui::testing;

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
