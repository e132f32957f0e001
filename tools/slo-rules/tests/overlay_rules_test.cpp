#include "slo_rules/overlay_rules.hpp"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include "slo_rules/spec.hpp"
#include "spec_fixture.hpp"

using Catch::Matchers::Contains;
using slo_rules::OverlayLinks;
using slo_rules::parse_spec;
using slo_rules::render_external_urls;
using slo_rules::render_overlay_rule_file;
using slo_rules::SpecError;

namespace {

YAML::Node spec_with_overlay(const std::string& overlay_yaml) {
  YAML::Node spec = slo_rules::testing::valid_spec();
  spec["overlays"] = YAML::Load(overlay_yaml);
  return spec;
}

const char* const kStandalone = R"(
standalone:
  monitoring: standalone
  runbook_base_url: http://mock-slack.firedrill.svc:8090/runbooks
  dashboard_base_url: http://grafana.firedrill.svc:3000/d/slo
  prometheus_url: http://prometheus.firedrill.svc:9090
  alertmanager_url: http://alertmanager.firedrill.svc:9093
)";

}  // namespace

TEST_CASE("overlays are read in the spec's order with their links", "[overlay-rules]") {
  auto spec = parse_spec(spec_with_overlay(std::string(kStandalone) + R"(
operator:
  monitoring: kube-prometheus-stack
  runbook_base_url: https://firedrill.example.com/runbooks
  dashboard_base_url: https://grafana.example.com/d/slo
  prometheus_url: https://prometheus.example.com
  alertmanager_url: https://alertmanager.example.com
)"));
  REQUIRE(spec.overlays.size() == 2);
  CHECK(spec.overlays[0].overlay == "standalone");
  CHECK(spec.overlays[0].prometheus_url == "http://prometheus.firedrill.svc:9090");
  CHECK(spec.overlays[1].overlay == "operator");
  CHECK(spec.overlays[1].monitoring == "kube-prometheus-stack");
}

TEST_CASE("an overlay's link that points at loopback is refused, naming it", "[overlay-rules]") {
  for (const std::string host : {"127.0.0.1:8090", "localhost:8090", "[::1]:8090"}) {
    std::string yaml = kStandalone;
    yaml.replace(yaml.find("mock-slack.firedrill.svc:8090"),
                 std::string("mock-slack.firedrill.svc:8090").size(), host);
    CHECK_THROWS_WITH(parse_spec(spec_with_overlay(yaml)),
                      "overlays.standalone.runbook_base_url: must not point at loopback outside "
                      "the local stack");
  }
}

TEST_CASE("bad overlay settings name the setting", "[overlay-rules]") {
  std::string yaml = kStandalone;
  SECTION("monitoring") {
    yaml.replace(yaml.find("monitoring: standalone"), 22, "monitoring: helm");
    CHECK_THROWS_WITH(parse_spec(spec_with_overlay(yaml)),
                      Contains("overlays.standalone.monitoring: must be standalone or "
                               "kube-prometheus-stack"));
  }
  SECTION("a dashboard URL without a uid") {
    yaml.replace(yaml.find("/d/slo"), 6, "/dashboards");
    CHECK_THROWS_WITH(parse_spec(spec_with_overlay(yaml)),
                      Contains("overlays.standalone.dashboard_base_url: must end in /d/"));
  }
  SECTION("a missing URL") {
    yaml.erase(yaml.find("  alertmanager_url"));
    CHECK_THROWS_WITH(parse_spec(spec_with_overlay(yaml)),
                      "overlays.standalone.alertmanager_url: is required");
  }
  SECTION("an unknown setting") {
    yaml += "  grafana_url: http://grafana\n";
    CHECK_THROWS_WITH(parse_spec(spec_with_overlay(yaml)),
                      "overlays.standalone.grafana_url: unknown setting");
  }
}

TEST_CASE("a hand-written rule file moves its links to the overlay, nothing else",
          "[overlay-rules]") {
  const auto spec = parse_spec(spec_with_overlay(kStandalone));
  const OverlayLinks& links = spec.overlays.front();
  const std::string production = R"(# http://rb.example/runbooks in a comment stays.
groups:
  - name: portal
    rules:
      - alert: PortalDown
        expr: up{job="portal"} == 0
        annotations:
          summary: Portal down
          runbook_url: 'http://rb.example/runbooks/PortalDown'
          dashboard_url: "http://grafana.example/d/slo?var-service=portal"
)";
  const std::string out = render_overlay_rule_file(production, "portal.rules.yml", spec, links);
  CHECK_THAT(out, Contains("# GENERATED FILE - DO NOT EDIT."));
  CHECK_THAT(out,
             Contains("from alert-rules/portal.rules.yml with the links of overlay standalone"));
  CHECK_THAT(out, Contains("# http://rb.example/runbooks in a comment stays.\n"));
  CHECK_THAT(out,
             Contains("runbook_url: 'http://mock-slack.firedrill.svc:8090/runbooks/PortalDown'\n"));
  CHECK_THAT(out, Contains("dashboard_url: \"http://grafana.firedrill.svc:3000/d/slo"
                           "?var-service=portal\"\n"));
  CHECK_THAT(out, Contains("        expr: up{job=\"portal\"} == 0\n"));
  // Parsed, it is the production file but for the two links.
  YAML::Node a = YAML::Load(production);
  YAML::Node b = YAML::Load(out);
  CHECK(YAML::Dump(a["groups"][0]["rules"][0]["expr"]) ==
        YAML::Dump(b["groups"][0]["rules"][0]["expr"]));

  SECTION("a runbook_url that is not under the local base is an error naming the line") {
    std::string other = production;
    other.replace(other.find("http://rb.example/runbooks/PortalDown"), 37,
                  "http://wiki.example/PortalDown");
    CHECK_THROWS_AS(render_overlay_rule_file(other, "portal.rules.yml", spec, links), SpecError);
    CHECK_THROWS_WITH(render_overlay_rule_file(other, "portal.rules.yml", spec, links),
                      Contains("portal.rules.yml:9: runbook_url: does not start with "
                               "http://rb.example/runbooks"));
  }
}

