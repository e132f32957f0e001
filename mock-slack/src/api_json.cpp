// The JSON shape of the read API's items (query_api.cpp): camelCase fields as Alertmanager's API
// names them, RFC 3339 times, null for a time not set.
#include "api_json.hpp"

#include "mock_slack/timeline.hpp"

namespace mock_slack {

namespace alerting = firedrill::alerting;
using nlohmann::json;

namespace {
json time_or_null(const std::optional<TimePoint>& t) {
  return t ? json(alerting::format_time(*t)) : json(nullptr);
}
}  // namespace

json to_json(const Occurrence& o) {
  return json{{"id", o.id},
              {"fingerprint", o.fingerprint},
              {"status", o.status},
              {"startsAt", alerting::format_time(o.starts_at)},
              {"endsAt", time_or_null(o.ends_at)},
              {"labels", o.labels},
              {"annotations", o.annotations},
              {"generatorURL", o.generator_url},
              {"receiver", o.receiver},
              {"firstNotifiedAt", time_or_null(o.first_notified_at)},
              {"lastNotifiedAt", time_or_null(o.last_notified_at)},
              {"timesNotified", o.times_notified},
              {"lastSyncedAt", time_or_null(o.last_synced_at)},
              {"suppressed",
               {{"state", o.suppressed_state},
                {"silencedBy", o.silenced_by},
                {"inhibitedBy", o.inhibited_by}}},
              {"source", o.source},
              {"resolvedBy", o.resolved_by.empty() ? json(nullptr) : json(o.resolved_by)},
              {"resolutionRecordedAt", time_or_null(o.resolution_recorded_at)}};
}

json to_json(const Incident& i) {
  return json{{"id", i.id},
              {"groupKey", i.group_key},
              {"receiver", i.receiver},
              {"status", i.status},
              {"startedAt", alerting::format_time(i.started_at)},
              {"firstNotifiedAt", alerting::format_time(i.first_notified_at)},
              {"lastNotifiedAt", alerting::format_time(i.last_notified_at)},
              {"resolvedAt", time_or_null(i.resolved_at)},
              {"groupLabels", i.group_labels},
              {"commonLabels", i.common_labels},
              {"commonAnnotations", i.common_annotations},
              {"externalURL", i.external_url},
              {"notificationCount", i.notification_count},
              {"alertCount", i.alert_count},
              {"firingCount", i.firing_count},
              {"severity", i.severity},
              {"alertnames", i.alertnames},
              {"services", i.services}};
}

json to_json(const Notification& n) {
  return json{{"id", n.id},
              {"receivedAt", alerting::format_time(n.received_at)},
              {"receiver", n.receiver},
              {"status", n.status},
              {"groupKey", n.group_key},
              {"groupLabels", n.group_labels},
              {"commonLabels", n.common_labels},
              {"alertCount", n.alert_count},
              {"truncatedAlerts", n.truncated_alerts},
              {"bodySha256", n.body_sha256},
              {"incidentId", n.incident_id ? json(*n.incident_id) : json(nullptr)}};
}

json to_json(const TimelineEvent& e) {
  json j{{"time", alerting::format_time(e.time)}, {"type", e.type}, {"summary", e.summary}};
  if (e.occurrence_id) j["occurrenceId"] = *e.occurrence_id;
  if (e.notification_id) j["notificationId"] = *e.notification_id;
  return j;
}

json to_json(const IncidentDetail& d) {
  json j = to_json(d.incident);
  j["alerts"] = json::array();
  for (const auto& o : d.occurrences) j["alerts"].push_back(to_json(o));
  j["notifications"] = json::array();
  for (const auto& n : d.notifications) j["notifications"].push_back(to_json(n));
  j["timeline"] = json::array();
  for (const auto& e : incident_timeline(d)) j["timeline"].push_back(to_json(e));
  return j;
}

json to_json(const Message& m) {
  return json{{"id", m.id},
              {"receivedAt", alerting::format_time(m.received_at)},
              {"channel", m.channel},
              {"username", m.username},
              {"text", m.text},
              {"iconEmoji", m.icon_emoji},
              {"iconURL", m.icon_url},
              {"attachments", m.attachments},
              {"blocks", m.blocks},
              {"mrkdwn", m.mrkdwn}};
}

json to_json(const Silence& s) {
  return json{{"id", s.id},
              {"state", s.state},
              {"matchers", s.matchers},
              {"createdBy", s.created_by},
              {"comment", s.comment},
              {"startsAt", alerting::format_time(s.starts_at)},
              {"endsAt", alerting::format_time(s.ends_at)},
              {"updatedAt", alerting::format_time(s.updated_at)},
              {"firstSyncedAt", alerting::format_time(s.first_synced_at)},
              {"lastSyncedAt", alerting::format_time(s.last_synced_at)},
              {"occurrenceIds", s.occurrence_ids}};
}

json to_json(const Channel& c) {
  return json{{"name", c.name},
              {"messages", c.messages},
              {"lastMessageAt", alerting::format_time(c.last_message_at)}};
}

}  // namespace mock_slack
