// libFuzzer target: the matcher parser and RE2 evaluation must never crash, hang or leak on any
// input, and a parsed matcher must print and parse back to the same matcher.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "firedrill/alerting/matcher.hpp"

namespace alerting = firedrill::alerting;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& m : alerting::parse_matchers(text)) {
      const auto again = alerting::parse_matcher(m.to_string());
      if (again.name() != m.name() || again.type() != m.type() || again.value() != m.value()) {
        std::abort();  // round trip broken
      }
      // The input itself as a label value: arbitrary bytes, up to the fuzzer's length.
      if (m.matches_value(text) != again.matches_value(text)) std::abort();
    }
  } catch (const alerting::MatcherError&) {
  }
  return 0;
}
