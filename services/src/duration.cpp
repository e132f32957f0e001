#include "firedrill/duration.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <utility>

#include "firedrill/text.hpp"

namespace firedrill {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

// Largest first, which is also the order DurationMode::strict demands. "ms" is tried before "m"
// so that the longer suffix wins.
constexpr std::array<Unit, 7> kUnits{{{"y", 365 * kDayMs},
                                      {"w", 7 * kDayMs},
                                      {"d", kDayMs},
                                      {"h", 3600LL * 1000},
                                      {"ms", 1},
                                      {"m", 60LL * 1000},
                                      {"s", 1000}}};

const Unit* unit_at(std::string_view rest) {
  for (const Unit& unit : kUnits) {
    if (rest.starts_with(unit.name)) return &unit;
  }
  return nullptr;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, DurationMode mode) {
  if (text == "0") return std::chrono::milliseconds{0};
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t total_ms = 0;
  std::int64_t previous_unit_ms = kMax;
  while (!text.empty()) {
    const std::size_t digits = std::min(text.find_first_not_of("0123456789"), text.size());
    const auto value = parse_decimal<std::int64_t>(text.substr(0, digits));
    if (!value) return std::nullopt;  // no digits, or more than an int64 holds
    const Unit* unit = unit_at(text.substr(digits));
    if (unit == nullptr) return std::nullopt;  // no unit, or one Prometheus does not know
    if (mode == DurationMode::strict && unit->ms >= previous_unit_ms) return std::nullopt;
    previous_unit_ms = unit->ms;
    if (*value > (kMax - total_ms) / unit->ms) return std::nullopt;
    total_ms += *value * unit->ms;
    text.remove_prefix(digits + unit->name.size());
  }
  return std::chrono::milliseconds{total_ms};
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kFormatUnits{
      {{"d", kDayMs}, {"h", 3600LL * 1000}, {"m", 60LL * 1000}, {"s", 1000}, {"ms", 1}}};
  for (const auto& [name, unit_ms] : kFormatUnits) {
    if (ms >= unit_ms) {
      out += std::to_string(ms / unit_ms);
      out += name;
      ms %= unit_ms;
    }
  }
  return out;
}

}  // namespace firedrill
