// libFuzzer target: the webhook payload parser must never crash, hang or leak on any input, and
// whatever parses must serialise and parse back to the same notification.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "firedrill/alerting/payload.hpp"

namespace alerting = firedrill::alerting;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto n = alerting::parse_webhook(text);
    auto again = alerting::parse_webhook(alerting::to_json(n).dump());
    if (alerting::to_json(again) != alerting::to_json(n)) std::abort();  // round trip broken
  } catch (const alerting::PayloadError&) {
  }
  return 0;
}
