#include "slo_rules/generator.hpp"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "spec_fixture.hpp"

using Catch::Matchers::Contains;
using slo_rules::parse_spec;
using slo_rules::render_service_rules;
using slo_rules::Scale;
using slo_rules::testing::valid_spec;

namespace {

// The rule named `name` in `group` with labels slo=`slo`, or an undefined node.
YAML::Node find_rule(const YAML::Node& rules, const std::string& kind, const std::string& name,
                     std::size_t nth = 0) {
  for (const auto& group : rules["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (rule[kind] && rule[kind].as<std::string>() == name && nth-- == 0) return rule;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string expr_of(const YAML::Node& rules, const std::string& record) {
  const auto rule = find_rule(rules, "record", record);
  REQUIRE(rule);
  return rule["expr"].as<std::string>();
}

}  // namespace

TEST_CASE("production rules are request-weighted and NaN-free", "[generator]") {
  const auto spec = parse_spec(valid_spec());
  const auto text = render_service_rules(spec, spec.services[0], Scale{1});
  const auto rules = YAML::Load(text);

  SECTION("a header says the file is generated") {
    CHECK(text.rfind("# GENERATED FILE - DO NOT EDIT.\n", 0) == 0);
    CHECK_THAT(text, Contains("Generated from slos.yaml by slo-rules"));
  }
  SECTION("one group per SLO and one for the SLI-absent alert") {
    std::vector<std::string> names;
    for (const auto& group : rules["groups"]) names.push_back(group["name"].as<std::string>());
    CHECK(names == std::vector<std::string>{"slo-portal-availability", "slo-portal-latency",
                                            "slo-portal-sli"});
  }
  SECTION("the 30-day ratio is a ratio of sums of increases, not an average of ratios") {
    const auto expr = expr_of(rules, "slo:sli_error:ratio_rate30d");
    CHECK(
        expr ==
        "(sum(increase(http_requests_total{job=\"portal\",code=~\"5..\"}[30d])) or vector(0))\n/\n"
        "clamp_min(sum(increase(http_requests_total{job=\"portal\"}[30d])), 1)");
  }
  SECTION("latency errors are total minus good") {
    const auto latency_text = render_service_rules(spec, spec.services[0], Scale{1});
    const auto group = YAML::Load(latency_text)["groups"][1];
    const auto expr = group["rules"][2]["expr"].as<std::string>();
    CHECK(group["rules"][2]["record"].as<std::string>() == "slo:sli_error:ratio_rate5m");
    CHECK(expr ==
          "(clamp_min(sum(increase(http_request_duration_seconds_bucket{job=\"portal\",le=\"+Inf\"}"
          "[5m])) - "
          "sum(increase(http_request_duration_seconds_bucket{job=\"portal\",le=\"0.5\"}[5m])), 0) "
          "or vector(0))\n/\nclamp_min(sum(increase(http_request_duration_seconds_bucket{job="
          "\"portal\",le=\"+Inf\"}[5m])), 1)");
  }
  SECTION("every window of the alerts and the period has ratio and burn-rate rules") {
    for (const char* window : {"5m", "6h", "1h", "3d", "30d"}) {
      INFO(window);
      CHECK(find_rule(rules, "record", std::string("slo:sli_error:ratio_rate") + window));
      CHECK(expr_of(rules, std::string("slo:burn_rate:ratio_rate") + window) ==
            std::string("slo:sli_error:ratio_rate") + window +
                "{service=\"portal\",slo=\"availability\"} / 0.001");
    }
    CHECK_FALSE(find_rule(rules, "record", "slo:sli_error:ratio_rate30m"));
  }
  SECTION("budget remaining and objective") {
    CHECK(expr_of(rules, "slo:error_budget_remaining:ratio") ==
          "1 - slo:sli_error:ratio_rate30d{service=\"portal\",slo=\"availability\"} / 0.001");
    CHECK(expr_of(rules, "slo:objective:ratio") == "vector(0.999)");
  }
  SECTION("burn-rate alerts need both windows and the minimum traffic") {
    const auto page = find_rule(rules, "alert", "PortalAvailabilityBudgetBurn", 0);
    REQUIRE(page);
    CHECK(page["expr"].as<std::string>() ==
          "slo:burn_rate:ratio_rate1h{service=\"portal\",slo=\"availability\"} > 14.4\nand\n"
          "slo:burn_rate:ratio_rate5m{service=\"portal\",slo=\"availability\"} > 14.4\nand\n"
          "slo:sli_total:rate1h{service=\"portal\",slo=\"availability\"} * 3600 >= 100");
    CHECK(page["labels"]["severity"].as<std::string>() == "page");
    CHECK(page["labels"]["long_window"].as<std::string>() == "1h");
    CHECK(page["labels"]["short_window"].as<std::string>() == "5m");
    CHECK(page["annotations"]["runbook_url"].as<std::string>() ==
          "http://rb.example/runbooks/PortalAvailabilityBudgetBurn");
    CHECK_FALSE(page["for"]);
    const auto ticket = find_rule(rules, "alert", "PortalAvailabilityBudgetBurn", 1);
    CHECK(ticket["labels"]["severity"].as<std::string>() == "ticket");
    CHECK_THAT(ticket["expr"].as<std::string>(), Contains("* 259200 >= 100"));
  }
  SECTION("SLI-absent watches every distinct total selector") {
    const auto absent = find_rule(rules, "alert", "PortalSLIAbsent");
    CHECK(absent["expr"].as<std::string>() ==
          "max(\n  absent(http_requests_total{job=\"portal\"})\n  or\n"
          "  absent(http_request_duration_seconds_bucket{job=\"portal\",le=\"+Inf\"})\n)");
    CHECK(absent["for"].as<std::string>() == "10m");
  }
  SECTION("generation is deterministic") {
    CHECK(render_service_rules(spec, spec.services[0], Scale{1}) == text);
  }
}

TEST_CASE("drill rules divide the period and every window", "[generator]") {
  const auto spec = parse_spec(valid_spec());
  const auto rules = YAML::Load(render_service_rules(spec, spec.services[0], Scale{60}));
  CHECK_THAT(expr_of(rules, "slo:sli_error:ratio_rate30d"), Contains("[12h]"));
  CHECK_THAT(expr_of(rules, "slo:sli_error:ratio_rate1h"), Contains("[1m]"));
  CHECK_THAT(expr_of(rules, "slo:sli_error:ratio_rate5m"), Contains("[5s]"));
  CHECK_THAT(expr_of(rules, "slo:sli_error:ratio_rate3d"), Contains("[1h12m]"));
  const auto page = find_rule(rules, "alert", "PortalAvailabilityBudgetBurn", 0);
  CHECK_THAT(page["expr"].as<std::string>(), Contains("* 60 >= 100"));
  CHECK(page["labels"]["long_window"].as<std::string>() == "1m");
  CHECK(find_rule(rules, "alert", "PortalSLIAbsent")["for"].as<std::string>() == "10s");

  SECTION("freshness uses the job's schedule, not a divided one") {
    const auto drill_batch = YAML::Load(render_service_rules(spec, spec.services[1], Scale{60}));
    CHECK(find_rule(drill_batch, "alert", "BatchSyncStale", 0)["expr"].as<std::string>() ==
          "time() - max by (job) (batch_sync_last_success_timestamp_seconds{job=\"batch-sync\"}) "
          "> 120");
    CHECK(find_rule(drill_batch, "alert", "BatchSyncStale", 1)["for"].as<std::string>() == "2m");
    const auto batch = YAML::Load(render_service_rules(spec, spec.services[1], Scale{1}));
    const auto stale = find_rule(batch, "alert", "BatchSyncStale", 0);
    CHECK(stale["expr"].as<std::string>() ==
          "time() - max by (job) (batch_sync_last_success_timestamp_seconds{job=\"batch-sync\"}) "
          "> 600");
    CHECK(stale["labels"]["reason"].as<std::string>() == "last-success-too-old");
    const auto absent = find_rule(batch, "alert", "BatchSyncStale", 1);
    CHECK(absent["expr"].as<std::string>() ==
          "absent(batch_sync_last_success_timestamp_seconds{job=\"batch-sync\"})");
    CHECK(absent["for"].as<std::string>() == "10m");
    CHECK(absent["labels"]["reason"].as<std::string>() == "no-success-timestamp");
  }
  SECTION("a factor that does not divide a window is an error") {
    CHECK_THROWS_WITH(render_service_rules(spec, spec.services[0], Scale{7}),
                      "drill factor 7 does not divide window 5m (5m) into whole milliseconds");
  }
}

TEST_CASE("drill Prometheus configuration is derived from production", "[generator]") {
  const auto spec = parse_spec(valid_spec());
  const auto production = YAML::Load(R"(
global: {scrape_interval: 15s, evaluation_interval: 15s}
rule_files: [slo-portal.rules.yml, portal.rules.yml, /etc/prometheus/extra.yml]
scrape_configs:
  - job_name: portal
    scrape_interval: 5s
    static_configs: [{targets: ['127.0.0.1:8081']}]
    authorization: {credentials_file: secrets/token}
)");
  const auto drill = YAML::Load(slo_rules::render_drill_prometheus(production, spec, Scale{60}));
  CHECK(drill["global"]["scrape_interval"].as<std::string>() == "1s");
  CHECK(drill["global"]["evaluation_interval"].as<std::string>() == "1s");
  // Every relative rule file, generated or hand-written, has its drill copy beside drill/.
  CHECK(drill["rule_files"].as<std::vector<std::string>>() ==
        std::vector<std::string>{"slo-portal.rules.yml", "portal.rules.yml",
                                 "/etc/prometheus/extra.yml"});
  CHECK(slo_rules::hand_written_rule_files(production, spec) ==
        std::vector<std::string>{"portal.rules.yml"});
  CHECK_FALSE(drill["scrape_configs"][0]["scrape_interval"]);
  CHECK(drill["scrape_configs"][0]["authorization"]["credentials_file"].as<std::string>() ==
        "../secrets/token");
  CHECK(production["rule_files"][1].as<std::string>() == "portal.rules.yml");
}

TEST_CASE("a hand-written rule file outside alert-rules/ cannot get a drill copy", "[generator]") {
  const auto spec = parse_spec(valid_spec());
  const auto production = YAML::Load("rule_files: [extra/portal.rules.yml]");
  CHECK_THROWS_WITH(slo_rules::hand_written_rule_files(production, spec),
                    "prometheus.yml: rule file extra/portal.rules.yml must be beside "
                    "prometheus.yml to get a drill copy");
}

TEST_CASE("drill Alertmanager configuration divides route timings", "[generator]") {
  const auto production = YAML::Load(R"(
route:
  receiver: tickets
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - {receiver: pages, matchers: ['severity="page"'], group_wait: 10s}
receivers:
  - name: pages
    webhook_configs:
      - url: http://127.0.0.1:8090/webhook
        http_config: {authorization: {credentials_file: secrets/token}}
  - name: tickets
)");
  const auto drill = YAML::Load(slo_rules::render_drill_alertmanager(production, Scale{60}));
  CHECK(drill["route"]["group_wait"].as<std::string>() == "500ms");
  CHECK(drill["route"]["group_interval"].as<std::string>() == "5s");
  CHECK(drill["route"]["repeat_interval"].as<std::string>() == "4m");
  CHECK(drill["route"]["routes"][0]["group_wait"].as<std::string>() == "166ms");
  CHECK(drill["receivers"][0]["webhook_configs"][0]["http_config"]["authorization"]
             ["credentials_file"]
                 .as<std::string>() == "../secrets/token");
}

TEST_CASE("an SLO's remediation is a label of its fastest page alert only", "[generator]") {
  auto node = valid_spec();
  node["services"][0]["slos"][0]["remediation"] = "restart";
  // A slower page window, listed first: it stays firing for 30m after a fix, so it carries none.
  YAML::Node windows(YAML::NodeType::Sequence);
  windows.push_back(
      YAML::Load("{severity: page, long_window: 6h, short_window: 30m, burn_rate: 6}"));
  for (const auto& w : node["burn_rate_alerts"]) windows.push_back(w);
  node["burn_rate_alerts"] = windows;
  const auto spec = parse_spec(node);
  const auto rules = YAML::Load(render_service_rules(spec, spec.services[0], Scale{1}));
  std::vector<std::string> healed;
  int pages = 0;
  int tickets = 0;
  for (const auto& rule : rules["groups"][0]["rules"]) {
    if (!rule["alert"]) continue;
    const auto severity = rule["labels"]["severity"].as<std::string>();
    (severity == "page" ? pages : tickets) += 1;
    if (rule["labels"]["remediation"]) {
      CHECK(rule["labels"]["remediation"].as<std::string>() == "restart");
      CHECK(severity == "page");
      healed.push_back(rule["labels"]["long_window"].as<std::string>() + "/" +
                       rule["labels"]["short_window"].as<std::string>());
    }
  }
  CHECK(pages == 2);
  CHECK(tickets == 1);
  CHECK(healed == std::vector<std::string>{"1h/5m"});
  // The latency SLO has none.
  for (const auto& rule : rules["groups"][1]["rules"]) CHECK_FALSE(rule["labels"]["remediation"]);

  node["services"][0]["slos"][0]["remediation"] = "reboot";
  CHECK_THROWS_WITH(parse_spec(node),
                    "services[0].slos[0].remediation: the auto-healer knows only \"restart\", got "
                    "\"reboot\"");
}
