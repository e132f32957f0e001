// Writer::ingest: a webhook notification, its occurrences, its incident and its summary.
#include <unordered_map>

#include "sqlite.hpp"
#include "writer.hpp"

namespace mock_slack::writer {

namespace alerting = firedrill::alerting;
using db::Use;
using sqlite::kForever;

IngestResult Writer::ingest(const EncodedNotification& e, const std::string& sha, std::int64_t now,
                            JobCounts& counts) {
  const alerting::WebhookNotification& n = e.n;
  IngestResult result;
  std::vector<std::int64_t> ids;
  ids.reserve(n.alerts.size());
  /// What the summary needs of each occurrence, in its state after this notification.
  struct Linked {
    bool firing = false;
    std::string severity, alertname, service;
  };
  std::unordered_map<std::int64_t, Linked> state;
  bool firing_now = false;
  std::int64_t min_start = kForever;
  for (std::size_t k = 0; k < n.alerts.size(); ++k) {
    const auto& a = n.alerts[k];
    const EncodedAlert& ea = e.alerts[k];
    min_start = std::min(min_start, ea.starts_at);
    const bool resolved = a.status == alerting::AlertStatus::resolved;
    const std::string& annotations = ea.annotations;
    std::optional<std::int64_t> id;
    if (const auto stored = find_occurrence(a.fingerprint, ea.starts_at)) {
      id = stored->id;
      // A resolved occurrence stays resolved: a firing notification for the same
      // (fingerprint, startsAt) arriving later is a retry that lost the race.
      const bool firing = stored->status == "firing";
      const bool resolves = resolved && firing;
      const bool changed =
          resolves || annotations != stored->annotations || stored->state != "active";
      Use u(*update_notified_);
      u->bind(1, *id);
      u->bind(2, resolves ? std::string("resolved") : stored->status);
      update_notified_->bind(3, resolves ? std::optional<std::int64_t>(ea.ends_at) : std::nullopt);
      u->bind(4, annotations);
      u->bind(5, now);
      if (resolves) {
        u->bind(6, "webhook");
        u->bind(7, now);
      } else {
        u->bind(6);
        u->bind(7);
      }
      u->exec();
      if (changed) {
        ++result.updated_occurrences;
      } else {
        ++result.duplicate_occurrences;
      }
      if (!resolves && firing) firing_now = true;
      if (resolves) count_resolved(*id);
      state[*id] = {!resolves && firing, stored->severity, stored->alertname, stored->service};
    } else {
      static const std::string kActive = "active", kNone = "[]";
      id = insert_occurrence(
          {.fingerprint = a.fingerprint,
           .starts_at = ea.starts_at,
           .ends_at = resolved ? std::optional<std::int64_t>(ea.ends_at) : std::nullopt,
           .alertname = ea.alertname,
           .severity = ea.severity,
           .service = ea.service,
           .labels = ea.labels,
           .annotations = annotations,
           .generator_url = a.generator_url,
           .receiver = n.receiver,
           .notified_at = now,
           .synced_at = std::nullopt,
           .suppressed_state = kActive,
           .silenced_by = kNone,
           .inhibited_by = kNone,
           .source = "webhook"});
      ++result.new_occurrences;
      if (!resolved) firing_now = true;
      state[*id] = {!resolved, ea.severity, ea.alertname, ea.service};
    }
    ids.push_back(*id);
  }

  // The incident: the group's open one; else a new one when something fires; else (a late or
  // repeated resolution) the one these occurrences already belong to.
  std::optional<std::int64_t> incident;
  {
    Use f(*find_open_incident_);
    f->bind(1, n.group_key);
    if (f->executeStep()) incident = f->getInt64(0);
  }
  if (!incident && !firing_now && !ids.empty()) {
    Use f(*find_incident_of_);
    f->bind(1, ids.front());
    f->bind(2, n.group_key);
    if (f->executeStep()) incident = f->getInt64(0);
  }
  if (!incident && !ids.empty()) {
    Use ins(*insert_incident_);
    ins->bind(1, n.group_key);
    ins->bind(2, n.receiver);
    ins->bind(3, min_start);
    ins->bind(4, now);
    ins->bind(5, e.group_labels);
    ins->bind(6, e.common_labels);
    ins->bind(7, e.common_annotations);
    ins->bind(8, n.external_url);
    ins->executeStep();
    incident = ins->getInt64(0);
  }
  if (incident) {
    // The summary gains what this notification links: a redelivery that links nothing new
    // (repeat_interval, retries, HA pairs) leaves it as it is. Resolutions were counted above.
    SummaryDelta delta;
    if (!ids.empty()) {
      Use l(*link_all_);
      l->bind(1, *incident);
      l->bind(2, nlohmann::json(ids).dump());
      while (l->executeStep()) {
        const Linked& o = state.at(l->getInt64(0));
        delta.add(o.firing, o.severity, o.alertname, o.service);
      }
    }
    add_to_summary(*incident, delta);
    Use u(*update_incident_);
    u->bind(1, *incident);
    u->bind(2, now);
    u->bind(3, ids.empty() ? kForever : min_start);
    u->bind(4, e.common_labels);
    u->bind(5, e.common_annotations);
    u->bind(6, n.external_url);
    u->exec();
    // Alertmanager's status covers the whole group, truncated alerts included. A firing
    // notification without any firing alert (a late retry) closes the incident only when
    // nothing in it still fires.
    if (n.status == alerting::AlertStatus::resolved) {
      Use r(*resolve_incident_);
      r->bind(1, *incident);
      r->bind(2, now);
      r->exec();
    } else if (!firing_now) {
      Use r(*resolve_quiet_incident_);
      r->bind(1, *incident);
      r->bind(2, now);
      r->exec();
    }
    result.incident_id = *incident;
  }

  Use ins(*insert_notification_);
  ins->bind(1, now);
  ins->bind(2, n.receiver);
  ins->bind(3, std::string(alerting::to_string(n.status)));
  ins->bind(4, n.group_key);
  ins->bind(5, e.group_labels);
  ins->bind(6, e.common_labels);
  ins->bind(7, e.common_annotations);
  ins->bind(8, n.external_url);
  ins->bind(9, static_cast<std::int64_t>(n.alerts.size()));
  ins->bind(10, n.truncated_alerts);
  ins->bind(11, sha);
  insert_notification_->bind(12, incident);
  ins->executeStep();
  result.notification_id = ins->getInt64(0);
  counts.new_occurrences += result.new_occurrences;
  counts.updated += result.updated_occurrences;
  counts.duplicate += result.duplicate_occurrences;
  return result;
}

}  // namespace mock_slack::writer
