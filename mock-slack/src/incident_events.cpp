// The incident_events table (migration 5): append and read. See incident_events.hpp.
#include "mock_slack/incident_events.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "firedrill/text.hpp"
#include "store/db/db.hpp"

namespace mock_slack {

namespace {

using nlohmann::json;
namespace alerting = firedrill::alerting;

std::int64_t ns(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint tp(std::int64_t v) { return TimePoint(std::chrono::nanoseconds(v)); }

std::string required_string(const json& body, const char* field, std::size_t max_bytes) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw std::invalid_argument(std::string(field) + ": expected a non-empty string");
  }
  std::string value = it->get<std::string>();
  if (value.size() > max_bytes) {
    throw std::invalid_argument(std::string(field) + ": longer than " + std::to_string(max_bytes) +
                                " bytes");
  }
  return value;
}

TimePoint time_field(const json& body, const char* field) {
  const std::string text = required_string(body, field, 64);
  auto t = alerting::parse_time(text);
  if (!t || *t == alerting::kZeroTime) {
    throw std::invalid_argument(std::string(field) + ": invalid RFC 3339 timestamp \"" + text +
                                "\"");
  }
  return *t;
}

/// The event whose columns (kColumns) start at column `first`.
IncidentEvent read_event(db::Statement& s, int first = 0) {
  IncidentEvent e;
  e.id = s.getInt64(first + 0);
  e.at = tp(s.getInt64(first + 1));
  e.recorded_at = tp(s.getInt64(first + 2));
  e.author = s.getString(first + 3);
  e.kind = s.getString(first + 4);
  e.text = s.getString(first + 5);
  e.details = json::parse(s.getString(first + 6), nullptr, false);
  if (!e.details.is_object()) e.details = json::object();
  if (!s.isNull(first + 7)) e.incident_id = s.getInt64(first + 7);
  if (!s.isNull(first + 8)) e.fingerprint = s.getString(first + 8);
  if (!s.isNull(first + 9)) e.starts_at = tp(s.getInt64(first + 9));
  return e;
}

constexpr const char* kColumns =
    "id, at, recorded_at, author, kind, text, details, incident_id, fingerprint, starts_at";

}  // namespace

bool known_event_kind(std::string_view kind) {
  return std::find(std::begin(kIncidentEventKinds), std::end(kIncidentEventKinds), kind) !=
         std::end(kIncidentEventKinds);
}

IncidentEvent parse_incident_event(const json& body, std::optional<std::int64_t> incident_id,
                                   TimePoint now) {
  if (!body.is_object()) throw std::invalid_argument("body: expected a JSON object");
  // A field this API does not know is refused, not dropped: a misspelt "time" would otherwise
  // store the event at the wrong moment without a word.
  static constexpr std::string_view kFields[] = {
      "kind", "text", "author", "time", "details", "incident_id", "fingerprint", "starts_at"};
  for (const auto& [name, value] : body.items()) {
    const bool known = std::find(std::begin(kFields), std::end(kFields), name) != std::end(kFields);
    if (!known) {
      throw std::invalid_argument("unknown field \"" + firedrill::cut(name) +
                                  "\" (expected kind, text, author, time, details, and "
                                  "incident_id or fingerprint and starts_at)");
    }
    if (incident_id && (name == "incident_id" || name == "fingerprint" || name == "starts_at")) {
      throw std::invalid_argument(name + ": the incident is the URL's; leave it out");
    }
  }
  IncidentEvent e;
  e.kind = required_string(body, "kind", 64);
  if (!known_event_kind(e.kind)) {
    std::string kinds;
    for (auto k : kIncidentEventKinds) kinds += (kinds.empty() ? "" : ", ") + std::string(k);
    throw std::invalid_argument("kind: \"" + e.kind + "\" is not one of " + kinds);
  }
  e.text = required_string(body, "text", kMaxEventTextBytes);
  e.author = required_string(body, "author", kMaxEventAuthorBytes);
  e.at = body.contains("time") ? time_field(body, "time") : now;
  if (auto d = body.find("details"); d != body.end()) {
    if (!d->is_object()) throw std::invalid_argument("details: expected a JSON object");
    if (d->dump().size() > kMaxEventDetailsBytes) {
      throw std::invalid_argument("details: longer than " + std::to_string(kMaxEventDetailsBytes) +
                                  " bytes");
    }
    e.details = *d;
  }
  if (incident_id) {
    e.incident_id = incident_id;
    return e;
  }
  if (auto id = body.find("incident_id"); id != body.end()) {
    if (!id->is_number_integer() || id->get<std::int64_t>() <= 0) {
      throw std::invalid_argument("incident_id: expected a positive integer");
    }
    e.incident_id = id->get<std::int64_t>();
    if (body.contains("fingerprint")) {
      throw std::invalid_argument("give either incident_id or fingerprint and starts_at, not both");
    }
    return e;
  }
  if (!body.contains("fingerprint")) {
    throw std::invalid_argument("give incident_id, or fingerprint and starts_at");
  }
  e.fingerprint = required_string(body, "fingerprint", 64);
  e.starts_at = time_field(body, "starts_at");
  return e;
}

IncidentEvent add_incident_event(Store& store, IncidentEvent e) {
  e.recorded_at = store.now();
  const std::string details = e.details.dump();
  store.write_db([&](db::Connection& db) {
    auto stmt = db.prepare(
        "INSERT INTO incident_events (at, recorded_at, author, kind, text, "
        "details, incident_id, fingerprint, starts_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id");
    auto& insert = *stmt;
    insert.bind(1, ns(e.at));
    insert.bind(2, ns(e.recorded_at));
    insert.bind(3, e.author);
    insert.bind(4, e.kind);
    insert.bind(5, e.text);
    insert.bind(6, details);
    if (e.incident_id)
      insert.bind(7, *e.incident_id);
    else
      insert.bind(7);
    if (e.starts_at) {
      insert.bind(8, e.fingerprint);
      insert.bind(9, ns(*e.starts_at));
    } else {
      insert.bind(8);
      insert.bind(9);
    }
    insert.executeStep();
    e.id = insert.getInt64(0);
  });
  return e;
}

