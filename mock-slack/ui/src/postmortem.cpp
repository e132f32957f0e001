#include "mock_slack_ui/postmortem.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <tuple>

#include "mock_slack_ui/html.hpp"
#include "postmortem_figures.hpp"
#include "text.hpp"

namespace mock_slack::ui {

/// An inline code span that keeps `text` literal: a fence longer than any backtick run inside,
/// line breaks as spaces, and (in a table cell) pipes escaped, which GFM honours even in code.
std::string detail::code_span(std::string_view text, bool in_table) {
  std::string body;
  std::size_t run = 0, longest = 0;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (u < 0x20 || u == 0x7f) {
      body += ' ';
    } else if (c == '|' && in_table) {
      body += "\\|";
    } else {
      body += c;
    }
  }
  const std::string fence(longest + 1, '`');
  const bool pad = body.empty() || body.front() == '`' || body.back() == '`';
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

namespace {

using detail::code_span;

/// A Markdown link to an http(s) URL, or nothing. The destination is written in angle brackets,
/// so only '<', '>' and line breaks could end it; safe_url already refused whitespace.
std::string md_link(std::string_view label, std::string_view url) {
  const std::string safe = safe_url(url);
  if (safe.empty()) return {};
  std::string dest;
  for (const char c : safe) {
    if (c == '<') {
      dest += "%3C";
    } else if (c == '>') {
      dest += "%3E";
    } else {
      dest += c;
    }
  }
  return "[" + markdown_escape(label) + "](<" + dest + ">)";
}

std::string label_pairs(const LabelMap& labels, bool in_table) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out += ", ";
    out += code_span(name + "=\"" + value + "\"", in_table);
  }
  return out.empty() ? "none" : out;
}

/// "PortalDown on 10.0.0.1:8080", escaped for Markdown.
std::string alert_name(const OccurrenceView& o) {
  std::string out = markdown_escape(o.alertname);
  if (const auto it = o.labels.find("instance"); it != o.labels.end()) {
    out += " on " + markdown_escape(it->second);
  } else if (!o.fingerprint.empty()) {
    out += " (" + markdown_escape(o.fingerprint) + ")";
  }
  return out;
}

std::string code_list(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ", ";
    out += code_span(v, false);
  }
  return out.empty() ? "none recorded" : out;
}

struct TimelineEvent {
  UnixMillis at_ms;
  int order;  // at equal times: firing, detection/notification, resolved, incident resolved
  std::size_t seq;
  std::string text;
};

}  // namespace

std::string markdown_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += ' ';
      continue;
    }
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '~':
      case '&':
      case '#':
        out += '\\';
        break;
      default:
        break;
    }
    out += c;
  }
  return out;
}

