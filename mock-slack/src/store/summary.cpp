// An incident's summary (alert and firing counts, highest severity, alert names, services; schema
// migration 2): kept incrementally from what each write changed, so that the cost of a
// notification does not grow with the size of its incident, with the full recompute kept as the
// repair (`mock-slack repair-summaries`) and for retention, which removes occurrences.
#include <map>
#include <tuple>

#include "sqlite.hpp"
#include "writer.hpp"

namespace mock_slack::writer {

using db::Use;
using nlohmann::json;
using sqlite::dump;
using sqlite::parse_stored;

namespace {

/// Recomputes an incident's summary columns from its occurrences; the statements using it end in
/// the WHERE clause choosing the incidents. Lists are sorted, as the incremental summary keeps
/// them.
constexpr db::Sql kSummarize(
    "UPDATE incidents SET (alert_count, firing_count, severity, alertnames, services) = ("
    "SELECT count(*), coalesce(sum(o.status = 'firing'), 0), "
    "coalesce((SELECT o2.severity FROM incident_occurrences io2 JOIN occurrences o2 ON o2.id = "
    "io2.occurrence_id WHERE io2.incident_id = incidents.id ORDER BY CASE o2.severity "
    "WHEN 'critical' THEN 6 WHEN 'page' THEN 5 WHEN 'error' THEN 4 WHEN 'warning' THEN 3 "
    "WHEN 'ticket' THEN 2 WHEN 'info' THEN 1 WHEN '' THEN 0 ELSE 1 END DESC, o2.severity "
    "LIMIT 1), ''), "
    "(SELECT json_group_array(n) FROM (SELECT DISTINCT o3.alertname AS n FROM "
    "incident_occurrences io3 JOIN occurrences o3 ON o3.id = io3.occurrence_id WHERE "
    "io3.incident_id = incidents.id ORDER BY 1)), "
    "(SELECT json_group_array(n) FROM (SELECT DISTINCT o4.service AS n FROM "
    "incident_occurrences io4 JOIN occurrences o4 ON o4.id = io4.occurrence_id WHERE "
    "io4.incident_id = incidents.id ORDER BY 1)) "
    "FROM incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id "
    "WHERE io.incident_id = incidents.id) ",
    // PostgreSQL: booleans summed as integers, lists sorted by bytes as SQLite sorts them.
    "UPDATE incidents SET (alert_count, firing_count, severity, alertnames, services) = ("
    "SELECT count(*), coalesce(sum((o.status = 'firing')::int), 0), "
    "coalesce((SELECT o2.severity FROM incident_occurrences io2 JOIN occurrences o2 ON o2.id = "
    "io2.occurrence_id WHERE io2.incident_id = incidents.id ORDER BY CASE o2.severity "
    "WHEN 'critical' THEN 6 WHEN 'page' THEN 5 WHEN 'error' THEN 4 WHEN 'warning' THEN 3 "
    "WHEN 'ticket' THEN 2 WHEN 'info' THEN 1 WHEN '' THEN 0 ELSE 1 END DESC, "
    "o2.severity COLLATE \"C\" LIMIT 1), ''), "
    "(SELECT coalesce(json_agg(n ORDER BY n COLLATE \"C\"), '[]'::json)::text FROM (SELECT "
    "DISTINCT o3.alertname AS n FROM incident_occurrences io3 JOIN occurrences o3 ON o3.id = "
    "io3.occurrence_id WHERE io3.incident_id = incidents.id) a), "
    "(SELECT coalesce(json_agg(n ORDER BY n COLLATE \"C\"), '[]'::json)::text FROM (SELECT "
    "DISTINCT o4.service AS n FROM incident_occurrences io4 JOIN occurrences o4 ON o4.id = "
    "io4.occurrence_id WHERE io4.incident_id = incidents.id) s) "
    "FROM incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id "
    "WHERE io.incident_id = incidents.id) ");

/// kSummarize in `dialect`, followed by `where`.
std::string summarize(db::Dialect dialect, std::string_view where) {
  return std::string(kSummarize.in(dialect)) + std::string(where);
}

int rank(const std::string& severity) {
  static const std::map<std::string, int, std::less<>> kRanks{
      {"critical", 6}, {"page", 5}, {"error", 4}, {"warning", 3},
      {"ticket", 2},   {"info", 1}, {"", 0}};
  auto it = kRanks.find(severity);
  return it == kRanks.end() ? 1 : it->second;
}

std::set<std::string> stored_set(const std::string& text) {
  std::set<std::string> out;
  const json list = parse_stored(text, json::array());
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    if (v.is_string()) out.insert(v.get<std::string>());
  }
  return out;
}

/// A summary as compared by the repair: lists as sets, whatever order they were stored in.
using Summary = std::tuple<std::int64_t, std::int64_t, std::string, std::set<std::string>,
                           std::set<std::string>>;

std::map<std::int64_t, Summary> all_summaries(db::Connection& db) {
  std::map<std::int64_t, Summary> out;
  auto s = db.prepare(
      "SELECT id, alert_count, firing_count, severity, alertnames, services "
      "FROM incidents");
  while (s->executeStep()) {
    out.emplace(s->getInt64(0), Summary{s->getInt64(1), s->getInt64(2), s->getString(3),
                                        stored_set(s->getString(4)), stored_set(s->getString(5))});
  }
  return out;
}

}  // namespace

