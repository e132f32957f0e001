#include "mock_slack/view_mapping.hpp"

#include <algorithm>
#include <set>

namespace mock_slack {

namespace alerting = firedrill::alerting;
using nlohmann::json;

namespace {

ui::LabelMap label_map(const json& j) {
  ui::LabelMap m;
  if (!j.is_object()) return m;
  for (const auto& [k, v] : j.items()) m[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return m;
}

ui::AlertStatus status_of(const std::string& s) {
  return s == "resolved" ? ui::AlertStatus::resolved : ui::AlertStatus::firing;
}

std::string value_of(const ui::LabelMap& m, const char* name) {
  auto it = m.find(name);
  return it == m.end() ? std::string() : it->second;
}

TimePoint from_ms(ui::UnixMillis ms) { return alerting::from_unix_ns(ms * 1'000'000); }

}  // namespace

ui::UnixMillis to_unix_ms(TimePoint t) { return ui::unix_millis_from_ns(alerting::to_unix_ns(t)); }

ui::OccurrenceView to_view(const Occurrence& o) {
  ui::OccurrenceView v;
  v.fingerprint = o.fingerprint;
  v.labels = label_map(o.labels);
  v.annotations = label_map(o.annotations);
  v.alertname = value_of(v.labels, "alertname");
  v.severity = value_of(v.labels, "severity");
  v.status = status_of(o.status);
  v.starts_at_ms = to_unix_ms(o.starts_at);
  if (o.ends_at && v.status == ui::AlertStatus::resolved) v.ends_at_ms = to_unix_ms(*o.ends_at);
  if (o.first_notified_at) v.first_notified_at_ms = to_unix_ms(*o.first_notified_at);
  if (o.last_notified_at) v.last_notified_at_ms = to_unix_ms(*o.last_notified_at);
  v.times_notified = o.times_notified;
  v.generator_url = o.generator_url;
  v.silenced = o.silenced_by.is_array() && !o.silenced_by.empty();
  v.inhibited = o.inhibited_by.is_array() && !o.inhibited_by.empty();
  return v;
}

ui::OccurrenceView to_view(const OccurrenceBar& o) {
  ui::OccurrenceView v;
  if (o.incident_id != 0) v.incident_id = o.incident_id;
  v.alertname = o.alertname;
  v.severity = o.severity;
  if (!o.instance.empty()) v.labels["instance"] = o.instance;
  v.status = status_of(o.status);
  v.starts_at_ms = to_unix_ms(o.starts_at);
  if (o.ends_at && v.status == ui::AlertStatus::resolved) v.ends_at_ms = to_unix_ms(*o.ends_at);
  return v;
}

ui::IncidentView to_view(const Incident& i) {
  ui::IncidentView v;
  v.id = i.id;
  v.group_key = i.group_key;
  v.status = status_of(i.status);
  v.started_at_ms = to_unix_ms(i.started_at);
  v.first_notified_at_ms = to_unix_ms(i.first_notified_at);
  if (i.resolved_at) v.resolved_at_ms = to_unix_ms(*i.resolved_at);
  v.highest_severity = i.severity;
  v.services = i.services;
  std::sort(v.services.begin(), v.services.end());
  v.external_url = i.external_url;
  return v;
}

ui::NotificationView to_view(const Notification& n) {
  ui::NotificationView v;
  v.received_at_ms = to_unix_ms(n.received_at);
  v.receiver = n.receiver;
  v.status = status_of(n.status);
  v.group_key = n.group_key;
  v.group_labels = label_map(n.group_labels);
  v.common_labels = label_map(n.common_labels);
  v.truncated_alerts = n.truncated_alerts;
  return v;
}

ui::NotificationView to_view(const DeliveredNotification& d) {
  ui::NotificationView v = to_view(d.notification);
  v.common_annotations = label_map(d.notification.common_annotations);
  v.external_url = d.notification.external_url;
  v.alerts.reserve(d.alerts.size());
  for (const Occurrence& o : d.alerts) v.alerts.push_back(to_view(o));
  return v;
}

ui::TimelineCounts to_view(const AlertCounts& c) {
  return {c.incidents, c.incidents_firing, c.occurrences, c.occurrences_firing};
}

ui::IncidentView to_view(const IncidentDetail& d) {
  ui::IncidentView v = to_view(d.incident);
  v.occurrences.reserve(d.occurrences.size());
  for (const Occurrence& o : d.occurrences) {
    v.occurrences.push_back(to_view(o));
    v.occurrences.back().incident_id = d.incident.id;
  }
  v.notifications.reserve(d.notifications.size());
  for (const Notification& n : d.notifications) {
    v.notifications.push_back(to_view(n));
    v.notifications.back().external_url = d.incident.external_url;
  }
  ui::complete_from_occurrences(v);  // instances, and anything the summary lacked
  return v;
}

ui::SlackMessageView to_view(const Message& m) {
  ui::SlackMessageView v;
  v.channel = m.channel;
  v.received_at_ms = to_unix_ms(m.received_at);
  v.username = m.username;
  v.text = m.text;
  v.mrkdwn = m.mrkdwn;
  auto str = [](const json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (m.attachments.is_array()) {
    for (const json& a : m.attachments) {
      if (!a.is_object()) continue;
      ui::SlackAttachment att;
      att.color = str(a, "color");
      att.title = str(a, "title");
      att.title_link = str(a, "title_link");
      att.pretext = str(a, "pretext");
      att.text = str(a, "text");
      att.footer = str(a, "footer");
      if (auto in = a.find("mrkdwn_in"); in != a.end() && in->is_array()) {
        for (const json& name : *in) {
          if (name.is_string()) att.mrkdwn_in.push_back(name.get<std::string>());
        }
      }
      if (auto f = a.find("fields"); f != a.end() && f->is_array()) {
        for (const json& field : *f) {
          if (!field.is_object()) continue;
          auto s = field.find("short");
          att.fields.push_back({str(field, "title"), str(field, "value"),
                                s != field.end() && s->is_boolean() && s->get<bool>()});
        }
      }
      v.attachments.push_back(std::move(att));
    }
  }
  if (m.blocks.is_array() && !m.blocks.empty()) {
    v.blocks_json = m.blocks.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return v;
}

ui::ChannelSummary to_view(const Channel& c) {
  return {c.name, c.messages, to_unix_ms(c.last_message_at)};
}

ui::SilenceView to_view(const Silence& s) {
  return {s.id, s.state, s.created_by, s.comment, to_unix_ms(s.starts_at), to_unix_ms(s.ends_at)};
}

AlertFilter to_alert_filter(const ui::TimelineQuery& q, ui::TimeWindow window) {
  AlertFilter f;
  if (q.status) f.status = ui::to_string(*q.status);
  f.severity = q.severity;
  f.alertname = q.alertname;
  if (!q.service.empty()) f.matchers.emplace_back("service", alerting::MatchType::equal, q.service);
  for (const std::string& text : q.matchers) {
    try {
      auto m = alerting::parse_matcher(text);
      if (m.name().find('"') != std::string::npos || m.name().find('\\') != std::string::npos) {
        throw std::invalid_argument(
            "matcher: label names containing '\"' or '\\' are not supported");
      }
      f.matchers.push_back(std::move(m));
    } catch (const alerting::MatcherError& e) {
      throw std::invalid_argument(std::string("matcher: ") + e.what());
    }
  }
  f.since = from_ms(window.since_ms);
  f.until = from_ms(window.until_ms);
  f.limit = static_cast<std::size_t>(q.limit);
  if (!q.cursor.empty()) {
    f.cursor = Cursor::parse(q.cursor);
    if (!f.cursor) throw std::invalid_argument("cursor: not a cursor from this page");
  }
  return f;
}

}  // namespace mock_slack
