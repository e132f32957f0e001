#pragma once

/// View models of mock-slack's web UI and postmortem drafts: plain data, no behaviour, no
/// dependency on the store. The route glue maps the store's rows into these and hands them to the
/// renderers in html.hpp and postmortem.hpp.
///
/// Units: every time is `UnixMillis`, milliseconds since the Unix epoch, UTC. The store keeps
/// nanoseconds; convert with `ns / 1'000'000` (or unix_millis_from_ns below).

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mock_slack::ui {

/// Milliseconds since 1970-01-01T00:00:00Z.
using UnixMillis = std::int64_t;

inline constexpr UnixMillis unix_millis_from_ns(std::int64_t ns) { return ns / 1'000'000; }

using LabelMap = std::map<std::string, std::string>;

enum class AlertStatus { firing, resolved };

/// "firing" or "resolved".
const char* to_string(AlertStatus status);

/// One alert occurrence: an alert identified by (fingerprint, starts_at).
struct OccurrenceView {
  std::string fingerprint;
  std::string alertname;  ///< labels["alertname"], denormalised
  AlertStatus status = AlertStatus::firing;
  std::string severity;  ///< labels["severity"], empty when absent
  LabelMap labels;
  LabelMap annotations;
  UnixMillis starts_at_ms = 0;
  std::optional<UnixMillis> ends_at_ms;  ///< set once resolved; never a firing alert's endsAt
  UnixMillis first_notified_at_ms = 0;   ///< when mock-slack first received it
  UnixMillis last_notified_at_ms = 0;
  std::int64_t times_notified = 0;
  std::string generator_url;  ///< as sent; rendered as a link only when it is http(s)
  /// Known only when the glue has them (the webhook never delivers silenced or inhibited alerts,
  /// Alertmanager's API v2 does).
  bool silenced = false;
  bool inhibited = false;
  std::optional<std::int64_t> incident_id;  ///< groups the timeline chart's bars into rows
};

/// One webhook notification as received.
struct NotificationView {
  UnixMillis received_at_ms = 0;
  std::string receiver;
  AlertStatus status = AlertStatus::firing;
  std::string group_key;
  /// The remaining fields are optional context: the notification log needs none of them, the
  /// default Slack message (default_slack_message) uses them when present.
  LabelMap group_labels;
  LabelMap common_labels;
  LabelMap common_annotations;
  std::string external_url;
  std::int64_t truncated_alerts = 0;
  std::vector<OccurrenceView> alerts;  ///< the alerts as delivered in this notification
};

/// An incident event (mock-slack's incident_events): an auto-healer action, a note, ...
struct IncidentEventView {
  UnixMillis at_ms = 0;
  std::string author;
  std::string kind;  ///< "auto_heal", "note", "acknowledged", ...
  std::string text;
  /// The event's details object as its writer sent it; a "drill" event's measurements are read
  /// from it by the postmortem draft (postmortem.hpp).
  nlohmann::json details = nlohmann::json::object();
};

/// An Alertmanager silence that silenced one of the incident's alerts (as of its last sync).
struct SilenceView {
  std::string id;
  std::string state;  ///< "active", "pending" or "expired"
  std::string created_by;
  std::string comment;
  UnixMillis starts_at_ms = 0;
  UnixMillis ends_at_ms = 0;
};

/// The incident page's forms (acknowledge, note, mitigated, resolve, reopen): offered only to a
/// signed-in user, whose name signs what they post.
struct IncidentFormsView {
  bool offered = false;
  std::string user;        ///< who is signed in
  std::string csrf_token;  ///< the hidden field every form carries
  std::string why_not;     ///< when not offered: what would enable them
  std::string signin_url;  ///< when not offered and a person could sign in: GET /signin?next=...
};

/// Occurrences of one group key that overlap in time.
struct IncidentView {
  std::int64_t id = 0;
  std::string group_key;
  AlertStatus status = AlertStatus::firing;  ///< firing while any occurrence fires
  UnixMillis started_at_ms = 0;              ///< earliest occurrence startsAt
  UnixMillis first_notified_at_ms = 0;       ///< detection: first notification received
  std::optional<UnixMillis> resolved_at_ms;  ///< when the last occurrence resolved
  std::string highest_severity;              ///< see severity_rank()
  std::vector<std::string> services;         ///< distinct `service` label values, sorted
  std::vector<std::string> instances;        ///< distinct `instance` label values, sorted
  std::vector<OccurrenceView> occurrences;
  std::vector<NotificationView> notifications;  ///< the notification log (any order)
  std::vector<IncidentEventView> events;        ///< incident events (any order)
  std::vector<SilenceView> silences;            ///< silences of its alerts (any order)
  IncidentFormsView forms;                      ///< the page's forms; not offered by default
  std::string external_url;  ///< Alertmanager's externalURL from the latest notification
};

/// Fills whichever of started_at_ms (0), first_notified_at_ms (0), highest_severity, services and
/// instances (empty) are unset from the occurrences and notifications, so the glue may leave them
/// to this. Linear in the number of occurrences and notifications.
void complete_from_occurrences(IncidentView& incident);

/// Ranks severities for "highest severity": critical/page 4, error/high 3, warning/ticket/medium 2,
/// any other non-empty value (info, low, ...) 1, empty 0. Case-insensitive.
int severity_rank(const std::string& severity);

/// One message in the Slack mock, as Slack's incoming-webhook JSON carries it.
struct SlackField {
  std::string title;
  std::string value;
  bool short_field = false;  ///< Slack's `short`: two fields side by side
};

/// Text is as Slack receives it: Slack's escapes (&amp; &lt; &gt;) and, where Slack formats it,
/// mrkdwn. The channel page renders it as Slack shows it (mrkdwn.hpp).
struct SlackAttachment {
  std::string color;  ///< "#rrggbb", "good", "warning" or "danger"; anything else is ignored
  std::string title;  ///< never mrkdwn
  std::string title_link;
  std::string pretext;
  std::string text;
  std::string footer;
  std::vector<SlackField> fields;
  /// Slack's `mrkdwn_in`: which of "pretext", "text" and "fields" (the values) are mrkdwn; the
  /// others are plain text. Empty, as in Slack, formats none of them.
  std::vector<std::string> mrkdwn_in;
};

struct SlackMessageView {
  std::string channel;
  UnixMillis received_at_ms = 0;
  std::string username;
  std::string text;
  bool mrkdwn = true;  ///< Slack's `mrkdwn`: false shows `text` as plain text
  std::vector<SlackAttachment> attachments;
  std::string blocks_json;  ///< `blocks` as raw JSON text, empty when absent
};

/// A channel in the Slack mock's channel list.
struct ChannelSummary {
  std::string name;
  std::int64_t message_count = 0;
  std::optional<UnixMillis> last_message_at_ms;
};

/// The time range presets of the timeline.
enum class RangePreset { last_1h, last_6h, last_24h, last_7d, last_30d, custom };

/// The timeline's filters. The URL is the state: parse_timeline_query() reads it from the query
/// parameters and to_query_string() writes it back, so a filtered view can be shared.
struct TimelineQuery {
  std::optional<AlertStatus> status;  ///< nullopt: any
  std::string severity;               ///< exact label value; empty: any
  std::string alertname;              ///< exact; empty: any
  std::string service;                ///< exact `service` label value; empty: any
  std::vector<std::string> matchers;  ///< Alertmanager syntax, e.g. `instance=~"10\\..*"`, ANDed
  RangePreset range = RangePreset::last_24h;
  std::optional<UnixMillis> since_ms;  ///< custom range only
  std::optional<UnixMillis> until_ms;  ///< custom range only; nullopt: now
  std::string cursor;                  ///< opaque paging cursor from TimelinePage::next_cursor
  int limit = 50;                      ///< incidents per page, 1..500
  int refresh_seconds = 0;             ///< auto-refresh period; 0: off

  bool operator==(const TimelineQuery&) const = default;
};

struct TimelineCounts {
  std::int64_t incidents = 0;  ///< matching the filters in the range (all pages)
  std::int64_t incidents_firing = 0;
  std::int64_t occurrences = 0;
  std::int64_t occurrences_firing = 0;
};

/// What the store returns for a TimelineQuery.
struct TimelinePage {
  std::vector<IncidentView> incidents;  ///< this page, newest first (occurrences may be empty)
  /// The chart's bars: occurrences overlapping the range, each with incident_id set; bars are
  /// grouped into one row per incident, rows ordered newest first. Cap it (e.g. 500) in the store.
  std::vector<OccurrenceView> chart_occurrences;
  TimelineCounts counts;
  std::string next_cursor;  ///< empty on the last page
};

}  // namespace mock_slack::ui
