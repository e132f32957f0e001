#include "slo_rules/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>

namespace slo_rules {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t milliseconds;
};

// Ordered largest first; "ms" comes before "m" so that the longest suffix is tried first.
constexpr std::array<Unit, 7> kUnits{{{"y", 365LL * 24 * 3600 * 1000},
                                      {"w", 7LL * 24 * 3600 * 1000},
                                      {"d", 24LL * 3600 * 1000},
                                      {"h", 3600LL * 1000},
                                      {"ms", 1},
                                      {"m", 60LL * 1000},
                                      {"s", 1000}}};

std::invalid_argument bad_duration(std::string_view text) {
  return std::invalid_argument("not a duration: \"" + std::string(text) +
                               "\" (expected e.g. 30s, 5m, 1h30m, 30d)");
}

}  // namespace

Duration parse_duration(std::string_view text) {
  if (text.empty()) throw bad_duration(text);
  std::int64_t total = 0;
  std::size_t pos = 0;
  std::int64_t previous_unit = std::numeric_limits<std::int64_t>::max();
  while (pos < text.size()) {
    std::int64_t number = 0;
    const std::size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (number > std::numeric_limits<std::int64_t>::max() / 10) throw bad_duration(text);
      number = number * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == digits_start) throw bad_duration(text);
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(pos, candidate.name.size()) == candidate.name) {
        unit = &candidate;
        break;
      }
    }
    // Units must strictly decrease ("1h30m", never "30m1h" or "1h1h").
    if (unit == nullptr || unit->milliseconds >= previous_unit) throw bad_duration(text);
    previous_unit = unit->milliseconds;
    pos += unit->name.size();
    if (number > (std::numeric_limits<std::int64_t>::max() - total) / unit->milliseconds) {
      throw bad_duration(text);
    }
    total += number * unit->milliseconds;
  }
  return Duration(total);
}

std::string format_duration(Duration duration) {
  std::int64_t remaining = duration.count();
  if (remaining == 0) return "0s";
  std::string out;
  if (remaining < 0) {
    out = "-";
    remaining = -remaining;
  }
  constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kFormatUnits{
      {{"d", 24LL * 3600 * 1000},
       {"h", 3600LL * 1000},
       {"m", 60LL * 1000},
       {"s", 1000},
       {"ms", 1}}};
  for (const auto& [name, milliseconds] : kFormatUnits) {
    if (remaining >= milliseconds) {
      out += std::to_string(remaining / milliseconds);
      out += name;
      remaining %= milliseconds;
    }
  }
  return out;
}

}  // namespace slo_rules
