#pragma once
// The lint of rule files and runbooks against the project's conventions (rule names, labels,
// annotations, one runbook per alert with its sections). Pure; thread-safe.

#include <filesystem>
#include <string>
#include <vector>

namespace slo_rules {

/// The sections every runbook has, as second-level headings, in this order.
inline constexpr const char* kRunbookSections[] = {"Meaning", "Impact", "Diagnosis", "Mitigation",
                                                   "Escalation"};

/// Checks rule files and runbooks against the project's conventions and returns one line per
/// problem (empty when all is well):
/// - recording rules are named level:metric:operation;
/// - every alert has labels severity ("page" or "ticket") and service, and annotations summary,
///   description and runbook_url, the latter exactly `runbook_base_url`/<alertname>;
/// - every alert has runbooks/<alertname>.md, titled with the name and holding every section of
///   kRunbookSections; every runbook belongs to an alert.
std::vector<std::string> lint(const std::string& runbook_base_url,
                              const std::vector<std::filesystem::path>& rule_files,
                              const std::filesystem::path& runbooks_dir);

}  // namespace slo_rules
