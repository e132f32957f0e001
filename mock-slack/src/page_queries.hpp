#pragma once
// Read-only queries the web pages need beyond Store's API: exact timeline counts, the incident of
// each chart occurrence, and the webhook notifications per receiver for the receiver channels.
// They run on a small pool of read-only connections of their own to the store's database (WAL:
// never blocks the writer), so the webhook's ingest path is untouched. Thread-safe.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mock_slack/store.hpp"
#include "mock_slack_ui/view.hpp"

namespace SQLite {
class Database;
}

namespace mock_slack {

class PageQueries {
 public:
  explicit PageQueries(std::string db_path);
  ~PageQueries();
  PageQueries(const PageQueries&) = delete;
  PageQueries& operator=(const PageQueries&) = delete;

  /// Counts of incidents and occurrences overlapping [since, until] under the filter's status,
  /// alertname, severity and matchers (matchers other than equality on alertname, severity or
  /// service are evaluated on the labels).
  ui::TimelineCounts counts(const AlertFilter& filter) const;

  /// The latest `limit` webhook notifications to `receiver`, newest first, each with the alerts
  /// of its incident that had started by then (at most 20), in their state at that time.
  std::vector<ui::NotificationView> receiver_notifications(const std::string& receiver,
                                                           std::size_t limit) const;

  /// Every receiver that got a notification: name, count and latest time.
  std::vector<ui::ChannelSummary> receiver_channels() const;

 private:
  class Lease;
  std::string path_;
  /// Idle connections; a call takes one (or opens one) and gives it back, so each keeps its page
  /// cache warm across requests.
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<SQLite::Database>> idle_;
};

}  // namespace mock_slack
