// libFuzzer target: the API v2 alert and silence parsers (GET /api/v2/alerts and
// /api/v2/silences, as batch-sync reads them and POST /api/v1/sync receives them) must never
// crash, hang or leak, and parsed silences must serialise and parse back to the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "firedrill/alerting/payload.hpp"

namespace alerting = firedrill::alerting;
using nlohmann::json;

namespace {

void alerts(const json& list) {
  try {
    (void)alerting::parse_gettable_alerts(list);
  } catch (const alerting::PayloadError&) {
  }
}

void silences(const json& list) {
  try {
    json written = json::array();
    for (const auto& s : alerting::parse_gettable_silences(list)) {
      written.push_back(alerting::to_json(s));
    }
    json again = json::array();
    for (const auto& s : alerting::parse_gettable_silences(written)) {
      again.push_back(alerting::to_json(s));
    }
    if (again != written) std::abort();  // round trip broken
  } catch (const alerting::PayloadError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return 0;
  if (j.is_object()) {
    // A sync body: {"alerts": [...], "silences": [...]}.
    if (j.contains("alerts")) alerts(j["alerts"]);
    if (j.contains("silences")) silences(j["silences"]);
  } else {
    // What Alertmanager's API returns: a bare array (or anything else, which must be refused).
    alerts(j);
    silences(j);
  }
  return 0;
}
