// GET /incidents/{id}/sli.svg, the incident page's SLI section and the postmortem command's saved
// chart (pages.cpp): with no Prometheus, an unreachable one, and a real one (Debian's binary with
// the real drill SLO rules). The figures themselves: mock-slack/ui/tests/sli_prometheus_test.cpp.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "build_paths.hpp"
#include "helpers.hpp"
#include "mock_slack/pages.hpp"
#include "mock_slack_ui/html.hpp"
#include "mock_slack_ui/sli_chart.hpp"
#include "real_prometheus.hpp"

namespace mock_slack::testing {
namespace {

std::string read_sli_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The test clock at the wall clock's time (a real Prometheus answers about now), and an
/// incident: PortalAvailabilityBudgetBurn of service portal from 2 minutes ago, resolved.
void seed_now(const Running& m, const httplib::Headers& headers = {}) {
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(alerting::system_now());
  const auto at = [&](int seconds_ago) {
    return alerting::format_time(now - std::chrono::seconds(seconds_ago));
  };
  set_clock(at(110));
  const json firing =
      notification("PortalAvailabilityBudgetBurn", "firing",
                   json::array({alert("PortalAvailabilityBudgetBurn", "firing", at(120),
                                      "0001-01-01T00:00:00Z", {{"slo", "availability"}})}));
  REQUIRE(m.post("/webhook", firing, headers)->status == 200);
  set_clock(at(30));
  const json resolved =
      notification("PortalAvailabilityBudgetBurn", "resolved",
                   json::array({alert("PortalAvailabilityBudgetBurn", "resolved", at(120), at(40),
                                      {{"slo", "availability"}})}));
  REQUIRE(m.post("/webhook", resolved, headers)->status == 200);
  set_clock(at(0));
}

ReceiverOptions with_prometheus(const std::string& url) {
  ReceiverOptions o;
  o.pages.prometheus_url = url;
  o.pages.sli.timeout = std::chrono::milliseconds(1000);
  return o;
}

/// Debian's Prometheus with the real drill SLO rules, and mock-slack querying it, seeded with
/// seed_now()'s incident.
struct WithDrillPrometheus {
  ui::testing::RealPrometheus prom{firedrill::build_paths::prometheus_binary,
                                   firedrill::build_paths::drill_slo_portal_rules};
  Running m{checked(prom)};