std::vector<IncidentEvent> incident_events(const Store& store, const IncidentDetail& incident) {
  std::vector<IncidentEvent> out;
  store.read_db([&](db::Connection& db) {
    out.clear();
    std::set<std::int64_t> seen;
    const std::string incident_sql =
        std::string("SELECT ") + kColumns + " FROM incident_events WHERE incident_id = ?";
    auto by_incident = db.prepare(incident_sql.c_str());
    by_incident->bind(1, incident.incident.id);
    while (by_incident->executeStep()) {
      out.push_back(read_event(*by_incident));
      seen.insert(out.back().id);
    }
    const std::string occurrence_sql =
        std::string("SELECT ") + kColumns +
        " FROM incident_events WHERE fingerprint = ? AND starts_at = ?";
    auto by_occurrence = db.prepare(occurrence_sql.c_str());
    for (const Occurrence& o : incident.occurrences) {
      by_occurrence->bind(1, o.fingerprint);
      by_occurrence->bind(2, ns(o.starts_at));
      while (by_occurrence->executeStep()) {
        IncidentEvent e = read_event(*by_occurrence);
        if (seen.insert(e.id).second) out.push_back(std::move(e));
      }
      by_occurrence->reset();
    }
  });
  std::sort(out.begin(), out.end(), [](const IncidentEvent& a, const IncidentEvent& b) {
    return a.at != b.at ? a.at < b.at : a.id < b.id;
  });
  return out;
}

std::map<std::int64_t, std::vector<IncidentEvent>> incident_events_of(
    const Store& store, const std::vector<std::int64_t>& incident_ids) {
  std::map<std::int64_t, std::vector<IncidentEvent>> out;
  if (incident_ids.empty()) return out;
  const std::string ids = json(incident_ids).dump();
  store.read_db([&](db::Connection& db) {
    out.clear();
    const std::string incident_sqlite = std::string("SELECT ") + kColumns +
                                        " FROM incident_events WHERE incident_id IN "
                                        "(SELECT value FROM json_each(?))";
    const std::string incident_postgres = std::string("SELECT ") + kColumns +
                                          " FROM incident_events WHERE incident_id IN "
                                          "(SELECT json_array_elements_text(?::json)::bigint)";
    auto by_incident_stmt = db.prepare(db::Sql(incident_sqlite, incident_postgres));
    auto& by_incident = *by_incident_stmt;
    by_incident.bind(1, ids);
    while (by_incident.executeStep()) {
      IncidentEvent e = read_event(by_incident);
      const std::int64_t incident = e.incident_id.value_or(0);
      out[incident].push_back(std::move(e));
    }
    // Driven from the events keyed by an occurrence (few: what tools wrote before the alert
    // reached mock-slack), not from every occurrence of the incidents.
    auto by_occurrence_stmt = db.prepare(db::Sql(
        "SELECT io.incident_id, e.id, e.at, e.recorded_at, e.author, e.kind, e.text, e.details, "
        "e.incident_id, e.fingerprint, e.starts_at FROM incident_events e CROSS JOIN occurrences "
        "o CROSS JOIN incident_occurrences io WHERE e.fingerprint IS NOT NULL AND o.fingerprint = "
        "e.fingerprint AND o.starts_at = e.starts_at AND io.occurrence_id = o.id AND "
        "io.incident_id IN (SELECT value FROM json_each(?))",
        "SELECT io.incident_id, e.id, e.at, e.recorded_at, e.author, e.kind, e.text, e.details, "
        "e.incident_id, e.fingerprint, e.starts_at FROM incident_events e JOIN occurrences o ON "
        "o.fingerprint = e.fingerprint AND o.starts_at = e.starts_at JOIN incident_occurrences io "
        "ON io.occurrence_id = o.id WHERE e.fingerprint IS NOT NULL AND io.incident_id IN "
        "(SELECT json_array_elements_text(?::json)::bigint)"));
    auto& by_occurrence = *by_occurrence_stmt;
    by_occurrence.bind(1, ids);
    while (by_occurrence.executeStep()) {
      const std::int64_t incident = by_occurrence.getInt64(0);
      auto& list = out[incident];
      const std::int64_t id = by_occurrence.getInt64(1);
      if (std::none_of(list.begin(), list.end(),
                       [&](const IncidentEvent& e) { return e.id == id; })) {
        list.push_back(read_event(by_occurrence, 1));
      }
    }
  });
  for (auto& [incident, list] : out) {
    std::sort(list.begin(), list.end(), [](const IncidentEvent& a, const IncidentEvent& b) {
      return a.at != b.at ? a.at < b.at : a.id < b.id;
    });
  }
  return out;
}

json to_json(const IncidentEvent& e) {
  json out = {{"id", e.id},
              {"time", alerting::format_time(e.at)},
              {"recordedAt", alerting::format_time(e.recorded_at)},
              {"author", e.author},
              {"kind", e.kind},
              {"text", e.text},
              {"details", e.details}};
  if (e.incident_id) out["incidentId"] = *e.incident_id;
  if (e.starts_at) {
    out["fingerprint"] = e.fingerprint;
    out["startsAt"] = alerting::format_time(*e.starts_at);
  }
  return out;
}

}  // namespace mock_slack