std::string render_postmortem(const IncidentView& incident_in,
                              const std::optional<IncidentSli>& sli, UnixMillis now_ms,
                              std::string_view chart_link) {
  IncidentView incident = incident_in;
  complete_from_occurrences(incident);
  const IncidentTimes times = incident_times(incident, sli ? &*sli : nullptr);
  const std::string id = std::to_string(incident.id);
  const UnixMillis end_ms = incident.resolved_at_ms.value_or(now_ms);
  const std::string start = detail::format_utc(incident.started_at_ms);
  const std::string end = incident.resolved_at_ms ? detail::format_utc(*incident.resolved_at_ms)
                                                  : "ongoing at " + detail::format_utc(now_ms);
  const std::string duration = detail::format_duration(end_ms - incident.started_at_ms) +
                               (incident.resolved_at_ms ? "" : " so far");
  const std::string severity =
      incident.highest_severity.empty() ? "none" : markdown_escape(incident.highest_severity);

  std::vector<const OccurrenceView*> alerts;
  alerts.reserve(incident.occurrences.size());
  for (const OccurrenceView& o : incident.occurrences) alerts.push_back(&o);
  std::stable_sort(alerts.begin(), alerts.end(),
                   [](const OccurrenceView* a, const OccurrenceView* b) {
                     return std::tie(a->starts_at_ms, a->alertname, a->fingerprint) <
                            std::tie(b->starts_at_ms, b->alertname, b->fingerprint);
                   });
  std::vector<std::string> names;
  std::set<std::string> seen_names;
  for (const OccurrenceView* o : alerts) {
    if (seen_names.insert(o->alertname).second) names.push_back(o->alertname);
  }
  std::string title;
  for (const std::string& n : names) title += (title.empty() ? "" : ", ") + markdown_escape(n);
  if (title.empty()) title = "Incident";
  std::set<std::string> receivers;
  for (const NotificationView& n : incident.notifications) receivers.insert(n.receiver);

  std::ostringstream md;
  md << "# " << title << ": Postmortem (incident #" << id << ")\n\n";
  md << "- **Date:** " << detail::format_utc(incident.started_at_ms).substr(0, 10) << "\n";
  md << "- **Authors:** TODO(author): your names\n";
  md << "- **Status:** Draft generated by mock-slack at " << detail::format_utc(now_ms)
     << " from the alert history; TODO(author): review and complete\n";
  md << "- **Incident window (UTC):** " << start << " to " << end << " (" << duration << ")\n\n";

  md << "## Summary\n\n";
  md << (names.size() == 1 ? "Alert " : "Alerts ") << title << " fired for "
     << (incident.services.empty() ? std::string("no service label") : code_list(incident.services))
     << " from " << start
     << (incident.resolved_at_ms ? " to " + end : ", still firing at " + detail::format_utc(now_ms))
     << " (" << duration << "); highest severity " << severity << ".\n\n";
  md << "> TODO(author): one or two sentences on what happened, for a reader outside the team.\n\n";
  detail::times_section(md, times, now_ms);
  md << "\n";

  md << "## Impact\n\n";
  md << "- **Duration:** " << duration << "\n";
  md << "- **Highest severity:** " << severity << "\n";
  md << "- **Affected services:** " << code_list(incident.services) << "\n";
  md << "- **Affected instances:** " << code_list(incident.instances) << "\n";
  detail::budget_section(md, sli, times, now_ms, chart_link);
  md << "\n> TODO(author): who and what was affected, and how much (users, failed requests, "
        "data).\n\n";

  md << "## Root Causes\n\n> TODO(author): why it happened. Blameless: systems and processes, "
        "not people.\n\n";
  md << "## Trigger\n\n> TODO(author): the event that turned the latent cause into an outage.\n\n";

  md << "## Resolution\n\n";
  if (incident.resolved_at_ms) {
    md << "All alerts resolved at " << end << ", "
       << detail::format_duration(*incident.resolved_at_ms - incident.first_notified_at_ms)
       << " after the first notification. The mitigation and resolution times, and TTM and TTR "
          "from the start of impact, are in the Summary.\n\n";
  } else {
    md << "The incident was still firing when this draft was generated ("
       << detail::format_utc(now_ms) << ").\n\n";
  }
  md << "> TODO(author): what mitigated the impact and what fixed it, with times.\n\n";

  md << "## Detection\n\n";
  md << "The first alert started at " << start << "; the first notification reached mock-slack at "
     << detail::format_utc(incident.first_notified_at_ms) << " (receiver"
     << (receivers.size() == 1 ? " " : "s ")
     << code_list(std::vector<std::string>(receivers.begin(), receivers.end())) << "), "
     << detail::format_duration(incident.first_notified_at_ms - incident.started_at_ms)
     << " after the alert started (the notification latency; TTD, from the start of impact, is in "
        "the Summary).\n\n";
  detail::drill_section(md, incident);
  md << "> TODO(author): did a human or a customer notice first? Was the alert actionable?\n\n";

  md << "## Action Items\n\n";
  md << "| Action Item | Type | Owner | Bug |\n";
  md << "|-------------|------|-------|-----|\n";
  md << "| TODO(author): what will change | prevent / mitigate / detect / process | "
        "TODO(author) | TODO(author) |\n\n";

  md << "## Lessons Learned\n\n";
  md << "### What went well\n\n> TODO(author)\n\n";
  md << "### What went wrong\n\n> TODO(author)\n\n";
  md << "### Where we got lucky\n\n> TODO(author)\n\n";

  md << "## Timeline\n\n";
  md << "All times UTC. Alert transitions and notifications as mock-slack recorded them.\n\n";
  std::vector<TimelineEvent> events;
  events.reserve(alerts.size() * 2 + incident.notifications.size() + 1);
  for (const OccurrenceView* o : alerts) {
    const std::string sev = detail::severity_of(*o);
    events.push_back({o->starts_at_ms, 0, events.size(),
                      "**Firing:** " + alert_name(*o) +
                          (sev.empty() ? "" : " (severity " + markdown_escape(sev) + ")")});
    if (o->ends_at_ms) {
      events.push_back({*o->ends_at_ms, 2, events.size(), "**Resolved:** " + alert_name(*o)});
    }
  }
  std::vector<const NotificationView*> notifications;
  for (const NotificationView& n : incident.notifications) notifications.push_back(&n);
  std::stable_sort(notifications.begin(), notifications.end(),
                   [](const NotificationView* a, const NotificationView* b) {
                     return a->received_at_ms < b->received_at_ms;
                   });
  bool first_notification = true;
  for (const NotificationView* n : notifications) {
    events.push_back(
        {n->received_at_ms, 1, events.size(),
         std::string(first_notification ? "**Detected:** first notification" : "Notification") +
             " (" + to_string(n->status) + ") delivered to receiver " +
             markdown_escape(n->receiver)});
    first_notification = false;
  }
  for (const IncidentEventView& e : incident.events) {
    events.push_back({e.at_ms, 1, events.size(),
                      "**" + markdown_escape(e.kind) + "** (" + markdown_escape(e.author) +
                          "): " + markdown_escape(e.text)});
  }
  if (incident.resolved_at_ms) {
    events.push_back(
        {*incident.resolved_at_ms, 3, events.size(), "**Incident resolved:** all alerts resolved"});
  }
  std::sort(events.begin(), events.end(), [](const TimelineEvent& a, const TimelineEvent& b) {
    return std::tie(a.at_ms, a.order, a.seq) < std::tie(b.at_ms, b.order, b.seq);
  });
  md << "| Time (UTC) | Event |\n";
  md << "|------------|-------|\n";
  for (const TimelineEvent& e : events) {
    md << "| " << detail::format_utc(e.at_ms) << " | " << e.text << " |\n";
  }
  md << "\n> TODO(author): add what people did that mock-slack did not record (calls, "
        "escalations), in order.\n\n";

  md << "## Supporting Information\n\n";
  md << "- mock-slack incident #" << id << ", group key " << code_span(incident.group_key, false)
     << "\n";
  if (const std::string am = md_link("Alertmanager", incident.external_url); !am.empty()) {
    md << "- " << am << "\n";
  }
  md << "\n### Alerts\n\n";
  for (const OccurrenceView* o : alerts) {
    md << "- **" << markdown_escape(o->alertname) << "** (" << to_string(o->status) << "), from "
       << detail::format_utc(o->starts_at_ms) << " to "
       << (o->ends_at_ms ? detail::format_utc(*o->ends_at_ms) : std::string("now")) << " ("
       << detail::format_duration(o->ends_at_ms.value_or(now_ms) - o->starts_at_ms)
       << "), notified " << o->times_notified << " times\n";
    md << "  - Labels: " << label_pairs(o->labels, false) << "\n";
    for (const char* name : {"summary", "description"}) {
      if (const auto it = o->annotations.find(name); it != o->annotations.end()) {
        md << "  - " << (name[0] == 's' ? "Summary" : "Description") << ": "
           << markdown_escape(it->second) << "\n";
      }
    }
    std::string links;
    if (const auto it = o->annotations.find("runbook_url"); it != o->annotations.end()) {
      links = md_link("Runbook", it->second);
    }
    if (const std::string graph = md_link("Graph", o->generator_url); !graph.empty()) {
      links += (links.empty() ? "" : " · ") + graph;
    }
    md << "  - Links: " << (links.empty() ? "none" : links) << "\n";
  }
  if (alerts.empty()) md << "No alert occurrences were recorded.\n";
  if (sli && sli->error.empty() && !sli->queries.empty()) {
    md << "\n### SLI and error-budget queries\n\nEvaluated at the end of the impact window ("
       << detail::format_utc(sli->impact_end_ms) << "), or over the chart's range:\n\n";
    for (const std::string& q : sli->queries) md << "- " << code_span(q, false) << "\n";
  }
  return md.str();
}

}  // namespace mock_slack::ui
