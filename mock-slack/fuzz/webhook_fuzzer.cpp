// libFuzzer target: the webhook payload parser, the API v2 alert and silence parsers and the
// matcher parser must never crash, hang or leak on any input, and whatever parses must serialise
// and parse back to the same notification (or silences).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "firedrill/alerting/matcher.hpp"
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
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("alerts")) {
    try {
      (void)alerting::parse_gettable_alerts(j["alerts"]);
    } catch (const alerting::PayloadError&) {
    }
  }
  if (!j.is_discarded() && j.is_object() && j.contains("silences")) {
    try {
      nlohmann::json written = nlohmann::json::array();
      for (const auto& s : alerting::parse_gettable_silences(j["silences"])) {
        written.push_back(alerting::to_json(s));
      }
      nlohmann::json again = nlohmann::json::array();
      for (const auto& s : alerting::parse_gettable_silences(written)) {
        again.push_back(alerting::to_json(s));
      }
      if (again != written) std::abort();  // round trip broken
    } catch (const alerting::PayloadError&) {
    }
  }
  if (size < 256) {
    try {
      auto matchers = alerting::parse_matchers(text);
      for (const auto& m : matchers) (void)m.matches({{"a", "b"}});
    } catch (const alerting::MatcherError&) {
    }
  }
  return 0;
}
