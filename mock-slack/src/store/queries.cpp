// The store's read queries: occurrences, chart bars, incidents and their detail, messages,
// channels and silences, on the read side (read_side.hpp), on either back end.
#include <algorithm>
#include <unordered_map>

#include "read_side.hpp"
#include "rows.hpp"
#include "sqlite.hpp"
#include "store_impl.hpp"

namespace mock_slack {

using nlohmann::json;
using reader::kIncidentColumnCount;
using reader::kIncidentColumns;
using reader::kIncidentTable;
using reader::kOccurrenceBarColumnCount;
using reader::kOccurrenceBarColumns;
using reader::kOccurrenceColumnCount;
using reader::kOccurrenceColumns;
using reader::kOccurrenceTable;
using reader::kSilenceColumns;
using reader::paged;
using reader::read_incident;
using reader::read_occurrence;
using reader::read_occurrence_bar;
using reader::read_silence;
using reader::Reader;
using sql::bind_all;
using sql::MatchersInScope;
using sql::occurrence_conditions;
using sql::Where;
using sql::where_true;
using sqlite::dump;
using sqlite::ns;
using sqlite::parse_stored;
using sqlite::tp;

namespace {

Where alert_conditions(const AlertFilter& f, db::Dialect d) {
  Where w;
  occurrence_conditions(f, w, true, d);
  if (!f.receiver.empty()) w.add("o.receiver = ?", f.receiver);
  return w;
}

}  // namespace

Page<Occurrence> Store::alerts(const AlertFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    MatchersInScope scope(f.matchers);
    return paged<Occurrence>(r, kOccurrenceTable, {kOccurrenceColumns, kOccurrenceColumnCount},
                             alert_conditions(f, r.dialect()), f, read_occurrence);
  });
}

Page<OccurrenceBar> Store::alert_bars(const AlertFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    MatchersInScope scope(f.matchers);
    return paged<OccurrenceBar>(r, kOccurrenceTable,
                                {kOccurrenceBarColumns, kOccurrenceBarColumnCount},
                                alert_conditions(f, r.dialect()), f, read_occurrence_bar);
  });
}

Page<Incident> Store::incidents(const AlertFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    MatchersInScope scope(f.matchers);
    Where w;
    sql::incident_conditions(f, w, r.dialect());
    return paged<Incident>(r, kIncidentTable, {kIncidentColumns, kIncidentColumnCount}, w, f,
                           read_incident);
  });
}

std::optional<IncidentDetail> Store::incident(std::int64_t id) const {
  return impl_->reads.read([&](Reader& r) -> std::optional<IncidentDetail> {
    IncidentDetail d;
    {
      const std::string text =
          std::string("SELECT ") + kIncidentColumns + " FROM incidents i WHERE i.id = ?";
      auto& s = r.statement(text.c_str());
      s.bind(1, id);
      if (!s.executeStep()) {
        s.reset();
        return std::nullopt;
      }
      d.incident = read_incident(s);
      s.reset();
    }
    {
      const std::string text =
          std::string("SELECT ") + kOccurrenceColumns +
          " FROM incident_occurrences io JOIN occurrences o ON o.id = "
          "io.occurrence_id WHERE io.incident_id = ? ORDER BY o.starts_at, o.id";
      auto& s = r.statement(text.c_str());
      s.bind(1, id);
      while (s.executeStep()) d.occurrences.push_back(read_occurrence(s));
      s.reset();
    }
    {
      const std::string text = std::string("SELECT ") + reader::kNotificationColumns +
                               " FROM notifications WHERE incident_id = ? ORDER BY received_at, id";
      auto& s = r.statement(text.c_str());
      s.bind(1, id);
      while (s.executeStep()) d.notifications.push_back(reader::read_notification(s));
      s.reset();
    }
    return d;
  });
}

std::optional<Occurrence> Store::occurrence(const std::string& fingerprint,
                                            TimePoint starts_at) const {
  return impl_->reads.read([&](Reader& r) -> std::optional<Occurrence> {
    const std::string text = std::string("SELECT ") + kOccurrenceColumns +
                             " FROM occurrences o WHERE o.fingerprint = ? AND o.starts_at = ?";
    auto& s = r.statement(text.c_str());
    s.bind(1, fingerprint);
    s.bind(2, ns(starts_at));
    std::optional<Occurrence> out;
    if (s.executeStep()) out = read_occurrence(s);
    s.reset();
    return out;
  });
}

