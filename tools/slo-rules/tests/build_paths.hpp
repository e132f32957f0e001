#pragma once
// Source paths for the generator's tests, defined in a source that firedrill_build_paths()
// generates (cmake/BuildPaths.cmake), so that no test source carries them.

namespace firedrill::build_paths {
extern const char* const slo_rules_test_data;  ///< tools/slo-rules/tests/data
}  // namespace firedrill::build_paths
