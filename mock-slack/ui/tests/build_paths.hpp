#pragma once
// Source paths for the UI's golden tests, defined in a source that firedrill_build_paths()
// generates (cmake/BuildPaths.cmake), so that no test source carries them.

namespace firedrill::build_paths {
extern const char* const mock_slack_ui_golden_dir;  ///< mock-slack/ui/tests/golden
extern const char* const postmortem_template;       ///< postmortems/TEMPLATE.md
extern const char* const prometheus_binary;         ///< Debian's prometheus
extern const char* const drill_slo_portal_rules;    ///< alert-rules/drill/slo-portal.rules.yml
}  // namespace firedrill::build_paths
