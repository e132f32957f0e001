#include "mock_slack_ui/view.hpp"

#include <algorithm>
#include <cctype>
#include <set>

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

void complete_from_occurrences(IncidentView& incident) {
  const bool fill_started = incident.started_at_ms == 0;
  const bool fill_detected = incident.first_notified_at_ms == 0;
  const bool fill_severity = incident.highest_severity.empty();
  std::set<std::string> services, instances;
  bool first = true;
  for (const OccurrenceView& o : incident.occurrences) {
    if (fill_started && (first || o.starts_at_ms < incident.started_at_ms)) {
      incident.started_at_ms = o.starts_at_ms;
    }
    if (fill_detected && o.first_notified_at_ms != 0 &&
        (incident.first_notified_at_ms == 0 ||
         o.first_notified_at_ms < incident.first_notified_at_ms)) {
      incident.first_notified_at_ms = o.first_notified_at_ms;
    }
    const std::string& severity = o.severity.empty() && o.labels.count("severity") != 0
                                      ? o.labels.at("severity")
                                      : o.severity;
    if (fill_severity && severity_rank(severity) > severity_rank(incident.highest_severity)) {
      incident.highest_severity = severity;
    }
    if (const auto it = o.labels.find("service"); it != o.labels.end()) services.insert(it->second);
    if (const auto it = o.labels.find("instance"); it != o.labels.end()) {
      instances.insert(it->second);
    }
    first = false;
  }
  if (fill_detected) {
    for (const NotificationView& n : incident.notifications) {
      if (incident.first_notified_at_ms == 0 || n.received_at_ms < incident.first_notified_at_ms) {
        incident.first_notified_at_ms = n.received_at_ms;
      }
    }
  }
  if (incident.services.empty()) incident.services.assign(services.begin(), services.end());
  if (incident.instances.empty()) incident.instances.assign(instances.begin(), instances.end());
}

}  // namespace mock_slack::ui
