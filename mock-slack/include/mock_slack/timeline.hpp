#pragma once
// An incident's timeline in words: its occurrences firing and resolving and its notifications,
// oldest first ("PortalHighErrorRate firing", "notification firing to team-portal (2 alerts)").
// A view of what the store holds, not stored itself; the API's incident detail shows it. Pure;
// thread-safe.

#include <vector>

#include "mock_slack/store.hpp"

namespace mock_slack {

std::vector<TimelineEvent> incident_timeline(const IncidentDetail& detail);

}  // namespace mock_slack
