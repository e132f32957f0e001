// slo-rules: generates the SLO rules of alert-rules/ from alert-rules/slos.yaml and checks the
// rule files against the runbooks. Exit status: 0 success, 1 check failed, 2 bad spec or usage.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "slo_rules/generator.hpp"
#include "slo_rules/lint.hpp"
#include "slo_rules/spec.hpp"
#include "slo_rules_version.hpp"

namespace {

constexpr int kCheckFailed = 1;
constexpr int kBadInput = 2;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int generate(const std::string& spec_path, std::string out_dir, int factor, bool check,
             const std::string& overlays_dir) {
  const slo_rules::Spec spec = slo_rules::load_spec(spec_path);
  if (out_dir.empty()) out_dir = std::filesystem::path(spec_path).parent_path().string();
  const std::string config_dir = out_dir.empty() ? "." : out_dir;
  const auto files =
      slo_rules::generate_all(spec, config_dir, factor > 0 ? factor : spec.drill.factor,
                              spec.overlays.empty() ? std::string{} : overlays_dir);
  int stale = 0;
  for (const auto& file : files) {
    const auto path = (std::filesystem::path(config_dir) / file.relative_path).lexically_normal();
    if (check) {
      if (!std::filesystem::exists(path)) {
        std::cerr << "slo-rules: " << path.string() << " is missing; run make rules\n";
        ++stale;
      } else if (read_file(path) != file.content) {
        std::cerr << "slo-rules: " << path.string()
                  << " differs from what the spec generates; run make rules\n";
        ++stale;
      }
      continue;
    }
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.content;
    out.close();
    if (!out) {
      std::cerr << "slo-rules: cannot write " << path.string() << "\n";
      return kBadInput;
    }
    std::cout << "wrote " << path.string() << "\n";
  }
  if (check && stale == 0) std::cout << "slo-rules: " << files.size() << " files up to date\n";
  return stale == 0 ? 0 : kCheckFailed;
}

int lint(const std::string& spec_path, const std::string& runbooks,
         const std::vector<std::string>& rule_files) {
  const slo_rules::Spec spec = slo_rules::load_spec(spec_path);
  const std::vector<std::filesystem::path> paths(rule_files.begin(), rule_files.end());
  const auto problems = slo_rules::lint(spec.runbook_base_url, paths, runbooks);
  for (const auto& problem : problems) std::cerr << "slo-rules: " << problem << "\n";
  if (problems.empty()) {
    std::cout << "slo-rules: " << rule_files.size() << " rule files and " << runbooks
              << " are consistent\n";
  }
  return problems.empty() ? 0 : kCheckFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Generates Firedrill's SLO recording rules and burn-rate alerts from slos.yaml: production "
      "rules beside prometheus.yml, drill-scale rules and configurations in drill/."};
  app.set_version_flag("--version", std::string(SLO_RULES_VERSION));
  app.require_subcommand(0, 1);

  // Without a subcommand the tool generates (or, with --check, compares).
  std::string spec_path = "alert-rules/slos.yaml";
  std::string out_dir;
  int factor = 0;
  bool check = false;
  app.add_option("--spec", spec_path, "SLO spec")->capture_default_str();
  app.add_option("--out", out_dir,
                 "Directory holding prometheus.yml and alertmanager.yml, where production rules "
                 "are written and drill ones into drill/ (default: the spec's directory)");
  app.add_option("--factor", factor,
                 "Drill scale: divide the period and every window by this (default: the spec's "
                 "drill.factor)")
      ->check(CLI::PositiveNumber);
  std::string overlays_dir = "../k8s/overlays";
  app.add_option("--overlays-dir", overlays_dir,
                 "Where the spec's overlays are, relative to --out: each gets its rule files and "
                 "external URLs in <overlay>/generated/")
      ->capture_default_str();
  app.add_flag("--check", check,
               "Write nothing; exit 1 if any generated file differs from what the spec generates");

  std::string runbooks = "runbooks";
  std::vector<std::string> rule_files;
  auto* lint_cmd = app.add_subcommand(
      "lint", "Check alerts' labels, annotations and runbook_url against runbooks/, both ways.");
  std::string lint_spec_path = "alert-rules/slos.yaml";
  lint_cmd->add_option("--spec", lint_spec_path, "SLO spec (for runbook_base_url)")
      ->capture_default_str();
  lint_cmd->add_option("--runbooks", runbooks, "Runbook directory")->capture_default_str();
  lint_cmd->add_option("rule_files", rule_files, "Prometheus rule files")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kBadInput;
  }
  try {
    if (lint_cmd->parsed()) return lint(lint_spec_path, runbooks, rule_files);
    return generate(spec_path, out_dir, factor, check, overlays_dir);
  } catch (const slo_rules::SpecError& e) {
    std::cerr << "slo-rules: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "slo-rules: " << e.what() << "\n";
    return kBadInput;
  }
}
