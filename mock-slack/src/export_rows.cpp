// The export's rows (export_rows.hpp; tests/export_api_test.cpp).
#include "export_rows.hpp"

#include <initializer_list>

#include "api_json.hpp"
#include "mock_slack/view_mapping.hpp"
#include "mock_slack_ui/sli.hpp"

namespace mock_slack::export_rows {

namespace alerting = firedrill::alerting;
using nlohmann::json;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string time_text(const std::optional<TimePoint>& t) {
  return t ? alerting::format_time(*t) : std::string();
}

/// Seconds from `start` to `end`, or nullopt while it has no end.
std::optional<double> duration_seconds(TimePoint start, const std::optional<TimePoint>& end) {
  if (!end) return std::nullopt;
  return std::chrono::duration<double>(*end - start).count();
}

json duration_json(TimePoint start, const std::optional<TimePoint>& end) {
  const auto d = duration_seconds(start, end);
  return d ? json(*d) : json(nullptr);
}

std::string number(double v) { return dump(json(v)); }

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ";") + v;
  return out;
}

/// A CSV record of fields already quoted.
void record(std::string& out, std::initializer_list<std::string> fields) {
  bool first = true;
  for (const auto& f : fields) {
    if (!first) out += ',';
    out += f;
    first = false;
  }
  out += "\r\n";
}

std::string header(std::initializer_list<std::string_view> names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ",") + std::string(n);
  return out + "\r\n";
}

json events_json(const std::vector<IncidentEvent>& events) {
  json out = json::array();
  for (const auto& e : events) out.push_back(to_json(e));
  return out;
}

/// The response's times as the postmortem draft finds them (ui::incident_times), without the
/// SLI: an export does not query Prometheus, so its start is the first alert's startsAt.
ui::IncidentTimes response_times(const Incident& i, const std::vector<IncidentEvent>& events) {
  ui::IncidentView view = to_view(i);
  view.events.reserve(events.size());
  for (const IncidentEvent& e : events) {
    view.events.push_back({to_unix_ms(e.at), e.author, e.kind, e.text, e.details});
  }
  return ui::incident_times(view, nullptr);
}

std::string ms_time(std::optional<ui::UnixMillis> ms) {
  return ms ? alerting::format_time(alerting::from_unix_ns(*ms * 1'000'000)) : std::string();
}

std::optional<double> ms_seconds(std::optional<ui::UnixMillis> to, ui::UnixMillis from) {
  if (!to) return std::nullopt;
  return static_cast<double>(*to - from) / 1000.0;
}

json optional_json(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }
json optional_json(std::optional<double> v) { return v ? json(*v) : json(nullptr); }

/// The response figures of one incident: [acknowledgedAt, acknowledgedBy, mitigatedAt,
/// mitigatedBy, resolvedAt, resolvedBy, TTD, TTA, TTM, TTR], texts empty when not recorded.
struct Figures {
  std::string acknowledged_at, acknowledged_by, mitigated_at, mitigated_by, resolved_at,
      resolved_by;
  std::optional<double> ttd, tta, ttm, ttr;
};

Figures figures(const Incident& i, const std::vector<IncidentEvent>& events) {
  const ui::IncidentTimes t = response_times(i, events);
  Figures f;
  f.acknowledged_at = ms_time(t.acknowledged_ms);
  f.acknowledged_by = t.acknowledged_by;
  f.mitigated_at = ms_time(t.mitigated_ms);
  f.mitigated_by = t.mitigated_by;
  f.resolved_at = ms_time(t.resolved_ms);
  f.resolved_by = t.resolved_by;
  f.ttd = ms_seconds(t.detected_ms, t.started_ms);
  f.tta = t.acknowledged_ms ? ms_seconds(t.acknowledged_ms, t.detected_ms) : std::nullopt;
  f.ttm = ms_seconds(t.mitigated_ms, t.started_ms);
  f.ttr = ms_seconds(t.resolved_ms, t.started_ms);
  return f;
}

std::string optional_number(std::optional<double> v) { return v ? number(*v) : std::string(); }

}  // namespace

