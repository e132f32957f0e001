#include "slo_rules/drill_rules.hpp"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include "slo_rules/spec.hpp"

using Catch::Matchers::Contains;
using slo_rules::render_drill_rule_file;
using slo_rules::Scale;
using slo_rules::scale_promql;

TEST_CASE("PromQL durations are divided by the drill factor", "[drill-rules]") {
  const Scale drill{60};
  const slo_rules::Duration none{0};
  CHECK(scale_promql("changes(process_start_time_seconds{job=\"portal\"}[15m]) > 3", drill, none) ==
        "changes(process_start_time_seconds{job=\"portal\"}[15s]) > 3");
  CHECK(scale_promql("max_over_time(rate(x[5m])[1h:1m])", drill, none) ==
        "max_over_time(rate(x[5s])[1m:1s])");
  CHECK(scale_promql("rate(x[1h30m] offset 1h)", drill, none) == "rate(x[1m30s] offset 1m)");
  CHECK(scale_promql("max_over_time(x[1h:])", drill, none) == "max_over_time(x[1m:])");
  SECTION("a range keeps a few scrapes") {
    CHECK(scale_promql("rate(x[1m]) / rate(y[15m])", drill, std::chrono::seconds(4)) ==
          "rate(x[4s]) / rate(y[15s])");
  }
  SECTION("label values and numbers are not durations") {
    CHECK(scale_promql("x{le=\"0.5\",handler=~\"/api/.*\"} > 15", drill, none) ==
          "x{le=\"0.5\",handler=~\"/api/.*\"} > 15");
  }
  SECTION("a duration the factor does not divide is an error naming it") {
    CHECK_THROWS_WITH(scale_promql("rate(x[7ms])", drill, none),
                      Contains("does not divide duration 7ms"));
  }
}

TEST_CASE("a hand-written rule file gets a drill copy", "[drill-rules]") {
  const std::string production = R"(# A comment about [15m] stays as written.
groups:
  - name: portal
    rules:
      # One failed scrape is not an outage: wait for a minute.
      - alert: PortalRestarting
        expr: |-
          changes(process_start_time_seconds{job="portal"}[15m]) > 3
        for: 2m
        labels:
          severity: 'ticket'
        annotations:
          summary: 'portal restarted more than 3 times in 15m'
          description: 'restarted {{ $value }} times in 15m, for 2m; p95 above 500ms, 10m ago.'
      - alert: Inline
        expr: rate(x[1m]) > 0
        annotations:
          summary: 'over 1m, not 15m'
)";
  const std::string drill =
      render_drill_rule_file(production, "portal.rules.yml", Scale{60}, std::chrono::seconds(4));
  const YAML::Node rules = YAML::Load(drill);
  const YAML::Node restarting = rules["groups"][0]["rules"][0];
  const YAML::Node inline_rule = rules["groups"][0]["rules"][1];

  SECTION("a header says where it comes from") {
    CHECK(drill.rfind("# GENERATED FILE - DO NOT EDIT.\n", 0) == 0);
    CHECK_THAT(drill, Contains("from ../portal.rules.yml"));
  }
  SECTION("ranges and for are divided") {
    CHECK(restarting["expr"].as<std::string>() ==
          "changes(process_start_time_seconds{job=\"portal\"}[15s]) > 3");
    CHECK(restarting["for"].as<std::string>() == "2s");
    // 1m / 60 would be one scrape: a range keeps four.
    CHECK(inline_rule["expr"].as<std::string>() == "rate(x[4s]) > 0");
  }
  SECTION("annotations say the rule's own durations at the drill scale, nothing else") {
    CHECK(restarting["annotations"]["summary"].as<std::string>() ==
          "portal restarted more than 3 times in 15s");
    CHECK(restarting["annotations"]["description"].as<std::string>() ==
          "restarted {{ $value }} times in 15s, for 2s; p95 above 500ms, 10m ago.");
    // 15m is not a duration of this rule.
    CHECK(inline_rule["annotations"]["summary"].as<std::string>() == "over 4s, not 15m");
  }
  SECTION("comments and labels stay as written") {
    CHECK_THAT(drill, Contains("# A comment about [15m] stays as written.\n"));
    CHECK_THAT(drill, Contains("# One failed scrape is not an outage: wait for a minute.\n"));
    CHECK(restarting["labels"]["severity"].as<std::string>() == "ticket");
  }
}
