#include "slo_rules/lint.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

// A scratch directory removed when the test ends.
class TempDir {
 public:
  TempDir() {
    const auto name = "slo-rules-lint-" + std::to_string(std::random_device{}());
    path_ = fs::temp_directory_path() / name;
    fs::create_directories(path_ / "runbooks");
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  fs::path write(const std::string& relative, const std::string& text) const {
    std::ofstream(path_ / relative) << text;
    return path_ / relative;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

constexpr const char* kRunbook =
    "# PortalDown\n\n## Meaning\nx\n## Impact\nx\n## Diagnosis\nx\n## Mitigation\nx\n"
    "## Escalation\nx\n";

std::string rules(const std::string& runbook_url, const std::string& severity = "page") {
  return "groups:\n- name: portal\n  rules:\n  - record: job:up:sum\n    expr: sum(up)\n"
         "  - alert: PortalDown\n    expr: up == 0\n    labels: {severity: " +
         severity +
         ", service: portal}\n    annotations: {summary: s, description: d, "
         "runbook_url: '" +
         runbook_url + "'}\n";
}

}  // namespace

TEST_CASE("lint accepts consistent alerts and runbooks", "[lint]") {
  TempDir dir;
  const auto file = dir.write("a.rules.yml", rules("http://rb/PortalDown"));
  dir.write("runbooks/PortalDown.md", kRunbook);
  CHECK(slo_rules::lint("http://rb", {file}, dir.path() / "runbooks").empty());
}

TEST_CASE("lint reports each inconsistency", "[lint]") {
  TempDir dir;
  SECTION("alert without a runbook") {
    const auto file = dir.write("a.rules.yml", rules("http://rb/PortalDown"));
    const auto problems = slo_rules::lint("http://rb", {file}, dir.path() / "runbooks");
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Contains("alert PortalDown has no runbook"));
  }
  SECTION("runbook without an alert") {
    const auto file = dir.write("a.rules.yml", rules("http://rb/PortalDown"));
    dir.write("runbooks/PortalDown.md", kRunbook);
    dir.write("runbooks/PortalGone.md", kRunbook);
    const auto problems = slo_rules::lint("http://rb", {file}, dir.path() / "runbooks");
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Contains("PortalGone.md: runbook for an alert no rule file defines"));
  }
  SECTION("runbook_url not built from the base URL") {
    const auto file = dir.write("a.rules.yml", rules("http://elsewhere/PortalDown"));
    dir.write("runbooks/PortalDown.md", kRunbook);
    const auto problems = slo_rules::lint("http://rb", {file}, dir.path() / "runbooks");
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Contains("runbook_url is http://elsewhere/PortalDown, expected "
                                     "http://rb/PortalDown"));
  }
  SECTION("bad severity") {
    const auto file = dir.write("a.rules.yml", rules("http://rb/PortalDown", "critical"));
    dir.write("runbooks/PortalDown.md", kRunbook);
    const auto problems = slo_rules::lint("http://rb", {file}, dir.path() / "runbooks");
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Contains("severity must be \"page\" or \"ticket\""));
  }
  SECTION("severity none is for the Watchdog only") {
    auto text = rules("http://rb/PortalDown", "none");
    const auto file = dir.write("a.rules.yml", text);
    dir.write("runbooks/PortalDown.md", kRunbook);
    std::string watchdog = rules("http://rb/Watchdog", "none");
    for (std::size_t at = 0; (at = watchdog.find("PortalDown", at)) != std::string::npos;) {
      watchdog.replace(at, 10, "Watchdog");
    }
    const auto ok = dir.write("b.rules.yml", watchdog);
    dir.write("runbooks/Watchdog.md",
              "# Watchdog\n" + std::string(kRunbook).substr(std::string(kRunbook).find('\n') + 1));
    const auto problems = slo_rules::lint("http://rb", {file, ok}, dir.path() / "runbooks");
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Contains("alert PortalDown: label severity"));
    CHECK_THAT(problems[0], Contains("(\"none\" only for Watchdog), got \"none\""));
  }
  SECTION("runbook missing a section") {
    const auto file = dir.write("a.rules.yml", rules("http://rb/PortalDown"));
    dir.write("runbooks/PortalDown.md",
              "# PortalDown\n\n## Meaning\nx\n## Impact\nx\n## Mitigation\nx\n## Escalation\nx\n");
    const auto problems = slo_rules::lint("http://rb", {file}, dir.path() / "runbooks");
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Contains("section \"## Diagnosis\" is missing"));
  }
  SECTION("recording rule not named level:metric:operation") {
    auto text = rules("http://rb/PortalDown");
    text.replace(text.find("job:up:sum"), 10, "up_sum");
    const auto file = dir.write("a.rules.yml", text);
    dir.write("runbooks/PortalDown.md", kRunbook);
    const auto problems = slo_rules::lint("http://rb", {file}, dir.path() / "runbooks");
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Contains("up_sum is not named level:metric:operation"));
  }
}
