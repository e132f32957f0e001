#include "mock_slack_ui/postmortem.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "build_paths.hpp"
#include "fixtures.hpp"
#include "mock_slack_ui/html.hpp"

using namespace mock_slack::ui;
using mock_slack::ui::testing::kMinute;
using mock_slack::ui::testing::kT0;
using mock_slack::ui::testing::seeded_incident;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  }
  return out;
}

/// seeded_sli_window() with two SLOs: availability bad from 21:57, latency within its budget.
IncidentSli seeded_sli() {
  IncidentSli sli = mock_slack::ui::testing::seeded_sli_window();
  SloSli a = mock_slack::ui::testing::portal_availability_slo();
  a.error_ratio = {{kT0 - 5 * kMinute, 0.0}, {kT0, 0.0144}, {kT0 + 10 * kMinute, 0.02}};
  a.first_bad_ms = kT0 - 3 * kMinute;
  a.requests = 38'000;
  a.errors = 400;
  a.period_requests_held = 10'000'000;
  a.held_seconds = 15 * 24 * 3600;  // 15 days of data: the period holds 20,000,000 requests
  SloSli l = a;
  l.slo = "latency";
  l.objective = 0.99;
  l.error_ratio = {{kT0, 0.008}};
  l.first_bad_ms.reset();
  l.errors = 38;
  sli.slos = {a, l};
  sli.queries = {"slo:objective:ratio{service=\"portal\",slo=\"availability\"}"};
  return sli;
}

}  // namespace

TEST_CASE("postmortem draft matches the golden file", "[postmortem]") {
  // Regenerate after an intended change: UPDATE_GOLDEN=1 build-ui/bin/mock_slack_ui_tests
  // "postmortem draft matches the golden file", then review the diff of tests/golden/.
  const std::string golden_path =
      std::string(firedrill::build_paths::mock_slack_ui_golden_dir) + "/postmortem.md";
  const std::string draft =
      render_postmortem(seeded_incident(), seeded_sli(), kT0 + 90 * kMinute, "incident-42.sli.svg");
  if (const char* update = std::getenv("UPDATE_GOLDEN"); update != nullptr && *update == '1') {
    std::ofstream(golden_path, std::ios::binary) << draft;
    WARN("rewrote " << golden_path);
  }
  const std::string golden = read_file(golden_path);
  REQUIRE_FALSE(golden.empty());
  CHECK(draft == golden);
}

TEST_CASE("postmortem draft follows postmortems/TEMPLATE.md", "[postmortem]") {
  const std::string draft = render_postmortem(seeded_incident(), std::nullopt, kT0 + 90 * kMinute);
  const std::string tmpl = read_file(firedrill::build_paths::postmortem_template);
  const auto headings = lines_starting(tmpl, "## ");
  const auto subheadings = lines_starting(tmpl, "### ");
  REQUIRE(headings.size() == 10);
  REQUIRE(subheadings.size() == 3);
  std::size_t pos = 0;
  for (const std::string& h : lines_starting(tmpl, "#")) {
    if (h.rfind("# ", 0) == 0) continue;  // the title line is filled in
    const auto found = draft.find("\n" + h + "\n", pos);
    INFO(h);
    REQUIRE(found != std::string::npos);
    pos = found + 1;
  }
  for (const char* field :
       {"- **Date:** ", "- **Authors:** ", "- **Status:** ", "- **Incident window (UTC):** "}) {
    CHECK(draft.find(field) != std::string::npos);
  }
}

TEST_CASE("postmortem draft content", "[postmortem]") {
  const IncidentView inc = seeded_incident();
  const std::string draft = render_postmortem(inc, std::nullopt, kT0 + 90 * kMinute);
  SECTION("without Prometheus the budget figures are said to be unavailable") {
    CHECK(draft.find("- **Impact window and error budget:** not available: no Prometheus was "
                     "configured") != std::string::npos);
    CHECK(draft.find("Peak burn rate") == std::string::npos);
    CHECK(draft.find("SLI chart:") == std::string::npos);
  }
  SECTION("human-only parts are marked prompts") {
    for (const char* section :
         {"## Root Causes\n\n> TODO(author):", "## Trigger\n\n> TODO(author):",
          "### What went well\n\n> TODO(author)", "### Where we got lucky\n\n> TODO(author)"}) {
      INFO(section);
      CHECK(draft.find(section) != std::string::npos);
    }
  }
  SECTION("the timeline is sorted and complete") {
    const auto rows = lines_starting(draft, "| 2026-");
    // 2 firing + 2 resolved + 4 notifications + incident resolved.
    REQUIRE(rows.size() == 9);
    for (std::size_t i = 1; i < rows.size(); ++i)
      CHECK(rows[i - 1].substr(0, 23) <= rows[i].substr(0, 23));
    CHECK(rows.front() ==
          "| 2026-11-21 22:00:00Z | **Firing:** PortalAvailabilityBudgetBurn on "
          "10.0.0.1:8080 (severity page) |");
    CHECK(rows[1] ==
          "| 2026-11-21 22:01:00Z | **Detected:** first notification (firing) "
          "delivered to receiver sre-pager |");
    CHECK(rows.back() ==
          "| 2026-11-21 22:35:10Z | Notification (resolved) delivered to receiver "
          "sre-pager |");
  }
  SECTION("an incident still firing is drafted up to now") {
    IncidentView open = inc;
    open.status = AlertStatus::firing;
    open.resolved_at_ms.reset();
    open.occurrences[1].ends_at_ms.reset();
    const std::string d = render_postmortem(open, std::nullopt, kT0 + 90 * kMinute);
    CHECK(d.find("- **Incident window (UTC):** 2026-11-21 22:00:00Z to ongoing at "
                 "2026-11-21 23:30:00Z (1h 30m 0s so far)") != std::string::npos);
    CHECK(d.find("The incident was still firing when this draft was generated") !=
          std::string::npos);
  }
}

