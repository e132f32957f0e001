#include "slo_rules/lint.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace slo_rules {
namespace {

std::string scalar(const YAML::Node& map, const char* key) {
  if (!map.IsMap() || !map[key] || !map[key].IsScalar()) return {};
  return map[key].as<std::string>();
}

void lint_rule(const std::string& where, const YAML::Node& rule, const std::string& base_url,
               std::set<std::string>& alerts, std::vector<std::string>& problems) {
  static const std::regex kRecordName("^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$");
  if (const auto record = scalar(rule, "record"); !record.empty()) {
    if (!std::regex_match(record, kRecordName)) {
      problems.push_back(where + ": recording rule " + record +
                         " is not named level:metric:operation");
    }
    return;
  }
  const auto alert = scalar(rule, "alert");
  if (alert.empty()) {
    problems.push_back(where + ": rule is neither a recording rule nor an alert");
    return;
  }
  alerts.insert(alert);
  const std::string prefix = where + ": alert " + alert + ": ";
  const YAML::Node labels = rule["labels"];
  const auto severity = scalar(labels, "severity");
  // severity "none" is the dead-man's switch's alone: it notifies a machine, never a person.
  const bool heartbeat = alert == "Watchdog" && severity == "none";
  if (severity != "page" && severity != "ticket" && !heartbeat) {
    problems.push_back(prefix +
                       "label severity must be \"page\" or \"ticket\" (\"none\" only "
                       "for Watchdog), got \"" +
                       severity + "\"");
  }
  if (scalar(labels, "service").empty()) problems.push_back(prefix + "label service is missing");
  const YAML::Node annotations = rule["annotations"];
  for (const char* key : {"summary", "description", "runbook_url"}) {
    if (scalar(annotations, key).empty()) {
      problems.push_back(prefix + "annotation " + key + " is missing");
    }
  }
  const auto runbook_url = scalar(annotations, "runbook_url");
  const auto expected_url = base_url + "/" + alert;
  if (!runbook_url.empty() && runbook_url != expected_url) {
    problems.push_back(prefix + "runbook_url is " + runbook_url + ", expected " + expected_url);
  }
}

void lint_runbook(const std::filesystem::path& path, const std::string& alert,
                  std::vector<std::string>& problems) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const std::string where = path.string() + ": ";
  if (text.rfind("# " + alert + "\n", 0) != 0) {
    problems.push_back(where + "must start with the title \"# " + alert + "\"");
  }
  std::size_t last = 0;
  for (const char* section : kRunbookSections) {
    const auto found = text.find("\n## " + std::string(section) + "\n");
    if (found == std::string::npos) {
      problems.push_back(where + "section \"## " + section + "\" is missing");
    } else if (found < last) {
      problems.push_back(where + "section \"## " + section + "\" is out of order");
    } else {
      last = found;
    }
  }
}

}  // namespace

std::vector<std::string> lint(const std::string& runbook_base_url,
                              const std::vector<std::filesystem::path>& rule_files,
                              const std::filesystem::path& runbooks_dir) {
  std::vector<std::string> problems;
  std::set<std::string> alerts;
  for (const auto& file : rule_files) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(file.string());
    } catch (const YAML::Exception& e) {
      problems.push_back(file.string() + ": " + e.what());
      continue;
    }
    if (!root["groups"] || !root["groups"].IsSequence()) {
      problems.push_back(file.string() + ": no rule groups");
      continue;
    }
    for (const auto& group : root["groups"]) {
      const std::string where = file.string() + ": group " + scalar(group, "name");
      if (!group["rules"] || !group["rules"].IsSequence()) {
        problems.push_back(where + ": no rules");
        continue;
      }
      for (const auto& rule : group["rules"]) {
        lint_rule(where, rule, runbook_base_url, alerts, problems);
      }
    }
  }

  std::set<std::string> runbooks;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(runbooks_dir, error)) {
    if (entry.path().extension() == ".md" && entry.path().stem() != "README") {
      runbooks.insert(entry.path().stem().string());
    }
  }
  if (error) problems.push_back(runbooks_dir.string() + ": " + error.message());
  for (const auto& alert : alerts) {
    if (runbooks.count(alert) == 0) {
      problems.push_back("alert " + alert + " has no runbook " +
                         (runbooks_dir / (alert + ".md")).string());
    }
  }
  for (const auto& runbook : runbooks) {
    const auto path = runbooks_dir / (runbook + ".md");
    if (alerts.count(runbook) == 0) {
      problems.push_back(path.string() + ": runbook for an alert no rule file defines");
    } else {
      lint_runbook(path, runbook, problems);
    }
  }
  return problems;
}

}  // namespace slo_rules