std::string csv_field(std::string_view text) {
  std::string value;
  if (!text.empty() && (text.front() == '=' || text.front() == '+' || text.front() == '-' ||
                        text.front() == '@' || text.front() == '\t' || text.front() == '\r')) {
    value = "'";
  }
  value += text;
  if (value.find_first_of("\",\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

std::string incident_csv_header() {
  return header({"id",
                 "status",
                 "receiver",
                 "groupKey",
                 "startedAt",
                 "firstNotifiedAt",
                 "resolvedAt",
                 "durationSeconds",
                 "alertCount",
                 "firingCount",
                 "notificationCount",
                 "severity",
                 "alertnames",
                 "services",
                 "groupLabels",
                 "eventCount",
                 "events",
                 "acknowledgedAt",
                 "acknowledgedBy",
                 "mitigatedAt",
                 "mitigatedBy",
                 "responseResolvedAt",
                 "resolvedBy",
                 "ttdSeconds",
                 "ttaSeconds",
                 "ttmSeconds",
                 "ttrSeconds"});
}

std::string alert_csv_header() {
  return header({"id", "fingerprint", "status", "alertname", "severity", "service", "startsAt",
                 "endsAt", "durationSeconds", "receiver", "source", "resolvedBy", "timesNotified",
                 "firstNotifiedAt", "lastNotifiedAt", "labels", "annotations", "generatorURL"});
}

void incident_ndjson(std::string& out, const Incident& i,
                     const std::vector<IncidentEvent>& events) {
  json j = to_json(i);
  j["durationSeconds"] = duration_json(i.started_at, i.resolved_at);
  j["events"] = events_json(events);
  const Figures f = figures(i, events);
  j["response"] = {{"acknowledgedAt", optional_json(f.acknowledged_at)},
                   {"acknowledgedBy", optional_json(f.acknowledged_by)},
                   {"mitigatedAt", optional_json(f.mitigated_at)},
                   {"mitigatedBy", optional_json(f.mitigated_by)},
                   {"resolvedAt", optional_json(f.resolved_at)},
                   {"resolvedBy", optional_json(f.resolved_by)},
                   {"ttdSeconds", optional_json(f.ttd)},
                   {"ttaSeconds", optional_json(f.tta)},
                   {"ttmSeconds", optional_json(f.ttm)},
                   {"ttrSeconds", optional_json(f.ttr)}};
  out += dump(j);
  out += '\n';
}

void incident_csv(std::string& out, const Incident& i, const std::vector<IncidentEvent>& events) {
  const auto d = duration_seconds(i.started_at, i.resolved_at);
  const Figures f = figures(i, events);
  record(out, {std::to_string(i.id),
               csv_field(i.status),
               csv_field(i.receiver),
               csv_field(i.group_key),
               csv_field(alerting::format_time(i.started_at)),
               csv_field(alerting::format_time(i.first_notified_at)),
               csv_field(time_text(i.resolved_at)),
               d ? number(*d) : std::string(),
               std::to_string(i.alert_count),
               std::to_string(i.firing_count),
               std::to_string(i.notification_count),
               csv_field(i.severity),
               csv_field(joined(i.alertnames)),
               csv_field(joined(i.services)),
               csv_field(dump(i.group_labels)),
               std::to_string(events.size()),
               csv_field(dump(events_json(events))),
               csv_field(f.acknowledged_at),
               csv_field(f.acknowledged_by),
               csv_field(f.mitigated_at),
               csv_field(f.mitigated_by),
               csv_field(f.resolved_at),
               csv_field(f.resolved_by),
               optional_number(f.ttd),
               optional_number(f.tta),
               optional_number(f.ttm),
               optional_number(f.ttr)});
}

void alert_ndjson(std::string& out, const Occurrence& o) {
  json j = to_json(o);
  j["durationSeconds"] = duration_json(o.starts_at, o.ends_at);
  out += dump(j);
  out += '\n';
}

void alert_csv(std::string& out, const Occurrence& o) {
  const auto label = [&](const char* name) {
    auto it = o.labels.find(name);
    return it != o.labels.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto d = duration_seconds(o.starts_at, o.ends_at);
  record(out,
         {std::to_string(o.id), csv_field(o.fingerprint), csv_field(o.status),
          csv_field(label("alertname")), csv_field(label("severity")), csv_field(label("service")),
          csv_field(alerting::format_time(o.starts_at)), csv_field(time_text(o.ends_at)),
          d ? number(*d) : std::string(), csv_field(o.receiver), csv_field(o.source),
          csv_field(o.resolved_by), std::to_string(o.times_notified),
          csv_field(time_text(o.first_notified_at)), csv_field(time_text(o.last_notified_at)),
          csv_field(dump(o.labels)), csv_field(dump(o.annotations)), csv_field(o.generator_url)});
}

}  // namespace mock_slack::export_rows
