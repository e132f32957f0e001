#include "page_queries.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <limits>

#include "mock_slack/view_mapping.hpp"
#include "sql_filters.hpp"

namespace mock_slack {

namespace alerting = firedrill::alerting;
using nlohmann::json;

namespace {

constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kMaxAlertsPerMessage = 20;

using sql::bind_all;
using sql::kOccurrenceEnd;
using sql::Value;
using sql::Where;

std::pair<std::int64_t, std::int64_t> count_pair(SQLite::Database& db, const std::string& sql,
                                                 const std::vector<Value>& values) {
  SQLite::Statement s(db, sql);
  bind_all(s, values);
  if (!s.executeStep()) return {0, 0};
  return {s.getColumn(0).getInt64(), s.getColumn(1).getInt64()};
}

/// Counts rows overlapping [since, until] in two index range scans (started inside the range;
/// started before it and still open at its start), like Store's paged queries.
std::pair<std::int64_t, std::int64_t> count_overlapping(SQLite::Database& db, const char* select,
                                                        const char* from, const char* from_by_end,
                                                        const char* start, const char* end,
                                                        const Where& filters, std::int64_t since,
                                                        std::int64_t until) {
  Where inside = filters;
  inside.add(std::string(start) + " <= ?", until);
  inside.add(std::string(start) + " >= ?", since);
  auto a = count_pair(db, std::string(select) + " FROM " + from + " WHERE 1" + inside.sql,
                      inside.values);
  Where before = filters;
  before.add(std::string(end) + " >= ?", since);
  before.add(std::string(start) + " < ?", since);
  auto b = count_pair(db, std::string(select) + " FROM " + from_by_end + " WHERE 1" + before.sql,
                      before.values);
  return {a.first + b.first, a.second + b.second};
}

}  // namespace

/// A pooled connection for the duration of one call.
class PageQueries::Lease {
 public:
  explicit Lease(const PageQueries& q) : q_(q) {
    {
      std::lock_guard lock(q_.mutex_);
      if (!q_.idle_.empty()) {
        db_ = std::move(q_.idle_.back());
        q_.idle_.pop_back();
      }
    }
    if (!db_) {
      // Each connection is used by one thread at a time, as the store's readers are.
      db_ = std::make_unique<SQLite::Database>(q_.path_,
                                               SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, 5000);
      db_->exec("PRAGMA query_only = ON");
      db_->exec("PRAGMA temp_store = MEMORY");
      db_->exec("PRAGMA mmap_size = 268435456");
      db_->exec("PRAGMA cache_size = -16384");
      sql::register_functions(*db_);
    }
  }
  ~Lease() {
    std::lock_guard lock(q_.mutex_);
    if (q_.idle_.size() < kMaxIdle) q_.idle_.push_back(std::move(db_));
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  SQLite::Database& operator*() { return *db_; }

 private:
  static constexpr std::size_t kMaxIdle = 8;
  const PageQueries& q_;
  std::unique_ptr<SQLite::Database> db_;
};

PageQueries::PageQueries(std::string db_path) : path_(std::move(db_path)) {}
PageQueries::~PageQueries() = default;

ui::TimelineCounts PageQueries::counts(const AlertFilter& f) const {
  Lease lease(*this);
  SQLite::Database& db = *lease;
  sql::MatchersInScope scope(f.matchers);
  const std::int64_t since =
      f.since ? alerting::to_unix_ns(*f.since) : std::numeric_limits<std::int64_t>::min();
  const std::int64_t until = f.until ? alerting::to_unix_ns(*f.until) : kForever;
  ui::TimelineCounts c;

  Where occ;
  sql::occurrence_conditions(f, occ, true);
  c.occurrences = count_overlapping(db, "SELECT count(*), 0", "occurrences o",
                                    "occurrences o INDEXED BY occurrences_until", "o.starts_at",
                                    kOccurrenceEnd, occ, since, until)
                      .first;
  if (f.status != "resolved") {
    // Firing occurrences overlap every window that ends after they started.
    Where firing = occ;
    firing.add(std::string(kOccurrenceEnd) + " = " + sql::kNoEnd);
    firing.add("o.starts_at <= ?", until);
    c.occurrences_firing =
        count_pair(db,
                   "SELECT count(*), 0 FROM occurrences o INDEXED BY occurrences_until WHERE 1" +
                       firing.sql,
                   firing.values)
            .first;
  }

  Where inc;
  sql::incident_conditions(f, inc);
  std::tie(c.incidents, c.incidents_firing) =
      count_overlapping(db, "SELECT count(*), coalesce(sum(i.resolved_at IS NULL), 0)",
                        "incidents i", "incidents i INDEXED BY incidents_until", "i.started_at",
                        sql::kIncidentEnd, inc, since, until);
  return c;
}

std::vector<ui::NotificationView> PageQueries::receiver_notifications(const std::string& receiver,
                                                                      std::size_t limit) const {
  std::vector<ui::NotificationView> out;
  Lease lease(*this);
  SQLite::Database& db = *lease;
  SQLite::Statement s(db,
                      "SELECT id, received_at, receiver, status, group_key, group_labels, "
                      "common_labels, common_annotations, external_url, truncated_alerts, "
                      "incident_id FROM notifications WHERE receiver = ? "
                      "ORDER BY received_at DESC, id DESC LIMIT ?");
  s.bind(1, receiver);
  s.bind(2, static_cast<std::int64_t>(limit));
  SQLite::Statement alerts(
      db,
      "SELECT o.fingerprint, o.starts_at, o.ends_at, o.labels, o.annotations, o.generator_url "
      "FROM incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id "
      "WHERE io.incident_id = ? AND o.starts_at <= ? ORDER BY o.starts_at, o.id LIMIT " +
          std::to_string(kMaxAlertsPerMessage));
  auto labels = [](const SQLite::Column& c) {
    json j = json::parse(c.getString(), nullptr, false);
    ui::LabelMap m;
    if (!j.is_object()) return m;
    for (const auto& [k, v] : j.items()) m[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return m;
  };
  while (s.executeStep()) {
    ui::NotificationView n;
    const std::int64_t received_ns = s.getColumn(1).getInt64();
    n.received_at_ms = ui::unix_millis_from_ns(received_ns);
    n.receiver = s.getColumn(2).getString();
    n.status = s.getColumn(3).getString() == "resolved" ? ui::AlertStatus::resolved
                                                        : ui::AlertStatus::firing;
    n.group_key = s.getColumn(4).getString();
    n.group_labels = labels(s.getColumn(5));
    n.common_labels = labels(s.getColumn(6));
    n.common_annotations = labels(s.getColumn(7));
    n.external_url = s.getColumn(8).getString();
    n.truncated_alerts = s.getColumn(9).getInt64();
    if (!s.getColumn(10).isNull()) {
      alerts.bind(1, s.getColumn(10).getInt64());
      alerts.bind(2, received_ns);
      while (alerts.executeStep()) {
        ui::OccurrenceView a;
        a.fingerprint = alerts.getColumn(0).getString();
        a.starts_at_ms = ui::unix_millis_from_ns(alerts.getColumn(1).getInt64());
        // The state the alert was in when this notification arrived.
        const bool ended =
            !alerts.getColumn(2).isNull() && alerts.getColumn(2).getInt64() <= received_ns;
        a.status = ended ? ui::AlertStatus::resolved : ui::AlertStatus::firing;
        if (ended) a.ends_at_ms = ui::unix_millis_from_ns(alerts.getColumn(2).getInt64());
        a.labels = labels(alerts.getColumn(3));
        a.annotations = labels(alerts.getColumn(4));
        a.generator_url = alerts.getColumn(5).getString();
        if (auto it = a.labels.find("alertname"); it != a.labels.end()) a.alertname = it->second;
        if (auto it = a.labels.find("severity"); it != a.labels.end()) a.severity = it->second;
        n.alerts.push_back(std::move(a));
      }
      alerts.reset();
    }
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<ui::ChannelSummary> PageQueries::receiver_channels() const {
  std::vector<ui::ChannelSummary> out;
  Lease lease(*this);
  SQLite::Database& db = *lease;
  SQLite::Statement s(db,
                      "SELECT receiver, count(*), max(received_at) FROM notifications "
                      "GROUP BY receiver ORDER BY receiver");
  while (s.executeStep()) {
    out.push_back({s.getColumn(0).getString(), s.getColumn(1).getInt64(),
                   ui::unix_millis_from_ns(s.getColumn(2).getInt64())});
  }
  return out;
}

}  // namespace mock_slack