Page<Message> Store::messages(const MessageFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    Where w;
    if (!f.channel.empty()) w.add("channel = ?", f.channel);
    if (f.cursor) w.add("id < ?", f.cursor->id);
    const std::string head =
        std::string(
            "SELECT id, received_at, channel, username, text, icon_emoji, icon_url, attachments, "
            "blocks, mrkdwn FROM messages") +
        where_true(r.dialect()) + w.sql + " ORDER BY id DESC LIMIT ";
    // The LIMIT is a parameter on PostgreSQL (no prepared statement per page size).
    const std::string sqlite_text = head + std::to_string(f.limit + 1);
    const std::string postgres_text = head + "?";
    auto& s = r.statement(db::Sql(sqlite_text, postgres_text));
    const int next = bind_all(s, w.values);
    if (r.dialect() == db::Dialect::postgres) s.bind(next, static_cast<std::int64_t>(f.limit + 1));
    Page<Message> page;
    while (s.executeStep()) {
      Message m;
      m.id = s.getInt64(0);
      m.received_at = tp(s.getInt64(1));
      m.channel = s.getString(2);
      m.username = s.getString(3);
      m.text = s.getString(4);
      m.icon_emoji = s.getString(5);
      m.icon_url = s.getString(6);
      m.attachments = parse_stored(s.getString(7), json::array());
      m.blocks = parse_stored(s.getString(8), json::array());
      m.mrkdwn = s.getInt64(9) != 0;
      page.items.push_back(std::move(m));
    }
    s.reset();
    if (page.items.size() > f.limit) {
      page.items.resize(f.limit);
      page.next = Cursor{ns(page.items.back().received_at), page.items.back().id};
    }
    return page;
  });
}

std::vector<Channel> Store::channels() const {
  return impl_->reads.read(
      [](Reader& r) { return reader::read_channels(r, "messages", "channel"); });
}

namespace {

/// Fills each silence's occurrence_ids in one pass over the silenced occurrences (the partial
/// index occurrences_silenced), not one per silence.
void fill_silenced_occurrences(Reader& r, std::vector<Silence>& silences) {
  if (silences.empty()) return;
  std::unordered_map<std::string, Silence*> by_id;
  json ids = json::array();
  for (auto& s : silences) {
    by_id.emplace(s.id, &s);
    ids.push_back(s.id);
  }
  auto& s = r.statement(db::Sql(
      "SELECT j.value, o.id FROM occurrences o, json_each(o.silenced_by) j "
      "WHERE o.silenced_by <> '[]' AND j.value IN (SELECT value FROM json_each(?)) ORDER BY o.id",
      "SELECT j.value, o.id FROM occurrences o, json_array_elements_text(o.silenced_by::json) "
      "AS j(value) WHERE o.silenced_by <> '[]' AND j.value IN (SELECT "
      "json_array_elements_text(?::json)) ORDER BY o.id"));
  s.bind(1, dump(ids));
  while (s.executeStep()) {
    auto it = by_id.find(s.getString(0));
    if (it != by_id.end()) it->second->occurrence_ids.push_back(s.getInt64(1));
  }
  s.reset();
}

}  // namespace

Page<Silence> Store::silences(const SilenceFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    Where w;
    if (!f.state.empty()) w.add("state = ?", f.state);
    if (f.cursor) {
      w.add("(starts_at, rowid) < (?, ?)");
      w.values.emplace_back(f.cursor->time_ns);
      w.values.emplace_back(f.cursor->id);
    }
    const std::string head = std::string("SELECT ") + kSilenceColumns + " FROM silences" +
                             where_true(r.dialect()) + w.sql +
                             " ORDER BY starts_at DESC, rowid DESC LIMIT ";
    const std::string sqlite_text = head + std::to_string(f.limit + 1);
    const std::string postgres_text = head + "?";
    auto& s = r.statement(db::Sql(sqlite_text, postgres_text));
    const int next = bind_all(s, w.values);
    if (r.dialect() == db::Dialect::postgres) s.bind(next, static_cast<std::int64_t>(f.limit + 1));
    Page<Silence> page;
    std::vector<std::int64_t> rowids;
    while (s.executeStep()) {
      rowids.push_back(s.getInt64(0));
      page.items.push_back(read_silence(s));
    }
    s.reset();
    if (page.items.size() > f.limit) {
      page.items.resize(f.limit);
      page.next = Cursor{ns(page.items.back().starts_at), rowids[f.limit - 1]};
    }
    fill_silenced_occurrences(r, page.items);
    return page;
  });
}

}  // namespace mock_slack