TEST_CASE("external URLs: an env file for a standalone overlay, Helm values for the stack",
          "[overlay-rules]") {
  OverlayLinks links{"standalone",
                     "standalone",
                     "http://mock-slack.firedrill.svc:8090/runbooks",
                     "http://grafana.firedrill.svc:3000/d/slo",
                     "http://prometheus.firedrill.svc:9090",
                     "http://alertmanager.firedrill.svc:9093"};
  auto env = render_external_urls(links);
  CHECK(env.relative_path == "external-urls.env");
  CHECK_THAT(env.content,
             Contains("\nPROMETHEUS_EXTERNAL_URL=http://prometheus.firedrill.svc:9090\n"));
  CHECK_THAT(env.content,
             Contains("\nALERTMANAGER_EXTERNAL_URL=http://alertmanager.firedrill.svc:9093\n"));
  CHECK_THAT(env.content, Contains("\nGRAFANA_ROOT_URL=http://grafana.firedrill.svc:3000\n"));

  links.overlay = "operator";
  links.monitoring = "kube-prometheus-stack";
  auto values = render_external_urls(links);
  CHECK(values.relative_path == "kube-prometheus-stack-values.yaml");
  const YAML::Node parsed = YAML::Load(values.content);
  CHECK(parsed["prometheus"]["prometheusSpec"]["externalUrl"].as<std::string>() ==
        "http://prometheus.firedrill.svc:9090");
  CHECK(parsed["alertmanager"]["alertmanagerSpec"]["externalUrl"].as<std::string>() ==
        "http://alertmanager.firedrill.svc:9093");
  CHECK(parsed["grafana"]["grafana.ini"]["server"]["root_url"].as<std::string>() ==
        "http://grafana.firedrill.svc:3000");
  // The sidecar finds the operator overlay's dashboard ConfigMaps in namespace firedrill.
  CHECK(parsed["grafana"]["sidecar"]["dashboards"]["label"].as<std::string>() ==
        "grafana_dashboard");
  CHECK(parsed["grafana"]["sidecar"]["dashboards"]["labelValue"].as<std::string>() == "1");
  CHECK(parsed["grafana"]["sidecar"]["dashboards"]["searchNamespace"].as<std::string>() == "ALL");
}
