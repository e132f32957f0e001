#include "firedrill/alerting/labels.hpp"

#include <cstdint>
#include <cstdio>

namespace firedrill::alerting {

std::string_view label_value(const LabelSet& labels, std::string_view name) {
  auto it = labels.find(name);
  return it == labels.end() ? std::string_view() : std::string_view(it->second);
}

std::string fingerprint(const LabelSet& labels) {
  constexpr std::uint64_t kOffset = 14695981039346656037ULL;
  constexpr std::uint64_t kPrime = 1099511628211ULL;
  std::uint64_t h = kOffset;
  auto add = [&h](std::string_view s) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= kPrime;
    }
  };
  auto add_separator = [&h] {
    h ^= 0xffU;
    h *= kPrime;
  };
  for (const auto& [name, value] : labels) {  // std::map iterates sorted by name
    add(name);
    add_separator();
    add(value);
    add_separator();
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf, 16);
}

}  // namespace firedrill::alerting
