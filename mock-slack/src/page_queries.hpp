#pragma once
// Read-only queries the web pages need beyond Store's API: exact timeline counts, the incident of
// each chart occurrence, and the webhook notifications per receiver for the receiver channels.
// Each call opens its own read-only connection to the store's database (WAL: never blocks the
// writer), so the webhook's ingest path is untouched. Thread-safe.

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mock_slack/store.hpp"
#include "mock_slack_ui/view.hpp"

namespace mock_slack {

class PageQueries {
 public:
  explicit PageQueries(std::string db_path) : path_(std::move(db_path)) {}

  /// Counts of incidents and occurrences overlapping [since, until] under the filter's status,
  /// alertname, severity and matchers (matchers other than equality on alertname, severity or
  /// service are evaluated on the labels).
  ui::TimelineCounts counts(const AlertFilter& filter) const;

  /// occurrence id -> incident id for the given occurrences.
  std::unordered_map<std::int64_t, std::int64_t> incidents_of(
      const std::vector<std::int64_t>& occurrence_ids) const;

  /// The latest `limit` webhook notifications to `receiver`, newest first, each with the alerts
  /// of its incident that had started by then (at most 20), in their state at that time.
  std::vector<ui::NotificationView> receiver_notifications(const std::string& receiver,
                                                           std::size_t limit) const;

  /// Every receiver that got a notification: name, count and latest time.
  std::vector<ui::ChannelSummary> receiver_channels() const;

 private:
  std::string path_;
};

}  // namespace mock_slack
