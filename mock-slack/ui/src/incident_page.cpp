// `/incidents/{id}`: render_incident() (tests/incident_page_test.cpp).
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "mock_slack_ui/html.hpp"
#include "mock_slack_ui/incident_response.hpp"
#include "page_layout.hpp"
#include "text.hpp"

namespace mock_slack::ui {

using namespace detail;  // the pages' shared parts (page_layout.hpp)

namespace {

/// The SLI section's data (the template's {{#sli}} block).
void set_sli(mus::data& d, const IncidentSliSection& sli) {
  mus::data section;
  section.set("configured", !sli.prometheus_url.empty());
  section.set("prometheus_url", sli.prometheus_url);
  section.set("failed", !sli.error.empty());
  section.set("error", sli.error);
  section.set("chart", sli.error.empty() && !sli.chart_href.empty());
  section.set("chart_href", sli.chart_href);
  mus::data figures{mus::data::type::list};
  for (const std::string& f : sli.figures) figures.push_back(f);
  section.set("figures", figures);
  d.set("sli", section);
}

}  // namespace

std::string render_incident(const IncidentView& incident_in, UnixMillis now_ms,
                            const IncidentSliSection& sli) {
  IncidentView incident = incident_in;
  complete_from_occurrences(incident);

  mus::data d;
  d.set("id", std::to_string(incident.id));
  d.set("title", incident_title(incident));
  d.set("status", to_string(incident.status));
  d.set("postmortem_href", incident_href(incident.id) + "/postmortem.md");
  d.set("started", detail::format_utc(incident.started_at_ms));
  d.set("detected", detail::format_utc(incident.first_notified_at_ms));
  d.set("time_to_detect",
        detail::format_duration(incident.first_notified_at_ms - incident.started_at_ms));
  d.set("has_resolved", incident.resolved_at_ms.has_value());
  if (incident.resolved_at_ms) {
    d.set("resolved", detail::format_utc(*incident.resolved_at_ms));
    d.set("time_to_resolve",
          detail::format_duration(*incident.resolved_at_ms - incident.first_notified_at_ms));
  }
  d.set("duration",
        detail::format_duration(incident.resolved_at_ms.value_or(now_ms) - incident.started_at_ms));
  d.set("severity", display_severity(incident.highest_severity));
  d.set("severity_rank", std::to_string(severity_rank(incident.highest_severity)));
  mus::data services{mus::data::type::list};
  for (const std::string& s : incident.services) services.push_back(s);
  d.set("services", services);
  mus::data instances{mus::data::type::list};
  for (const std::string& s : incident.instances) instances.push_back(s);
  d.set("instances", instances);
  d.set("group_key", incident.group_key);
  set_sli(d, sli);

  std::vector<const OccurrenceView*> occurrences;
  occurrences.reserve(incident.occurrences.size());
  for (const OccurrenceView& o : incident.occurrences) occurrences.push_back(&o);
  std::stable_sort(occurrences.begin(), occurrences.end(),
                   [](const OccurrenceView* a, const OccurrenceView* b) {
                     if (a->starts_at_ms != b->starts_at_ms)
                       return a->starts_at_ms < b->starts_at_ms;
                     return a->alertname < b->alertname;
                   });
  if (occurrences.size() > kIncidentPageMaxAlerts) {
    d.set("has_hidden", true);
    d.set("hidden_count", std::to_string(occurrences.size() - kIncidentPageMaxAlerts));
    occurrences.resize(kIncidentPageMaxAlerts);
  }
  mus::data& occ_list = add_list(d, "occurrences", occurrences.size());
  for (const OccurrenceView* o : occurrences) {
    const std::string severity = detail::severity_of(*o);
    mus::data& od = append_object(occ_list);
    od.set("alertname", o->alertname);
    od.set("status", to_string(o->status));
    od.set("severity", display_severity(severity));
    od.set("severity_rank", std::to_string(severity_rank(severity)));
    od.set("silenced", o->silenced);
    od.set("inhibited", o->inhibited);
    od.set("starts_at", detail::format_utc(o->starts_at_ms));
    od.set("has_ends", o->ends_at_ms.has_value());
    if (o->ends_at_ms) od.set("ends_at", detail::format_utc(*o->ends_at_ms));
    od.set("duration", detail::format_duration(o->ends_at_ms.value_or(now_ms) - o->starts_at_ms));
    od.set("times_notified", std::to_string(o->times_notified));
    od.set("first_notified", detail::format_utc(o->first_notified_at_ms));
    od.set("last_notified", detail::format_utc(o->last_notified_at_ms));
    od.set("fingerprint", o->fingerprint);
    set_if(od, "generator_url", safe_url(o->generator_url));
    if (const auto it = o->annotations.find("runbook_url"); it != o->annotations.end()) {
      set_if(od, "runbook_url", safe_url(it->second));
    }
    set_if(od, "silence_url", silence_url(incident.external_url, o->labels));
    mus::data& labels = add_list(od, "labels", o->labels.size());
    for (const auto& [name, value] : o->labels) {
      mus::data& kv = append_object(labels);
      kv.set("name", name);
      kv.set("value", value);
    }
    mus::data& annotations = add_list(od, "annotations", o->annotations.size());
    for (const auto& [name, value] : o->annotations) {
      mus::data& kv = append_object(annotations);
      kv.set("name", name);
      kv.set("value", value);
    }
    od.set("has_annotations", !o->annotations.empty());
  }
  d.set("occurrence_count", std::to_string(incident.occurrences.size()));

  // The merged timeline: alert transitions, silences, notifications and incident events (an
  // auto-healer action, a note), in time order; at equal times a transition comes before what
  // answered it, and a resolution last.
  struct Entry {
    UnixMillis at_ms;
    int order;
    std::size_t seq;
    std::string kind, author, text;
  };
  std::vector<Entry> entries;
  for (const OccurrenceView& o : incident.occurrences) {
    entries.push_back(
        {o.starts_at_ms, 0, entries.size(), "firing", "Alertmanager", o.alertname + " firing"});
    if (o.ends_at_ms) {
      entries.push_back({*o.ends_at_ms, 4, entries.size(), "resolved", "Alertmanager",
                         o.alertname + " resolved"});
    }
  }
  for (const SilenceView& s : incident.silences) {
    entries.push_back({s.starts_at_ms, 1, entries.size(), "silence", s.created_by,
                       "silence " + s.id + " until " + detail::format_utc(s.ends_at_ms) +
                           (s.comment.empty() ? "" : ": " + s.comment)});
    if (s.state == "expired") {
      entries.push_back({s.ends_at_ms, 1, entries.size(), "silence", "Alertmanager",
                         "silence " + s.id + " expired"});
    }
  }
  for (const NotificationView& n : incident.notifications) {
    entries.push_back({n.received_at_ms, 2, entries.size(), "notification", "Alertmanager",
                       std::string("notification ") + to_string(n.status) + " to " + n.receiver});
  }
  for (const IncidentEventView& e : incident.events) {
    entries.push_back({e.at_ms, 3, entries.size(), e.kind, e.author, e.text});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.at_ms, a.order, a.seq) < std::tie(b.at_ms, b.order, b.seq);
  });
  mus::data& timeline = add_list(d, "timeline", entries.size());
  for (const Entry& e : entries) {
    mus::data& row = append_object(timeline);
    row.set("time", detail::format_utc(e.at_ms));
    row.set("kind", e.kind);
    row.set("author", e.author);
    row.set("text", e.text);
  }
  d.set("event_count", std::to_string(incident.events.size()));
  d.set("response", render_incident_response(incident));

  std::vector<const NotificationView*> notifications;
  notifications.reserve(incident.notifications.size());
  for (const NotificationView& n : incident.notifications) notifications.push_back(&n);
  std::stable_sort(notifications.begin(), notifications.end(),
                   [](const NotificationView* a, const NotificationView* b) {
                     return a->received_at_ms < b->received_at_ms;
                   });
  mus::data& log = add_list(d, "notifications", notifications.size());
  for (const NotificationView* n : notifications) {
    mus::data& nd = append_object(log);
    nd.set("received", detail::format_utc(n->received_at_ms));
    nd.set("receiver", n->receiver);
    nd.set("channel_href", "/channels/" + url_encode(n->receiver));
    nd.set("status", to_string(n->status));
    nd.set("group_key", n->group_key);
  }
  d.set("notification_count", std::to_string(incident.notifications.size()));
  return layout("Incident #" + std::to_string(incident.id), 0, Page::incident, d);
}

}  // namespace mock_slack::ui
