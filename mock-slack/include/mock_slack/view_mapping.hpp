#pragma once
// Maps the store's rows (store.hpp) into the web UI's view models (mock_slack_ui/view.hpp), and
// the timeline's query into a store filter. Pure functions; thread-safe.

#include <stdexcept>

#include "mock_slack/store.hpp"
#include "mock_slack_ui/html.hpp"
#include "mock_slack_ui/view.hpp"

namespace mock_slack {

ui::UnixMillis to_unix_ms(TimePoint t);

ui::OccurrenceView to_view(const Occurrence& o);
/// Only what a chart shows: names, times, severity, status, the instance label, the incident.
ui::OccurrenceView to_view(const OccurrenceBar& o);
/// The incident's summary fields; occurrences and notifications are left empty.
ui::IncidentView to_view(const Incident& i);
ui::NotificationView to_view(const Notification& n);
/// A receiver's notification with the alerts it carried, for its default Slack message.
ui::NotificationView to_view(const DeliveredNotification& d);
ui::TimelineCounts to_view(const AlertCounts& c);
/// The whole incident: occurrences, the notification log, and the derived summary fields.
ui::IncidentView to_view(const IncidentDetail& d);
ui::SlackMessageView to_view(const Message& m);
ui::ChannelSummary to_view(const Channel& c);
ui::SilenceView to_view(const Silence& s);

/// The store filter of a timeline query over `window`: status, severity, alertname, service (as
/// an equality matcher), matchers, the window, limit and cursor. Throws std::invalid_argument
/// naming the parameter (`matcher: ...`, `cursor: ...`) for a matcher or cursor that does not
/// parse.
AlertFilter to_alert_filter(const ui::TimelineQuery& query, ui::TimeWindow window);

}  // namespace mock_slack
