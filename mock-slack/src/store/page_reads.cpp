// The reads only the web pages need: exact timeline counts, a receiver's webhook notifications with
// the alerts they carried, the receivers as channels, and an incident's silences. On the store's
// read side like every other read, on either back end.
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

std::pair<std::int64_t, std::int64_t> count_pair(Reader& r, const db::Sql& sql,
                                                 const std::vector<Value>& values) {
  auto& s = r.statement(sql);
  bind_all(s, values);
  std::pair<std::int64_t, std::int64_t> out{0, 0};
  if (s.executeStep()) out = {s.getInt64(0), s.getInt64(1)};
  s.reset();
  return out;
}

/// What count_overlapping counts on: the select list of the two counts (in each dialect), and the
/// time-paged table (for PostgreSQL's in-process matchers, which count the rows one by one).
struct Counted {
  db::Sql select;              ///< "SELECT count(*), <second count>"
  const char* per_row;         ///< the second count's condition for one row, "0" for none
  const reader::TimeTable& t;  ///< from, from_by_end, start, id, end_or_max
};

/// The rows of w that meet the matchers left to the process (PostgreSQL), counted one by one:
/// the first count, and how many of them have `per_row` = 1.
std::pair<std::int64_t, std::int64_t> count_in_process(Reader& r, const Counted& c,
                                                       std::string_view from, const Where& w) {
  std::pair<std::int64_t, std::int64_t> out{0, 0};
  reader::scan(r, c.t, c.per_row, 1, from, w, std::nullopt, reader::kMaxScanBatch,
               [&](db::Statement& s) {
                 ++out.first;
                 out.second += s.getInt64(0) != 0 ? 1 : 0;
                 return true;
               });
  return out;
}

std::pair<std::int64_t, std::int64_t> count_rows(Reader& r, const Counted& c, std::string_view from,
                                                 const Where& w) {
  if (!w.in_process.empty()) return count_in_process(r, c, from, w);
  const std::string text = std::string(c.select.in(r.dialect())) + " FROM " + std::string(from) +
                           sql::where_true(r.dialect()) + w.sql;
  return count_pair(r, db::Sql(text, text), w.values);
}

/// Counts rows overlapping [since, until] in two index range scans (started inside the range;
/// started before it and still open at its start), like Store's paged queries.
std::pair<std::int64_t, std::int64_t> count_overlapping(Reader& r, const Counted& c,
                                                        const Where& filters, std::int64_t since,
                                                        std::int64_t until) {
  Where inside = filters;
  inside.add(std::string(c.t.start) + " <= ?", until);
  inside.add(std::string(c.t.start) + " >= ?", since);
  auto a = count_rows(r, c, c.t.from, inside);
  Where before = filters;
  before.add(std::string(c.t.end_or_max) + " >= ?", since);
  before.add(std::string(c.t.start) + " < ?", since);
  auto b = count_rows(r, c, c.t.from_by_end.in(r.dialect()), before);
  return {a.first + b.first, a.second + b.second};
}

}  // namespace

AlertCounts Store::counts(const AlertFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    const db::Dialect d = r.dialect();
    sql::MatchersInScope scope(f.matchers);
    const std::int64_t since = f.since ? ns(*f.since) : std::numeric_limits<std::int64_t>::min();
    const std::int64_t until = f.until ? ns(*f.until) : kForever;
    AlertCounts c;

    const Counted occurrences{"SELECT count(*), 0", "0", reader::kOccurrenceTable};
    Where occ;
    sql::occurrence_conditions(f, occ, true, d);
    c.occurrences = count_overlapping(r, occurrences, occ, since, until).first;
    if (f.status != "resolved") {
      // Firing occurrences overlap every window that ends after they started.
      Where firing = occ;
      firing.add(std::string(kOccurrenceEnd) + " = " + sql::kNoEnd);
      firing.add("o.starts_at <= ?", until);
      c.occurrences_firing =
          count_rows(r, occurrences, reader::kOccurrenceTable.from_by_end.in(d), firing).first;
    }

    const Counted incidents{
        db::Sql("SELECT count(*), coalesce(sum(i.resolved_at IS NULL), 0)",
                "SELECT count(*), count(*) FILTER (WHERE i.resolved_at IS NULL)"),
        "i.resolved_at IS NULL", reader::kIncidentTable};
    Where inc;
    sql::incident_conditions(f, inc, d);
    std::tie(c.incidents, c.incidents_firing) = count_overlapping(r, incidents, inc, since, until);
    return c;
  });
}

std::vector<DeliveredNotification> Store::receiver_notifications(const std::string& receiver,
                                                                 std::size_t limit,
                                                                 std::size_t max_alerts) const {
  return impl_->reads.read([&](Reader& r) {
    std::vector<DeliveredNotification> out;
    const std::string text = std::string("SELECT ") + reader::kNotificationColumns +
                             " FROM notifications WHERE receiver = ? "
                             "ORDER BY received_at DESC, id DESC LIMIT ?";
    auto& s = r.statement(text.c_str());
    s.bind(1, receiver);
    s.bind(2, static_cast<std::int64_t>(limit));
    while (s.executeStep()) {
      Notification n = reader::read_notification(s);
      out.push_back({std::move(n), {}});
    }
    s.reset();
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
        o.id = alerts.getInt64(0);
        o.fingerprint = alerts.getString(1);
        o.starts_at = tp(alerts.getInt64(2));
        // The state the alert was in when this notification arrived.
        const bool ended = !alerts.isNull(3) && alerts.getInt64(3) <= received;
        o.status = ended ? "resolved" : "firing";
        if (ended) o.ends_at = tp(alerts.getInt64(3));
        o.labels = parse_stored(alerts.getString(4), json::object());
        o.annotations = parse_stored(alerts.getString(5), json::object());
        o.generator_url = alerts.getString(6);
        d.alerts.push_back(std::move(o));
      }
      alerts.reset();
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
    const std::string head = std::string("SELECT ") + reader::kSilenceColumns + " FROM silences";
    const std::string sqlite_text =
        head + " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY starts_at, id";
    // Ties in the order of the ids' bytes, as SQLite's, whatever the database's collation.
    const std::string postgres_text =
        head +
        " WHERE id IN (SELECT json_array_elements_text(?::json)) ORDER BY starts_at, id "
        "COLLATE \"C\"";
    auto& s = r.statement(db::Sql(sqlite_text, postgres_text));
    s.bind(1, list);
    while (s.executeStep()) out.push_back(reader::read_silence(s));
    s.reset();
    return out;
  });
}

std::vector<Channel> Store::receiver_channels() const {
  return impl_->reads.read(
      [](Reader& r) { return reader::read_channels(r, "notifications", "receiver"); });
}

}  // namespace mock_slack
