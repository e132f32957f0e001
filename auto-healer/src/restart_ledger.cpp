#include "auto_healer/restart_ledger.hpp"

#include <nlohmann/json.hpp>

namespace auto_healer {

Observation observe(const RestartLedger& previous, const std::vector<PodRestarts>& pods,
                    TimePoint now, Seconds window) {
  Observation out;
  const TimePoint horizon = now - window;
  for (const auto& increase : previous.increases) {
    if (increase.at > horizon) out.ledger.increases.push_back(increase);
  }
  for (const auto& pod : pods) {
    std::int64_t added = 0;
    if (auto seen = previous.last_seen.find(pod.uid); seen != previous.last_seen.end()) {
      added = pod.restarts >= seen->second ? pod.restarts - seen->second : pod.restarts;
    } else if (pod.created > horizon) {
      added = pod.restarts;
    }
    out.ledger.last_seen[pod.uid] = pod.restarts;
    out.increase += added;
  }
  if (out.increase > 0) out.ledger.increases.push_back(RestartIncrease{now, out.increase});
  for (const auto& increase : out.ledger.increases) out.in_window += increase.count;
  return out;
}

std::string serialize_ledger(const RestartLedger& ledger) {
  nlohmann::json pods = nlohmann::json::object();
  for (const auto& [uid, count] : ledger.last_seen) pods[uid] = count;
  nlohmann::json increases = nlohmann::json::array();
  for (const auto& i : ledger.increases) {
    increases.push_back(nlohmann::json::array({alerting::format_time(i.at), i.count}));
  }
  return nlohmann::json{{"pods", pods}, {"increases", increases}}.dump();
}

std::optional<RestartLedger> parse_ledger(std::string_view text, std::string& error) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  RestartLedger ledger;
  const auto pods = doc.find("pods");
  const auto increases = doc.find("increases");
  if (pods == doc.end() || !pods->is_object() || increases == doc.end() || !increases->is_array()) {
    error = "expected \"pods\" (an object) and \"increases\" (an array)";
    return std::nullopt;
  }
  for (const auto& [uid, count] : pods->items()) {
    if (!count.is_number_integer() || count.get<std::int64_t>() < 0) {
      error = "pods." + uid + ": expected a non-negative integer";
      return std::nullopt;
    }
    ledger.last_seen[uid] = count.get<std::int64_t>();
  }
  for (const auto& entry : *increases) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() ||
        !entry[1].is_number_integer()) {
      error = "increases: expected [\"<RFC 3339 time>\", <count>] pairs";
      return std::nullopt;
    }
    auto at = alerting::parse_time(entry[0].get<std::string>());
    if (!at || *at == alerting::kZeroTime) {
      error = "increases: invalid time " + entry[0].dump();
      return std::nullopt;
    }
    ledger.increases.push_back(RestartIncrease{*at, entry[1].get<std::int64_t>()});
  }
  return ledger;
}

}  // namespace auto_healer
