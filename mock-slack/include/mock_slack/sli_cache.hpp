#pragma once
// The incident page's SLI from Prometheus, kept for a few seconds (sli_cache.cpp;
// tests/sli_cache_test.cpp, and tests/pages_sli_test.cpp against a real Prometheus). A view of
// the incident page asks Prometheus for its rules and two ranges per SLO, and its <img> asks the
// same again a moment later: within the time to live both are answered by one fetch, and so is a
// reader pressing reload, or many. An answer that says Prometheus failed is kept too, so that a
// slow or absent Prometheus is not asked again by every view. Thread-safe.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mock_slack/store.hpp"
#include "mock_slack_ui/sli.hpp"
#include "mock_slack_ui/view.hpp"

namespace mock_slack {

class SliCache {
 public:
  using Clock = std::function<TimePoint()>;
  /// ttl 0: nothing is kept (every call fetches). At most `max_entries` incidents are kept; the
  /// oldest fetch goes first.
  SliCache(std::chrono::milliseconds ttl, std::size_t max_entries, Clock clock);

  /// What a fetch returns for `incident` (key_of's key), fetched less than ttl ago, or fetch()
  /// now. Two callers that miss at once both fetch; the later answer is kept.
  std::shared_ptr<const ui::IncidentSli> get(const ui::IncidentView& incident,
                                             const std::function<ui::IncidentSli()>& fetch);

  /// What decides the SLI of an incident: its id, start, end (or "firing") and services. A
  /// resolution, by Alertmanager or by hand, or a reopening, changes the key.
  static std::string key_of(const ui::IncidentView& incident);

 private:
  struct Entry {
    TimePoint fetched_at;
    std::shared_ptr<const ui::IncidentSli> sli;
  };
  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  const Clock clock_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace mock_slack
