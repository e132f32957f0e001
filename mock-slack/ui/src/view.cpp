#include "mock_slack_ui/view.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "text.hpp"

namespace mock_slack::ui {

const char* to_string(AlertStatus status) {
  return status == AlertStatus::firing ? "firing" : "resolved";
}

int severity_rank(const std::string& severity) {
  std::string s = severity;
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s.empty()) return 0;
  if (s == "critical" || s == "page") return 4;
  if (s == "error" || s == "high") return 3;
  if (s == "warning" || s == "ticket" || s == "medium") return 2;
  return 1;
}

namespace detail {

std::string severity_of(const OccurrenceView& o) {
  if (!o.severity.empty()) return o.severity;
  const auto it = o.labels.find("severity");
  return it == o.labels.end() ? std::string() : it->second;
}

IncidentFacts incident_facts(const IncidentView& incident) {
  IncidentFacts f;
  f.started_at_ms = incident.started_at_ms;
  f.first_notified_at_ms = incident.first_notified_at_ms;
  f.highest_severity = incident.highest_severity;
  const bool fill_started = f.started_at_ms == 0;
  const bool fill_detected = f.first_notified_at_ms == 0;
  const bool fill_severity = f.highest_severity.empty();
  std::set<std::string> services, instances;
  bool first = true;
  for (const OccurrenceView& o : incident.occurrences) {
    if (fill_started && (first || o.starts_at_ms < f.started_at_ms))
      f.started_at_ms = o.starts_at_ms;
    if (fill_detected && o.first_notified_at_ms != 0 &&
        (f.first_notified_at_ms == 0 || o.first_notified_at_ms < f.first_notified_at_ms)) {
      f.first_notified_at_ms = o.first_notified_at_ms;
    }
    const auto sev_label = o.labels.find("severity");
    const std::string& severity =
        o.severity.empty() && sev_label != o.labels.end() ? sev_label->second : o.severity;
    if (fill_severity && severity_rank(severity) > severity_rank(f.highest_severity)) {
      f.highest_severity = severity;
    }
    if (incident.services.empty()) {
      if (const auto it = o.labels.find("service"); it != o.labels.end())
        services.insert(it->second);
    }
    if (incident.instances.empty()) {
      if (const auto it = o.labels.find("instance"); it != o.labels.end()) {
        instances.insert(it->second);
      }
    }
    first = false;
  }
  if (fill_detected) {
    for (const NotificationView& n : incident.notifications) {
      if (f.first_notified_at_ms == 0 || n.received_at_ms < f.first_notified_at_ms) {
        f.first_notified_at_ms = n.received_at_ms;
      }
    }
  }
  f.services = incident.services.empty()
                   ? std::vector<std::string>(services.begin(), services.end())
                   : incident.services;
  f.instances = incident.instances.empty()
                    ? std::vector<std::string>(instances.begin(), instances.end())
                    : incident.instances;
  return f;
}

}  // namespace detail

void complete_from_occurrences(IncidentView& incident) {
  detail::IncidentFacts f = detail::incident_facts(incident);
  incident.started_at_ms = f.started_at_ms;
  incident.first_notified_at_ms = f.first_notified_at_ms;
  incident.highest_severity = std::move(f.highest_severity);
  incident.services = std::move(f.services);
  incident.instances = std::move(f.instances);
}

}  // namespace mock_slack::ui
