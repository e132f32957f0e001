// The SLI kept for a few seconds (sli_cache.hpp).
#include "mock_slack/sli_cache.hpp"

#include <algorithm>

namespace mock_slack {

SliCache::SliCache(std::chrono::milliseconds ttl, std::size_t max_entries, Clock clock)
    : ttl_(ttl), max_entries_(std::max<std::size_t>(1, max_entries)), clock_(std::move(clock)) {}

std::string SliCache::key_of(const ui::IncidentView& incident) {
  const ui::IncidentTimes times = ui::incident_times(incident, nullptr);
  std::string key = std::to_string(incident.id) + "|" + std::to_string(incident.started_at_ms) +
                    "|" + (times.resolved_ms ? std::to_string(*times.resolved_ms) : "firing");
  for (const std::string& s : incident.services) key += "|" + s;
  return key;
}

std::shared_ptr<const ui::IncidentSli> SliCache::get(
    const ui::IncidentView& incident, const std::function<ui::IncidentSli()>& fetch) {
  if (ttl_.count() <= 0) return std::make_shared<const ui::IncidentSli>(fetch());
  const std::string key = key_of(incident);
  {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it != entries_.end()) {
      const auto age = clock_() - it->second.fetched_at;
      if (age >= std::chrono::nanoseconds::zero() && age < ttl_) return it->second.sli;
      entries_.erase(it);
    }
  }
  // Fetched without the lock: a Prometheus query may take its whole timeout.
  auto sli = std::make_shared<const ui::IncidentSli>(fetch());
  const TimePoint now = clock_();
  std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = now - it->second.fetched_at >= ttl_ ? entries_.erase(it) : std::next(it);
  }
  while (entries_.size() >= max_entries_ && entries_.find(key) == entries_.end()) {
    entries_.erase(std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.fetched_at < b.second.fetched_at; }));
  }
  entries_[key] = {now, sli};
  return sli;
}

}  // namespace mock_slack
