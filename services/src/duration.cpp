#include "firedrill/duration.hpp"

#include <cstdint>
#include <limits>

namespace firedrill {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds{0};
  if (text.empty()) return std::nullopt;
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t value = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (value > std::numeric_limits<std::int64_t>::max() / 10 - 10) return std::nullopt;
      value = value * 10 + (text[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    std::int64_t unit_ms = 0;
    if (text.substr(i, 2) == "ms") {
      unit_ms = 1;
      i += 2;
    } else if (i < text.size()) {
      switch (text[i]) {
        case 's':
          unit_ms = 1000;
          break;
        case 'm':
          unit_ms = 60'000;
          break;
        case 'h':
          unit_ms = 3'600'000;
          break;
        case 'd':
          unit_ms = 86'400'000;
          break;
        case 'w':
          unit_ms = 7 * 86'400'000LL;
          break;
        default:
          return std::nullopt;
      }
      ++i;
    } else {
      return std::nullopt;  // a number without a unit
    }
    if (value > (std::numeric_limits<std::int64_t>::max() - total_ms) / unit_ms) {
      return std::nullopt;
    }
    total_ms += value * unit_ms;
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
  const struct {
    std::int64_t ms;
    const char* unit;
  } units[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& u : units) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms);
      out += u.unit;
      ms %= u.ms;
    }
  }
  return out;
}

}  // namespace firedrill
