#include "slo_rules/spec.hpp"

#include <catch2/catch.hpp>

#include "build_paths.hpp"
#include "spec_fixture.hpp"

using slo_rules::parse_spec;
using slo_rules::SpecError;
using slo_rules::testing::valid_spec;

TEST_CASE("a valid spec is read completely", "[spec]") {
  const auto spec = parse_spec(valid_spec());
  CHECK(spec.runbook_base_url == "http://rb.example/runbooks");
  CHECK(spec.period == slo_rules::parse_duration("30d"));
  CHECK(spec.drill.factor == 60);
  REQUIRE(spec.burn_rate_alerts.size() == 2);
  CHECK(spec.burn_rate_alerts[0].burn_rate == 14.4);
  CHECK(spec.min_requests == 100);
  REQUIRE(spec.services.size() == 2);
  const auto& portal = spec.services[0];
  REQUIRE(portal.sli_absent_alert.has_value());
  CHECK(portal.sli_absent_alert->for_duration == slo_rules::parse_duration("10m"));
  REQUIRE(portal.slos.size() == 2);
  CHECK(portal.slos[0].sli.errors == "http_requests_total{job=\"portal\",code=~\"5..\"}");
  CHECK(portal.slos[1].sli.good.find("le=\"0.5\"") != std::string::npos);
  REQUIRE(spec.services[1].freshness_slos.size() == 1);
  CHECK(spec.services[1].freshness_slos[0].max_periods_without_success == 2);
}

TEST_CASE("spec errors name the setting in one line", "[spec]") {
  auto spec = valid_spec();
  SECTION("objective out of range") {
    spec["services"][0]["slos"][1]["objective"] = 99;
    CHECK_THROWS_WITH(parse_spec(spec),
                      "services[0].slos[1].objective: must be between 0 and 1 (exclusive), got 99");
  }
  SECTION("missing setting") {
    spec["services"][0]["slos"][0].remove("alert");
    CHECK_THROWS_WITH(parse_spec(spec), "services[0].slos[0].alert: is required");
  }
  SECTION("unknown setting (a typo must not be ignored)") {
    spec["min_request"] = 5;
    CHECK_THROWS_WITH(parse_spec(spec), "min_request: unknown setting");
  }
  SECTION("both errors and good") {
    spec["services"][0]["slos"][0]["sli"]["good"] = "x{le=\"0.5\"}";
    CHECK_THROWS_WITH(parse_spec(spec),
                      "services[0].slos[0].sli: needs exactly one of \"errors\" and \"good\"");
  }
  SECTION("an expression where a selector belongs") {
    spec["services"][0]["slos"][0]["sli"]["total"] = "sum(rate(x{a=\"b\"}[5m]))";
    CHECK_THROWS_AS(parse_spec(spec), SpecError);
  }
  SECTION("bad severity") {
    spec["burn_rate_alerts"][1]["severity"] = "critical";
    CHECK_THROWS_WITH(
        parse_spec(spec),
        "burn_rate_alerts[1].severity: must be \"page\" or \"ticket\", got \"critical\"");
  }
  SECTION("short window not shorter than long window") {
    spec["burn_rate_alerts"][0]["short_window"] = "1h";
    CHECK_THROWS_WITH(parse_spec(spec),
                      "burn_rate_alerts[0]: short_window must be shorter than long_window");
  }
  SECTION("bad duration") {
    spec["period"] = "30 days";
    CHECK_THROWS_WITH(parse_spec(spec),
                      "period: not a duration: \"30 days\" (expected e.g. 30s, 5m, 1h30m, 30d)");
  }
  SECTION("a duration out of Prometheus's order") {
    spec["period"] = "1h30d";
    CHECK_THROWS_WITH(parse_spec(spec),
                      "period: not a duration: \"1h30d\" (expected e.g. 30s, 5m, 1h30m, 30d)");
  }
  SECTION("a zero duration") {
    spec["period"] = "0";
    CHECK_THROWS_WITH(parse_spec(spec), "period: must be positive");
  }
  SECTION("alert name used twice") {
    spec["services"][0]["slos"][1]["alert"] = "PortalAvailabilityBudgetBurn";
    CHECK_THROWS_WITH(parse_spec(spec),
                      "services[0]: alert name \"PortalAvailabilityBudgetBurn\" used twice");
  }
  SECTION("label values stay in a safe alphabet") {
    spec["services"][0]["service"] = "por\"tal";
    CHECK_THROWS_AS(parse_spec(spec), SpecError);
  }
  SECTION("negative minimum traffic") {
    spec["min_requests"] = -1;
    CHECK_THROWS_WITH(parse_spec(spec), "min_requests: must not be negative");
  }
}

TEST_CASE("load_spec prefixes errors with the file", "[spec]") {
  CHECK_THROWS_WITH(slo_rules::load_spec("/nonexistent/slos.yaml"),
                    "/nonexistent/slos.yaml: cannot read file");
  CHECK_THROWS_WITH(slo_rules::load_spec(std::string(firedrill::build_paths::slo_rules_test_data) +
                                         "/bad-objective.yaml"),
                    Catch::Matchers::EndsWith(
                        "bad-objective.yaml: services[0].slos[0].objective: must be between 0 "
                        "and 1 (exclusive), got 99.9"));
}
