#pragma once
// Paths of this build for the tests that run the real binaries or compare golden files, defined
// in a source that firedrill_build_paths() generates (cmake/BuildPaths.cmake), so that no test
// source carries them. Each test target defines the ones it uses.

namespace firedrill::build_paths {
extern const char* const mock_slack_binary;       ///< the mock-slack executable
extern const char* const mock_slack_pages_tests;  ///< this test executable (to accept a golden)
extern const char* const mock_slack_golden_dir;   ///< mock-slack/tests/golden in the sources
extern const char* const mock_slack_test_output;  ///< where a differing page is written
extern const char* const prometheus_binary;       ///< Debian's prometheus
extern const char* const drill_slo_portal_rules;  ///< alert-rules/drill/slo-portal.rules.yml
}  // namespace firedrill::build_paths
