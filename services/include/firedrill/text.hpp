#pragma once
// Small text helpers every component uses the same way: decimal numbers (std::from_chars), and
// untrusted input cut short for an error message. Pure; thread-safe.
//
// The parse contract (CONTRIBUTING.md): a parse_* function takes the whole text and returns
// nullopt for anything it does not accept; it never throws and never accepts a prefix.

#include <charconv>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>

namespace firedrill {

/// A non-negative decimal number: ASCII digits only (no sign, no space, no prefix), the whole
/// text, within T. "0042" reads as 42.
template <std::integral T>
std::optional<T> parse_decimal(std::string_view text) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// `text`, or its first `max` bytes and "..." when longer: for quoting input in an error.
inline std::string cut(std::string_view text, std::size_t max = 64) {
  return text.size() > max ? std::string(text.substr(0, max)) + "..." : std::string(text);
}

}  // namespace firedrill
