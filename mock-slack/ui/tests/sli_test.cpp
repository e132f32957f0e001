// incident_times(), sli_summary() and fetch_incident_sli()'s walk back to the first bad minute
// and its failures (src/sli.cpp), against canned answers. The figures against a real
// Prometheus: sli_prometheus_test.cpp.
#include "mock_slack_ui/sli.hpp"

#include <catch2/catch.hpp>
#include <mutex>

#include "fake_prometheus.hpp"
#include "fixtures.hpp"

using namespace mock_slack::ui;
using mock_slack::ui::testing::FakePrometheus;
using mock_slack::ui::testing::kMinute;
using mock_slack::ui::testing::kT0;
using mock_slack::ui::testing::seeded_incident;

TEST_CASE("the incident's times come from its events and its alerts", "[sli]") {
  IncidentView inc = seeded_incident();  // alerts 22:00 to 22:35, first notification 22:01
  SECTION("nothing recorded by people") {
    const IncidentTimes t = incident_times(inc, nullptr);
    CHECK(t.started_ms == kT0);
    CHECK_FALSE(t.started_from_sli);
    CHECK(t.detected_ms == kT0 + kMinute);
    CHECK_FALSE(t.acknowledged_ms);
    CHECK_FALSE(t.mitigated_ms);
    CHECK(t.resolved_ms == kT0 + 35 * kMinute);
    CHECK(t.resolved_by.empty());
  }
  SECTION("the first ack and mitigation; a resolution by hand voided by a reopen") {
    inc.events = {{kT0 + 9 * kMinute, "bob", "acknowledged", "late"},
                  {kT0 + 4 * kMinute, "alice", "acknowledged", "mine"},
                  {kT0 + 20 * kMinute, "alice", "mitigated", "rolled back"},
                  {kT0 + 25 * kMinute, "alice", "resolved", "done"},
                  {kT0 + 26 * kMinute, "bob", "reopened", "not done"},
                  {kT0 + 33 * kMinute, "bob", "resolved", "done now"}};
    const IncidentTimes t = incident_times(inc, nullptr);
    CHECK(t.acknowledged_ms == kT0 + 4 * kMinute);
    CHECK(t.acknowledged_by == "alice");
    CHECK(t.mitigated_ms == kT0 + 20 * kMinute);
    CHECK(t.resolved_ms == kT0 + 33 * kMinute);
    CHECK(t.resolved_by == "bob");
  }
  SECTION("a reopen with no later resolution falls back to the alerts'") {
    inc.events = {{kT0 + 25 * kMinute, "alice", "resolved", ""},
                  {kT0 + 26 * kMinute, "bob", "reopened", ""}};
    CHECK(incident_times(inc, nullptr).resolved_ms == kT0 + 35 * kMinute);
  }
  SECTION("the SLI moves the start to the impact's") {
    IncidentSli sli;
    sli.impact_start_ms = kT0 - 3 * kMinute;
    sli.impact_from_sli = true;
    const IncidentTimes t = incident_times(inc, &sli);
    CHECK(t.started_ms == kT0 - 3 * kMinute);
    CHECK(t.started_from_sli);
    CHECK(t.alert_start_ms == kT0);
    sli.error = "HTTP 503";
    CHECK(incident_times(inc, &sli).started_ms == kT0);
  }
}

namespace {

const char* const kRules = R"json({"status":"success","data":{"groups":[{"name":"slo","rules":[
 {"type":"recording","name":"slo:sli_error:ratio_rate5m","labels":{"service":"portal","slo":"availability"},
  "query":"(sum(increase(e{handler=~\"/api/[a-z]\"}[5m])) or vector(0)) / clamp_min(sum(increase(t[5m])), 1)"},
 {"type":"recording","name":"slo:sli_total:rate5m","labels":{"service":"portal","slo":"availability"},
  "query":"sum(rate(t[5m]))"},
 {"type":"recording","name":"slo:sli_error:ratio_rate5m","labels":{"service":"other","slo":"x"},
  "query":"sum(rate(o[5m]))"},
 {"type":"alerting","name":"B","labels":{"service":"portal","slo":"availability","severity":"page"},
  "query":"slo:burn_rate:ratio_rate1h{service=\"portal\",slo=\"availability\"} > 14.4\nand\nslo:burn_rate:ratio_rate5m{service=\"portal\",slo=\"availability\"} > 14.4"},
 {"type":"alerting","name":"B","labels":{"service":"portal","slo":"availability","severity":"page"},
  "query":"slo:burn_rate:ratio_rate6h{service=\"portal\",slo=\"availability\"} > 6"},
 {"type":"alerting","name":"B","labels":{"service":"portal","slo":"availability","severity":"ticket"},
  "query":"slo:burn_rate:ratio_rate1d{service=\"portal\",slo=\"availability\"} > 3"}
]}]}})json";

std::string vector_answer(const std::string& value) {
  return R"x({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,")x" +
         value + R"x("]}]}})x";
}

}  // namespace