bool outranks(const std::string& a, const std::string& b) {
  const int ra = rank(a), rb = rank(b);
  return ra > rb || (ra == rb && a < b);
}

void SummaryDelta::add(bool firing_now, const std::string& sev, const std::string& alertname,
                       const std::string& service) {
  ++alerts;
  if (firing_now) ++firing;
  if (!severity || outranks(sev, *severity)) severity = sev;
  alertnames.insert(alertname);
  services.insert(service);
}

void Writer::prepare_summary() {
  const std::string summarize_one = summarize(db_->dialect(), "WHERE id = ?1");
  summarize_incident_ = db_->prepare(summarize_one.c_str());
  read_summary_ = db_->prepare(
      "SELECT alert_count, firing_count, severity, alertnames, services FROM incidents "
      "WHERE id = ?");
  write_summary_ = db_->prepare(
      "UPDATE incidents SET alert_count = ?2, firing_count = ?3, severity = ?4, alertnames = ?5, "
      "services = ?6 WHERE id = ?1");
  count_resolved_ = db_->prepare(db::Sql(
      "UPDATE incidents SET firing_count = max(firing_count - 1, 0) WHERE id IN (SELECT "
      "incident_id FROM incident_occurrences WHERE occurrence_id = ?1)",
      "UPDATE incidents SET firing_count = GREATEST(firing_count - 1, 0) WHERE id IN (SELECT "
      "incident_id FROM incident_occurrences WHERE occurrence_id = ?1)"));
}

void Writer::add_to_summary(std::int64_t incident, const SummaryDelta& d) {
  if (d.alerts == 0) return;
  std::int64_t alerts = 0, firing = 0;
  std::string severity;
  std::set<std::string> alertnames, services;
  {
    Use r(*read_summary_);
    r->bind(1, incident);
    if (!r->executeStep()) return;
    alerts = r->getInt64(0);
    firing = r->getInt64(1);
    severity = r->getString(2);
    alertnames = stored_set(r->getString(3));
    services = stored_set(r->getString(4));
  }
  if (d.severity && (alerts == 0 || outranks(*d.severity, severity))) severity = *d.severity;
  alertnames.insert(d.alertnames.begin(), d.alertnames.end());
  services.insert(d.services.begin(), d.services.end());
  Use w(*write_summary_);
  w->bind(1, incident);
  w->bind(2, alerts + d.alerts);
  w->bind(3, firing + d.firing);
  w->bind(4, severity);
  w->bind(5, dump(json(alertnames)));
  w->bind(6, dump(json(services)));
  w->exec();
}

void Writer::count_resolved(std::int64_t occurrence) {
  Use u(*count_resolved_);
  u->bind(1, occurrence);
  u->exec();
}

Store::SummaryRepair Writer::repair_summaries() {
  const auto before = all_summaries(*db_);
  const std::string all = summarize(db_->dialect(), "WHERE true");
  db_->exec(all.c_str());
  const auto after = all_summaries(*db_);
  Store::SummaryRepair r;
  r.incidents = static_cast<std::int64_t>(after.size());
  for (const auto& [id, summary] : after) {
    auto it = before.find(id);
    if (it == before.end() || it->second != summary) ++r.corrected;
  }
  return r;
}

}  // namespace mock_slack::writer
