// The reads only the web pages need: exact timeline counts, a receiver's webhook notifications with
// the alerts they carried, the receivers as channels, and an incident's silences. On the store's
// read side like every other read.
#include <limits>

#include "read_side.hpp"
#include "rows.hpp"
#include "sqlite.hpp"
#include "store_impl.hpp"

namespace mock_slack {

using nlohmann::json;
using reader::Reader;
using sql::bind_all;
using sql::kOccurrenceEnd;
using sql::Value;
using sql::Where;
using sqlite::kForever;
using sqlite::ns;
using sqlite::parse_stored;
using sqlite::tp;

namespace {

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

AlertCounts Store::counts(const AlertFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    SQLite::Database& db = r.db();
    sql::MatchersInScope scope(f.matchers);
    const std::int64_t since = f.since ? ns(*f.since) : std::numeric_limits<std::int64_t>::min();
    const std::int64_t until = f.until ? ns(*f.until) : kForever;
    AlertCounts c;

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
  });
}

std::vector<DeliveredNotification> Store::receiver_notifications(const std::string& receiver,
                                                                 std::size_t limit,
                                                                 std::size_t max_alerts) const {
  return impl_->reads.read([&](Reader& r) {
    std::vector<DeliveredNotification> out;
    auto& s = r.statement(std::string("SELECT ") + reader::kNotificationColumns +
                          " FROM notifications WHERE receiver = ? "
                          "ORDER BY received_at DESC, id DESC LIMIT ?");
    s.bind(1, receiver);
    s.bind(2, static_cast<std::int64_t>(limit));
    while (s.executeStep()) {
      Notification n = reader::read_notification(s);
      out.push_back({std::move(n), {}});
    }
    s.tryReset();
    auto& alerts = r.statement(
        "SELECT o.id, o.fingerprint, o.starts_at, o.ends_at, o.labels, o.annotations, "
        "o.generator_url FROM incident_occurrences io JOIN occurrences o ON o.id = "
        "io.occurrence_id WHERE io.incident_id = ? AND o.starts_at <= ? ORDER BY o.starts_at, "
        "o.id LIMIT ?");
    for (auto& d : out) {
      if (!d.notification.incident_id) continue;
      const std::int64_t received = ns(d.notification.received_at);
      alerts.bind(1, *d.notification.incident_id);
      alerts.bind(2, received);
      alerts.bind(3, static_cast<std::int64_t>(max_alerts));
      while (alerts.executeStep()) {
        Occurrence o;
        o.id = alerts.getColumn(0).getInt64();
        o.fingerprint = alerts.getColumn(1).getString();
        o.starts_at = tp(alerts.getColumn(2).getInt64());
        // The state the alert was in when this notification arrived.
        const bool ended =
            !alerts.getColumn(3).isNull() && alerts.getColumn(3).getInt64() <= received;
        o.status = ended ? "resolved" : "firing";
        if (ended) o.ends_at = tp(alerts.getColumn(3).getInt64());
        o.labels = parse_stored(alerts.getColumn(4).getString(), json::object());
        o.annotations = parse_stored(alerts.getColumn(5).getString(), json::object());
        o.generator_url = alerts.getColumn(6).getString();
        d.alerts.push_back(std::move(o));
      }
      alerts.tryReset();
      alerts.clearBindings();
    }
    return out;
  });
}

std::vector<Silence> Store::silences_by_id(const std::vector<std::string>& ids) const {
  if (ids.empty()) return {};
  const std::string list = json(ids).dump();
  return impl_->reads.read([&](Reader& r) {
    std::vector<Silence> out;
    SQLite::Statement& s =
        r.statement(std::string("SELECT ") + reader::kSilenceColumns +
                    " FROM silences WHERE id IN (SELECT value FROM json_each(?)) ORDER BY "
                    "starts_at, id");
    s.bind(1, list);
    while (s.executeStep()) out.push_back(reader::read_silence(s));
    return out;
  });
}

std::vector<Channel> Store::receiver_channels() const {
  return impl_->reads.read(
      [](Reader& r) { return reader::read_channels(r, "notifications", "receiver"); });
}

}  // namespace mock_slack
