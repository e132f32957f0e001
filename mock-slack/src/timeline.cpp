#include "mock_slack/timeline.hpp"

#include <algorithm>

namespace mock_slack {

std::vector<TimelineEvent> incident_timeline(const IncidentDetail& d) {
  std::vector<TimelineEvent> timeline;
  for (const auto& o : d.occurrences) {
    const std::string name = o.labels.value("alertname", std::string("alert"));
    timeline.push_back({o.starts_at, "firing", o.id, std::nullopt,
                        name + (o.source == "sync" ? " firing (found by batch-sync)" : " firing")});
    if (o.ends_at) {
      // A sweep's end is an estimate: the last time it was seen active.
      timeline.push_back(
          {*o.ends_at, "resolved", o.id, std::nullopt,
           name + (o.resolved_by == "sweep" ? " resolved (last seen active; batch-sync's sweep)"
                                            : " resolved")});
    }
  }
  for (const auto& n : d.notifications) {
    timeline.push_back({n.received_at, "notification", std::nullopt, n.id,
                        "notification " + n.status + " to " + n.receiver + " (" +
                            std::to_string(n.alert_count) + " alerts)"});
  }
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) { return a.time < b.time; });
  return timeline;
}

}  // namespace mock_slack
