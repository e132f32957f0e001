#pragma once
// Paths of this build for the tests that run the real binaries, defined in a source that
// firedrill_build_paths() generates (cmake/BuildPaths.cmake), so that no test source carries them.

namespace firedrill::build_paths {
extern const char* const portal_binary;       ///< the portal executable
extern const char* const portal_load_binary;  ///< the portal-load executable
}  // namespace firedrill::build_paths
