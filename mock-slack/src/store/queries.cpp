// The store's read queries: occurrences, chart bars, incidents and their detail, messages,
// channels and silences, on the read side (read_side.hpp).
#include <algorithm>
#include <unordered_map>

#include "read_side.hpp"
#include "rows.hpp"
#include "sqlite.hpp"
#include "store_impl.hpp"

namespace mock_slack {

using nlohmann::json;
using reader::kIncidentColumns;
using reader::kIncidentTable;
using reader::kOccurrenceBarColumns;
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
using sqlite::dump;
using sqlite::ns;
using sqlite::parse_stored;
using sqlite::tp;

namespace {

Where alert_conditions(const AlertFilter& f) {
  Where w;
  occurrence_conditions(f, w, true);
  if (!f.receiver.empty()) w.add("o.receiver = ?", f.receiver);
  return w;
}

}  // namespace

Page<Occurrence> Store::alerts(const AlertFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    MatchersInScope scope(f.matchers);
    return paged<Occurrence>(r, kOccurrenceTable, kOccurrenceColumns, alert_conditions(f), f,
                             read_occurrence);
  });
}

Page<OccurrenceBar> Store::alert_bars(const AlertFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    MatchersInScope scope(f.matchers);
    return paged<OccurrenceBar>(r, kOccurrenceTable, kOccurrenceBarColumns, alert_conditions(f), f,
                                read_occurrence_bar);
  });
}

Page<Incident> Store::incidents(const AlertFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    MatchersInScope scope(f.matchers);
    Where w;
    sql::incident_conditions(f, w);
    return paged<Incident>(r, kIncidentTable, kIncidentColumns, w, f, read_incident);
  });
}

std::optional<IncidentDetail> Store::incident(std::int64_t id) const {
  return impl_->reads.read([&](Reader& r) -> std::optional<IncidentDetail> {
    IncidentDetail d;
    {
      auto& s = r.statement(std::string("SELECT ") + kIncidentColumns +
                            " FROM incidents i WHERE i.id = ?");
      s.bind(1, id);
      if (!s.executeStep()) {
        s.tryReset();
        return std::nullopt;
      }
      d.incident = read_incident(s);
      s.tryReset();
    }
    {
      auto& s = r.statement(std::string("SELECT ") + kOccurrenceColumns +
                            " FROM incident_occurrences io JOIN occurrences o ON o.id = "
                            "io.occurrence_id WHERE io.incident_id = ? ORDER BY o.starts_at, o.id");
      s.bind(1, id);
      while (s.executeStep()) d.occurrences.push_back(read_occurrence(s));
      s.tryReset();
    }
    {
      auto& s = r.statement(std::string("SELECT ") + reader::kNotificationColumns +
                            " FROM notifications WHERE incident_id = ? ORDER BY received_at, id");
      s.bind(1, id);
      while (s.executeStep()) d.notifications.push_back(reader::read_notification(s));
      s.tryReset();
    }
    return d;
  });
}

std::optional<Occurrence> Store::occurrence(const std::string& fingerprint,
                                            TimePoint starts_at) const {
  return impl_->reads.read([&](Reader& r) -> std::optional<Occurrence> {
    auto& s = r.statement(std::string("SELECT ") + kOccurrenceColumns +
                          " FROM occurrences o WHERE o.fingerprint = ? AND o.starts_at = ?");
    s.bind(1, fingerprint);
    s.bind(2, ns(starts_at));
    std::optional<Occurrence> out;
    if (s.executeStep()) out = read_occurrence(s);
    s.tryReset();
    return out;
  });
}

Page<Message> Store::messages(const MessageFilter& f) const {
  return impl_->reads.read([&](Reader& r) {
    Where w;
    if (!f.channel.empty()) w.add("channel = ?", f.channel);
    if (f.cursor) w.add("id < ?", f.cursor->id);
    auto& s = r.statement(
        "SELECT id, received_at, channel, username, text, icon_emoji, icon_url, attachments, "
        "blocks, mrkdwn FROM messages WHERE 1" +
        w.sql + " ORDER BY id DESC LIMIT " + std::to_string(f.limit + 1));
    bind_all(s, w.values);
    Page<Message> page;
    while (s.executeStep()) {
      Message m;
      m.id = s.getColumn(0).getInt64();
      m.received_at = tp(s.getColumn(1).getInt64());
      m.channel = s.getColumn(2).getString();
      m.username = s.getColumn(3).getString();
      m.text = s.getColumn(4).getString();
      m.icon_emoji = s.getColumn(5).getString();
      m.icon_url = s.getColumn(6).getString();
      m.attachments = parse_stored(s.getColumn(7).getString(), json::array());
      m.blocks = parse_stored(s.getColumn(8).getString(), json::array());
      m.mrkdwn = s.getColumn(9).getInt() != 0;
      page.items.push_back(std::move(m));
    }
    s.tryReset();
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
  auto& s = r.statement(
      "SELECT j.value, o.id FROM occurrences o, json_each(o.silenced_by) j "
      "WHERE o.silenced_by <> '[]' AND j.value IN (SELECT value FROM json_each(?)) ORDER BY o.id");
  s.bind(1, dump(ids));
  while (s.executeStep()) {
    auto it = by_id.find(s.getColumn(0).getString());
    if (it != by_id.end()) it->second->occurrence_ids.push_back(s.getColumn(1).getInt64());
  }
  s.tryReset();
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
    auto& s =
        r.statement(std::string("SELECT ") + kSilenceColumns + " FROM silences WHERE 1" + w.sql +
                    " ORDER BY starts_at DESC, rowid DESC LIMIT " + std::to_string(f.limit + 1));
    bind_all(s, w.values);
    Page<Silence> page;
    std::vector<std::int64_t> rowids;
    while (s.executeStep()) {
      rowids.push_back(s.getColumn(0).getInt64());
      page.items.push_back(read_silence(s));
    }
    s.tryReset();
    if (page.items.size() > f.limit) {
      page.items.resize(f.limit);
      page.next = Cursor{ns(page.items.back().starts_at), rowids[f.limit - 1]};
    }
    fill_silenced_occurrences(r, page.items);
    return page;
  });
}

}  // namespace mock_slack