TEST_CASE("postmortem values cannot break the Markdown structure", "[postmortem][security]") {
  IncidentView inc = seeded_incident();
  OccurrenceView& o = inc.occurrences[0];
  o.alertname = "Evil | Alert\n## Injected heading";
  o.labels["instance"] = "a|b\nc";
  o.labels["note"] = "x`y``z | w";
  o.annotations["summary"] = "*bold* [link](javascript:alert(1)) <script>alert(1)</script>";
  o.annotations["runbook_url"] = "javascript:alert(1)";
  o.generator_url = "http://ok.example/graph?x=<y>";
  const std::string draft = render_postmortem(inc, std::nullopt, kT0 + 90 * kMinute);
  CHECK(draft.find("\n## Injected heading") == std::string::npos);
  CHECK(draft.find("<script>") == std::string::npos);
  CHECK(draft.find("\\[link\\](javascript") != std::string::npos);  // escaped: not a link
  for (std::size_t at = draft.find("](javascript"); at != std::string::npos;
       at = draft.find("](javascript", at + 1)) {
    CHECK(draft[at - 1] == '\\');
  }
  CHECK(draft.find("(<javascript") == std::string::npos);
  CHECK(draft.find("[Graph](<http://ok.example/graph?x=%3Cy%3E>)") != std::string::npos);
  // Every timeline row keeps exactly two columns: three unescaped pipes.
  for (const std::string& row : lines_starting(draft, "| 2026-")) {
    int pipes = 0;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++pipes;
    }
    INFO(row);
    CHECK(pipes == 3);
  }
  CHECK(markdown_escape("a|b\nc*d_e[f]<g>`h`\\") == "a\\|b c\\*d\\_e\\[f\\]\\<g\\>\\`h\\`\\\\");
  CHECK(draft.find("`` note=\"x`y``z | w\" ``") == std::string::npos);  // 3-tick fence needed
  CHECK(draft.find("``` note=\"x`y``z | w\" ```") == std::string::npos);
  CHECK(draft.find("```note=\"x`y``z | w\"```") != std::string::npos);
}

TEST_CASE("an alert storm's postmortem and incident page render every alert",
          "[postmortem][perf]") {
  // 5,000 alerts in one incident (the issue's alert storm): everything is rendered. Speed is
  // measured by bench scripts, never asserted in a test; the figures are only printed here.
  IncidentView inc = seeded_incident();
  const OccurrenceView seed = inc.occurrences.front();
  inc.occurrences.clear();
  for (int i = 0; i < 5000; ++i) {
    OccurrenceView o = seed;
    o.fingerprint = std::to_string(i);
    o.labels["instance"] = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    o.starts_at_ms += (i % 600) * 1000;
    inc.occurrences.push_back(o);
  }
  const auto time_ms = [](auto&& fn) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  std::string draft;
  const auto postmortem_ms =
      time_ms([&] { draft = render_postmortem(inc, std::nullopt, kT0 + 90 * kMinute); });
  CHECK(lines_starting(draft, "| 2026-").size() == 2 * 5000 + 4 + 1);
  std::string page;
  const auto incident_ms = time_ms([&] { page = render_incident(inc, kT0 + 90 * kMinute); });
  CHECK(page.find("4700 more alerts are not shown here.") != std::string::npos);
  WARN("5,000 alerts: postmortem " << postmortem_ms << " ms, incident page " << incident_ms
                                   << " ms");
}

TEST_CASE("incident events join the postmortem timeline and the incident page in time order",
          "[postmortem][incident_events]") {
  IncidentView inc = seeded_incident();
  // At 5 minutes the auto-healer restarted the portal; at 1 minute a human wrote a note with
  // characters that must not turn into Markdown or HTML.
  inc.events.push_back(
      {kT0 + 5 * kMinute, "auto-healer", "auto_heal", "restart firedrill/portal, attempt 1"});
  inc.events.push_back({kT0 + 1 * kMinute + 30'000, "alice", "note", "looking | <b>logs</b>"});
  const std::string draft = render_postmortem(inc, std::nullopt, kT0 + 90 * kMinute);
  const auto note = draft.find("**note** (alice): looking \\| \\<b\\>logs\\</b\\>");
  const auto heal =
      draft.find("**auto\\_heal** (auto-healer): restart firedrill/portal, attempt 1");
  const auto resolved = draft.find("**Incident resolved:**");
  REQUIRE(note != std::string::npos);
  REQUIRE(heal != std::string::npos);
  CHECK(note < heal);
  CHECK(heal < resolved);

  const std::string html = render_incident(inc, kT0 + 90 * kMinute);
  CHECK_THAT(html, Catch::Contains("<h2>Timeline (2 incident events)</h2>"));
  const auto html_note = html.find("looking | &lt;b&gt;logs&lt;/b&gt;");
  const auto html_heal = html.find("<td>auto_heal</td><td>auto-healer</td>");
  REQUIRE(html_note != std::string::npos);
  REQUIRE(html_heal != std::string::npos);
  CHECK(html_note < html_heal);
  CHECK(html.find("<b>logs</b>") == std::string::npos);
}
