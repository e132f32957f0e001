#pragma once

#include <string_view>

namespace firedrill {

/// Project version (from CMake's project()) and the git revision the build was configured at.
std::string_view version();
std::string_view revision();

}  // namespace firedrill