  static ReceiverOptions checked(const ui::testing::RealPrometheus& p) {
    INFO(p.log());
    REQUIRE(p.running());
    return with_prometheus(p.url());
  }
  WithDrillPrometheus() { seed_now(m); }
};

/// A loopback URL where nothing listens.
std::string unreachable_url() {
  return "http://127.0.0.1:" + std::to_string(ui::testing::free_port());
}

}  // namespace

TEST_CASE("without a Prometheus the SLI chart is 404 and the page says why", "[pages][sli]") {
  Running m;
  seed_now(m);
  auto c = m.client();
  auto svg = c.Get("/incidents/1/sli.svg");
  REQUIRE(svg);
  CHECK(svg->status == 404);
  CHECK(svg->body ==
        "No Prometheus is configured (--prometheus-url): mock-slack has no SLI to draw.\n");
  CHECK(c.Get("/incidents/999/sli.svg")->status == 404);
  CHECK(c.Get("/incidents/x/sli.svg")->status == 404);
  const auto page = c.Get("/incidents/1");
  REQUIRE(page->status == 200);
  CHECK_THAT(page->body, Catch::Contains("No SLI chart: no Prometheus is configured"));
  CHECK_THAT(page->body, !Catch::Contains("<img class=\"sli-chart\""));
}

TEST_CASE("an unreachable Prometheus is said in words, and the chart route answers 503",
          "[pages][sli]") {
  const std::string url = unreachable_url();
  Running m(with_prometheus(url));
  seed_now(m);
  auto c = m.client();
  auto svg = c.Get("/incidents/1/sli.svg");
  REQUIRE(svg);
  CHECK(svg->status == 503);
  CHECK_THAT(svg->body, Catch::StartsWith("Prometheus at " + url + " did not answer ("));
  CHECK(svg->get_header_value("Content-Security-Policy") == ui::kContentSecurityPolicy);
  const auto page = c.Get("/incidents/1");
  REQUIRE(page->status == 200);
  CHECK_THAT(page->body, Catch::Contains("No SLI chart: Prometheus at <code>" + url +
                                         "</code> did not answer"));
  CHECK_THAT(page->body, !Catch::Contains("<img class=\"sli-chart\""));
  const auto md = c.Get("/incidents/1/postmortem.md");
  REQUIRE(md->status == 200);
  CHECK_THAT(md->body, Catch::Contains("- **Impact window and error budget:** not available: "
                                       "Prometheus at `" +
                                       url + "` did not answer"));
  CHECK_THAT(md->body, !Catch::Contains("SLI chart:"));

  PostmortemCommand cmd;
  cmd.db = (m.dir.path() / "mock-slack.db").string();
  cmd.incident = 1;
  cmd.out = (m.dir.path() / "draft.md").string();
  cmd.pages.prometheus_url = url;
  REQUIRE(run_postmortem_command(cmd, test_now) == 0);
  CHECK_THAT(read_sli_file(cmd.out), Catch::Contains("did not answer"));
  CHECK_FALSE(std::filesystem::exists(m.dir.path() / "draft.sli.svg"));
}

TEST_CASE("with a real Prometheus the chart is served, embedded and saved beside the draft",
          "[pages][sli][prometheus]") {
  WithDrillPrometheus w;
  auto& prom = w.prom;
  auto& m = w.m;
  auto c = m.client();
  auto svg = c.Get("/incidents/1/sli.svg");
  REQUIRE(svg);
  REQUIRE(svg->status == 200);
  CHECK(svg->get_header_value("Content-Type") == ui::kSvgContentType);
  CHECK(svg->get_header_value("Content-Security-Policy") == ui::kContentSecurityPolicy);
  CHECK_THAT(svg->body, Catch::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
  // The drill rules' two portal SLOs, each with its page thresholds and the incident's marks.
  CHECK_THAT(svg->body, Catch::Contains("data-service=\"portal\" data-slo=\"availability\""));
  CHECK_THAT(svg->body, Catch::Contains("data-service=\"portal\" data-slo=\"latency\""));
  CHECK_THAT(svg->body, Catch::Contains("page at 14.4x"));
  CHECK_THAT(svg->body, Catch::Contains("class=\"mark mark-detect\""));
  CHECK_THAT(svg->body, Catch::Contains("class=\"mark mark-resolve\""));

  const auto page = c.Get("/incidents/1");
  REQUIRE(page->status == 200);
  CHECK_THAT(page->body, Catch::Contains("<img class=\"sli-chart\" src=\"/incidents/1/sli.svg\""));
  CHECK_THAT(page->body, Catch::Contains("portal availability: "));

  const auto md = c.Get("/incidents/1/postmortem.md");
  REQUIRE(md->status == 200);
  CHECK_THAT(md->body, Catch::Contains("](</incidents/1/sli.svg>)"));

  PostmortemCommand cmd;
  cmd.db = (m.dir.path() / "mock-slack.db").string();
  cmd.incident = 1;
  cmd.out = (m.dir.path() / "2026-12-01-incident-1.md").string();
  cmd.pages.prometheus_url = prom.url();
  REQUIRE(run_postmortem_command(cmd, test_now) == 0);
  const std::string draft = read_sli_file(cmd.out);
  CHECK_THAT(draft, Catch::Contains("](<2026-12-01-incident-1.sli.svg>)"));
  const std::string saved = read_sli_file(m.dir.path() / "2026-12-01-incident-1.sli.svg");
  CHECK_THAT(saved, Catch::Contains("data-slo=\"availability\""));
  CHECK_THAT(saved, Catch::Contains("class=\"mark mark-detect\""));
}

/// How many times Prometheus has answered GET /api/v1/rules, from its own /metrics: every fetch
/// of an incident's SLI starts with one.
double rules_requests(const ui::testing::RealPrometheus& prom) {
  httplib::Client c(prom.url());
  auto res = c.Get("/metrics");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  double total = 0;
  std::istringstream lines(res->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("prometheus_http_requests_total{") &&
        line.find("handler=\"/api/v1/rules\"") != std::string::npos) {
      total += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return total;
}

TEST_CASE("the incident page and its chart share one fetch of the SLI for a few seconds",
          "[pages][sli][prometheus]") {
  WithDrillPrometheus w;
  auto& prom = w.prom;
  auto& m = w.m;
  auto c = m.client();
  const double before = rules_requests(prom);
  REQUIRE(c.Get("/incidents/1")->status == 200);
  REQUIRE(c.Get("/incidents/1/sli.svg")->status == 200);
  REQUIRE(c.Get("/incidents/1")->status == 200);  // a reload
  CHECK(rules_requests(prom) - before == 1);
  // The draft always asks Prometheus itself.
  REQUIRE(c.Get("/incidents/1/postmortem.md")->status == 200);
  CHECK(rules_requests(prom) - before == 2);
  // Ten seconds later the page asks again.
  set_clock(alerting::format_time(test_now() + std::chrono::seconds(10)));
  const auto svg = c.Get("/incidents/1/sli.svg");
  REQUIRE(svg->status == 200);
  CHECK_THAT(svg->body, Catch::Contains("data-slo=\"availability\""));
  CHECK(rules_requests(prom) - before == 3);
}

TEST_CASE("a drill's event puts its measured and expected figures in the draft",
          "[pages][sli][postmortem]") {
  ReceiverOptions o;
  o.credentials.bearer_token = "secret";
  Running m(o);
  const httplib::Headers auth{{"Authorization", "Bearer secret"}};
  seed_now(m, auth);
  // What scripts/drill.py's post_drill_event() sends.
  const json drill = json::parse(R"x({"kind": "drill", "author": "drill.py",
    "text": "drill errors (profile drill), alert PortalAvailabilityBudgetBurn: PASS",
    "details": {"scenario": "errors", "profile": "drill", "result": "PASS", "measurements": [
      {"what": "time to detect (from the break)", "expected_seconds": 10.0, "low_seconds": 8.0,
       "high_seconds": 14.0, "measured_seconds": 11.2},
      {"what": "time to resolve (from the heal)", "expected_seconds": 10.0, "low_seconds": 8.0,
       "high_seconds": 14.0, "measured_seconds": 9.0}]}})x");
  REQUIRE(m.post("/api/v1/incidents/1/events", drill, auth)->status == 201);
  auto c = m.client();
  const auto md = c.Get("/incidents/1/postmortem.md", {{"Authorization", "Bearer secret"}});
  REQUIRE(md);
  REQUIRE(md->status == 200);
  CHECK_THAT(md->body, Catch::Contains("**Drill** `errors` at "));
  CHECK_THAT(md->body, Catch::Contains("| Figure | Measured | Expected | Tolerance |\n"));
  CHECK_THAT(
      md->body,
      Catch::Contains("| time to detect (from the break) | 11.2 s | 10.0 s | 8.0 s to 14.0 s |"));
  CHECK_THAT(
      md->body,
      Catch::Contains("| time to resolve (from the heal) | 9.0 s | 10.0 s | 8.0 s to 14.0 s |"));
  CHECK_THAT(md->body, Catch::Contains("- How: measured by the drill (scripts/drill.py)"));
}

}  // namespace mock_slack::testing
