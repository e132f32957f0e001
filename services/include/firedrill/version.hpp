#pragma once
// The build's version and git revision, for --version and the build_info metric. Thread-safe.

#include <string_view>

namespace firedrill {

/// Project version (from CMake's project()) and the git revision the build was configured at.
std::string_view version();
std::string_view revision();

}  // namespace firedrill
