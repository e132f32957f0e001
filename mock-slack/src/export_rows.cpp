// The export's rows (export_rows.hpp; tests/export_api_test.cpp).
#include "export_rows.hpp"

#include <initializer_list>

#include "api_json.hpp"

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
  return header({"id", "status", "receiver", "groupKey", "startedAt", "firstNotifiedAt",
                 "resolvedAt", "durationSeconds", "alertCount", "firingCount", "notificationCount",
                 "severity", "alertnames", "services", "groupLabels", "eventCount", "events"});
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
  out += dump(j);
  out += '\n';
}

void incident_csv(std::string& out, const Incident& i, const std::vector<IncidentEvent>& events) {
  const auto d = duration_seconds(i.started_at, i.resolved_at);
  record(out, {std::to_string(i.id), csv_field(i.status), csv_field(i.receiver),
               csv_field(i.group_key), csv_field(alerting::format_time(i.started_at)),
               csv_field(alerting::format_time(i.first_notified_at)),
               csv_field(time_text(i.resolved_at)), d ? number(*d) : std::string(),
               std::to_string(i.alert_count), std::to_string(i.firing_count),
               std::to_string(i.notification_count), csv_field(i.severity),
               csv_field(joined(i.alertnames)), csv_field(joined(i.services)),
               csv_field(dump(i.group_labels)), std::to_string(events.size()),
               csv_field(dump(events_json(events)))});
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
