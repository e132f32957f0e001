// render_timeline() and its chart (src/timeline_page.cpp).
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "fixtures.hpp"
#include "mock_slack_ui/html.hpp"

using namespace mock_slack::ui;
using namespace mock_slack::ui::testing;

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
