#include "slo_rules/duration.hpp"

#include <stdexcept>
#include <string>

#include "firedrill/text.hpp"

namespace slo_rules {

Duration parse_duration(std::string_view text) {
  if (auto parsed = firedrill::parse_duration(text, firedrill::DurationMode::strict)) {
    return *parsed;
  }
  throw std::invalid_argument("not a duration: \"" + firedrill::cut(text) +
                              "\" (expected e.g. 30s, 5m, 1h30m, 30d)");
}

}  // namespace slo_rules
