// Writer::join_group: an occurrence that only a sync found (the webhook never delivered it) joins
// the incident of its group, by the webhook's own grouping, so that the timeline shows it.
//
// Alertmanager groups an alert by its route's group_by labels: the group's labels are the alert's
// values of those labels, and its key is the route's key followed by them. An incident stores the
// receiver and group labels of the notifications that made it, so an alert belongs to an incident
// when the incident's receiver is among the alert's receivers and each of its group labels equals
// the alert's label. The open incident comes first, then the one whose time span covers the
// alert's start (reopened when the alert still fires: the webhook missed that it went on). With
// none, an incident is opened as a firing notification would open it, taking the group_by keys and
// the route's part of the group key from that receiver's latest incident (only for an active
// alert: a suppressed one joins an incident but opens none). A receiver that never
// sent mock-slack a notification (the Watchdog's heartbeat, the auto-healer's) groups nothing: its
// grouping is unknown here, and its alerts stay occurrences without an incident, as before.
#include <map>

#include "sqlite.hpp"
#include "writer.hpp"

namespace mock_slack::writer {

namespace alerting = firedrill::alerting;
using db::Use;
using nlohmann::json;
using sqlite::dump;
using sqlite::ns;
using sqlite::parse_stored;

namespace {

/// Whether each of the incident's group labels equals the alert's label of that name.
bool in_group(const std::string& stored_group_labels, const alerting::LabelSet& labels) {
  const json group = parse_stored(stored_group_labels, json());
  if (!group.is_object()) return false;
  for (const auto& [name, value] : group.items()) {
    auto it = labels.find(name);
    if (!value.is_string() || it == labels.end() || it->second != value.get<std::string>()) {
      return false;
    }
  }
  return true;
}

/// Go's strconv.Quote, as Alertmanager formats label values in a group key, for the text
/// Prometheus' label values hold (printable UTF-8 passes as it is).
std::string go_quote(const std::string& value) {
  std::string out = "\"";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

/// A label set as Alertmanager prints it in a group key: {a="1", b="2"}, by name.
std::string group_key_labels(const std::map<std::string, std::string>& labels) {
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ", ";
    out += name + "=" + go_quote(value);
  }
  return out + "}";
}

}  // namespace

void Writer::prepare_join() {
  auto p = [this](const db::Sql& sql) { return db_->prepare(sql); };
  open_incidents_of_ =
      p("SELECT id, group_labels FROM incidents WHERE receiver = ? AND resolved_at IS NULL "
        "ORDER BY id DESC");
  covering_incidents_of_ =
      p("SELECT id, group_labels FROM incidents WHERE receiver = ?1 AND started_at <= ?2 AND "
        "coalesce(resolved_at, 9223372036854775807) >= ?2 ORDER BY id DESC");
  latest_incident_of_ =
      p("SELECT group_key, group_labels FROM incidents WHERE receiver = ? ORDER BY id DESC "
        "LIMIT 1");
  reopen_incident_ = p("UPDATE incidents SET resolved_at = NULL WHERE id = ?");
  extend_incident_ =
      p(db::Sql("UPDATE incidents SET started_at = min(started_at, ?2) WHERE id = ?1",
                "UPDATE incidents SET started_at = LEAST(started_at, ?2) WHERE id = ?1"));
}

Writer::Joined Writer::join_group(const alerting::GettableAlert& a, std::int64_t occurrence,
                                  bool firing, std::int64_t now) {
  const std::int64_t starts_at = ns(a.starts_at);
  std::optional<std::int64_t> incident;
  bool resolved_incident = false;
  auto first_in_group = [&](db::Statement& s, const std::string& receiver, bool covering) {
    Use f(s);
    f->bind(1, receiver);
    if (covering) f->bind(2, starts_at);
    while (f->executeStep()) {
      if (in_group(f->getString(1), a.labels)) {
        return std::optional<std::int64_t>(f->getInt64(0));
      }
    }
    return std::optional<std::int64_t>();
  };
  for (const auto& receiver : a.receivers) {
    if ((incident = first_in_group(*open_incidents_of_, receiver, false))) break;
  }
  for (std::size_t k = 0; !incident && k < a.receivers.size(); ++k) {
    incident = first_in_group(*covering_incidents_of_, a.receivers[k], true);
    resolved_incident = incident.has_value();
  }

  Joined joined = Joined::joined;
  // A silenced or inhibited alert joins its group's incident, but opens none: Alertmanager would
  // not have notified it, so no webhook would have opened one.
  if (!incident && a.state == "active") {
    // Open one for the first receiver whose grouping is known from its latest incident.
    for (const auto& receiver : a.receivers) {
      std::string latest_key, latest_labels;
      {
        Use f(*latest_incident_of_);
        f->bind(1, receiver);
        if (!f->executeStep()) continue;
        latest_key = f->getString(0);
        latest_labels = f->getString(1);
      }
      const json keys = parse_stored(latest_labels, json::object());
      std::map<std::string, std::string> latest, group;
      if (keys.is_object()) {
        for (const auto& [name, value] : keys.items()) {
          if (value.is_string()) latest[name] = value.get<std::string>();
          // Alertmanager leaves out a group_by label the alert does not have.
          if (auto it = a.labels.find(name); it != a.labels.end()) group[name] = it->second;
        }
      }
      // The route's part of the key: what precedes ":" + the latest incident's labels.
      const std::string suffix = ":" + group_key_labels(latest);
      const std::string route = latest_key.ends_with(suffix)
                                    ? latest_key.substr(0, latest_key.size() - suffix.size())
                                    : std::string("{}");
      const std::string group_labels = dump(json(group));
      Use ins(*insert_incident_);
      ins->bind(1, route + ":" + group_key_labels(group));
      ins->bind(2, receiver);
      ins->bind(3, starts_at);
      ins->bind(4, now);  // detection: when the sync found it
      ins->bind(5, group_labels);
      ins->bind(6, dump(a.labels));
      ins->bind(7, dump(a.annotations));
      ins->bind(8, std::string());
      ins->executeStep();
      incident = ins->getInt64(0);
      joined = Joined::opened;
      break;
    }
  }
  if (!incident) return Joined::none;

  {
    Use l(*link_);
    l->bind(1, *incident);
    l->bind(2, occurrence);
    l->exec();
  }
  SummaryDelta delta;
  delta.add(firing, std::string(alerting::label_value(a.labels, "severity")),
            std::string(alerting::label_value(a.labels, "alertname")),
            std::string(alerting::label_value(a.labels, "service")));
  add_to_summary(*incident, delta);
  if (firing && resolved_incident) {
    Use r(*reopen_incident_);
    r->bind(1, *incident);
    r->exec();
  }
  {
    // started_at: the earliest start of its occurrences, as the webhook keeps it.
    Use u(*extend_incident_);
    u->bind(1, *incident);
    u->bind(2, starts_at);
    u->exec();
  }
  if (!firing) resolve_quiet_incidents_of(occurrence, now);
  return joined;
}

}  // namespace mock_slack::writer