TEST_CASE("the impact starts at the first of the bad minutes that reach the alert", "[sli]") {
  const IncidentView inc = seeded_incident();  // the alert starts at 22:00, resolved 22:35
  std::vector<std::string> queries;
  std::mutex mu;
  // Per-minute error ratios before 22:00: bad at 21:52 (not contiguous), good at 21:53, bad
  // from 21:54 to 22:00: the impact starts at 21:53 (the bad step ending 21:54 began then).
  FakePrometheus prom([&](const httplib::Request& req, httplib::Response& res) {
    const std::string q = req.get_param_value("query");
    {
      std::lock_guard lock(mu);
      queries.push_back(q);
    }
    if (req.path == "/prom/api/v1/rules") {
      res.set_content(kRules, "application/json");
    } else if (req.path == "/prom/api/v1/query_range" && q.find("[60s]") != std::string::npos) {
      std::string values;
      for (int m = -8; m <= 0; ++m) {
        const double ratio = (m == -8 || m >= -6) ? 0.01 : 0.0;
        values += (values.empty() ? "" : ",") + std::string("[") +
                  std::to_string((kT0 + m * kMinute) / 1000) + ",\"" + std::to_string(ratio) +
                  "\"]";
      }
      res.set_content(R"x({"status":"success","data":{"resultType":"matrix","result":[)x"
                      R"x({"metric":{},"values":[)x" +
                          values + "]}]}}",
                      "application/json");
    } else if (req.path == "/prom/api/v1/query_range") {
      res.set_content(R"x({"status":"success","data":{"resultType":"matrix","result":[]}})x",
                      "application/json");
    } else if (q.rfind("slo:objective:ratio", 0) == 0) {
      res.set_content(vector_answer("0.999"), "application/json");
    } else if (q.rfind("min_over_time(timestamp(", 0) == 0) {
      res.set_content(vector_answer(std::to_string((kT0 - 24 * 3600'000) / 1000)),
                      "application/json");
    } else if (q.rfind("sum(rate(t[", 0) == 0) {
      res.set_content(vector_answer("10"), "application/json");  // 10 requests/s
    } else {
      res.set_content(vector_answer("0.05"), "application/json");  // the window's error ratio
    }
  });
  SliOptions options;
  options.lookback = std::chrono::minutes(8);
  const IncidentSli sli = fetch_incident_sli(prom.url(), inc, kT0 + 90 * kMinute, options);
  REQUIRE(sli.error.empty());
  REQUIRE(sli.slos.size() == 1);  // "other" is not the incident's service
  const SloSli& s = sli.slos[0];
  CHECK(s.page_burn_rates == std::vector<double>{14.4, 6});  // not the ticket's 3
  CHECK(s.objective == 0.999);
  CHECK(sli.impact_from_sli);
  CHECK(sli.impact_start_ms == kT0 - 7 * kMinute);
  CHECK(sli.impact_end_ms == kT0 + 35 * kMinute);
  // The window is 42 minutes: 2520 s at 10/s, 5% of them failed.
  CHECK(s.requests == Approx(25'200));
  CHECK(s.errors == Approx(1'260));
  CHECK(s.period_requests_held == Approx(10.0 * 30 * 86400));
  CHECK(s.held_seconds == Approx(86400 + 35 * 60));
  // (1 - 0.999) x the period's requests, scaled from the day and 35 minutes held to 30 days.
  CHECK(s.budget_consumed_ratio(options.period) ==
        Approx(1'260 / (0.001 * 25'920'000.0 * 2'592'000 / (86400 + 2100))));
  const auto query_with = [&](const std::string& part) {
    return std::any_of(queries.begin(), queries.end(),
                       [&](const std::string& q) { return q.find(part) != std::string::npos; });
  };
  CHECK(query_with("e{handler=~\"/api/[a-z]\"}[2520s]"));  // the rule, over the impact window
  CHECK(query_with("sum(rate(t[2592000s]))"));             // the period
  CHECK(query_with("[2592000s:60s]"));
  const auto summary = sli_summary(sli);
  REQUIRE(summary.size() == 2);
  CHECK(summary[0] ==
        "Impact from 2026-11-21 21:53:00Z to 2026-11-21 22:35:00Z (42m 0s), from the first bad "
        "minute of the SLI.");
}

TEST_CASE("the SLI says why Prometheus gave nothing", "[sli]") {
  const IncidentView inc = seeded_incident();
  SECTION("an error answer") {
    FakePrometheus prom([](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_content("unavailable", "text/plain");
    });
    const IncidentSli sli = fetch_incident_sli(prom.url(), inc, kT0 + 90 * kMinute);
    CHECK(sli.error == "HTTP 503");
    CHECK(sli.slos.empty());
    CHECK(sli_summary(sli).empty());
  }
  SECTION("unreachable") {
    int port = 0;
    {
      FakePrometheus gone([](const httplib::Request&, httplib::Response&) {});
      port = gone.port();
    }
    SliOptions options;
    options.timeout = std::chrono::milliseconds(500);
    const IncidentSli sli = fetch_incident_sli("http://127.0.0.1:" + std::to_string(port), inc,
                                               kT0 + 90 * kMinute, options);
    CHECK_FALSE(sli.error.empty());
  }
  SECTION("no SLO rules for the services") {
    FakePrometheus prom([](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"x({"status":"success","data":{"groups":[]}})x", "application/json");
    });
    const IncidentSli sli = fetch_incident_sli(prom.url(), inc, kT0 + 90 * kMinute);
    CHECK(sli.error.empty());
    CHECK(sli.slos.empty());
    CHECK_FALSE(sli.impact_from_sli);
    CHECK(sli.impact_start_ms == kT0);
  }
}
