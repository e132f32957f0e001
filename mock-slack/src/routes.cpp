// mock-slack's route table: every route of the API listener with its handler, who may call it,
// what it answers when all goes well, and a line on what it does. A handler lives in the file
// named for its area, and its test in tests/<area>_test.cpp; tests/routes_test.cpp checks that
// the listener serves this table and nothing else (but the kit's probes and /metrics).
#include "firedrill/log.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack_ui/html.hpp"

namespace mock_slack {

const std::vector<Receiver::Route>& Receiver::table() {
  static const std::vector<Route> kRoutes{
      // webhook.cpp
      {"POST", "/webhook", Access::write, 200, &Receiver::webhook,
       "Alertmanager's webhook notification (version 4): occurrences, incident, summary"},
      {"POST", "/api/v1/sync", Access::write, 200, &Receiver::sync,
       "alerts and silences as Alertmanager's API v2 lists them (batch-sync), idempotently"},
      // sweep_api.cpp
      {"POST", "/api/v1/sync/sweep", Access::write, 200, &Receiver::sweep,
       "after a complete sync: resolves the firing occurrences it did not list, past a grace"},
      // webhook.cpp
      {"POST", "/api/v1/retention", Access::write, 200, &Receiver::retention,
       "prunes what is older than --retention now"},
      // heartbeat.cpp
      {"POST", "/heartbeat", Access::write, 200, &Receiver::heartbeat,
       "the Watchdog's heartbeat from Alertmanager's heartbeat receiver"},
      // slack.cpp
      {"POST", "/slack/{channel*}", Access::write, 200, &Receiver::slack,
       "a Slack incoming-webhook message to a channel"},
      // query_api.cpp
      {"GET", "/api/v1/alerts", Access::read, 200, &Receiver::list_alerts,
       "occurrences, newest first, filtered and paged"},
      {"GET", "/api/v1/incidents", Access::read, 200, &Receiver::list_incidents,
       "incidents with their summaries, newest first, filtered and paged"},
      // export_api.cpp: before /api/v1/incidents/{id}, which would match it too
      {"GET", "/api/v1/incidents/export", Access::read, 200, &Receiver::export_incidents,
       "incidents with their summaries and events, streamed as NDJSON or CSV"},
      {"GET", "/api/v1/alerts/export", Access::read, 200, &Receiver::export_alerts,
       "occurrences, filtered as /api/v1/alerts, streamed as NDJSON or CSV"},
      // query_api.cpp
      {"GET", "/api/v1/incidents/{id}", Access::read, 200, &Receiver::get_incident,
       "one incident with its occurrences, notifications and timeline"},
      {"GET", "/api/v1/messages", Access::read, 200, &Receiver::list_messages,
       "Slack messages, newest first, by channel"},
      {"GET", "/api/v1/channels", Access::read, 200, &Receiver::list_channels,
       "Slack channels with their message counts"},
      {"GET", "/api/v1/silences", Access::read, 200, &Receiver::list_silences,
       "silences synced from Alertmanager, with the occurrences they silence"},
      // search_api.cpp
      {"GET", "/api/v1/search", Access::read, 200, &Receiver::search_api,
       "free-text search over alerts, labels, annotations, incident events and Slack messages"},
      // incident_events_api.cpp
      {"POST", "/api/v1/incident-events", Access::write, 201, &Receiver::post_incident_event,
       "an incident event keyed in the body, by incident or by alert occurrence"},
      {"POST", "/api/v1/incidents/{id}/events", Access::write, 201,
       &Receiver::post_event_of_incident, "an incident event of the incident in the path"},
      {"GET", "/api/v1/incidents/{id}/events", Access::read, 200, &Receiver::list_incident_events,
       "an incident's events, in time order"},
      // runbooks.cpp
      {"GET", "/runbooks/{name}", Access::read, 200, &Receiver::runbook,
       "the runbook of an alert, Markdown"},
      // pages.cpp
      {"GET", "/", Access::page, 200, &Receiver::timeline_page,
       "the timeline: incidents and a chart of their occurrences, filtered"},
      {"GET", "/incidents/{id}", Access::page, 200, &Receiver::incident_page,
       "one incident: summary, occurrences, notifications, events"},
      // incident_forms.cpp
      {"POST", "/incidents/{id}/events", Access::form, 303, &Receiver::post_incident_form,
       "the incident page's forms: acknowledge, note, mitigated, resolve, reopen (then back)"},
      // signin.cpp
      {"GET", "/signin", Access::page, 303, &Receiver::signin,
       "sign in to act on incidents (a Basic challenge, or the proxy's header), then back to next"},
      // pages.cpp
      {"GET", "/incidents/{id}/postmortem.md", Access::page, 200, &Receiver::postmortem_page,
       "the incident's postmortem draft, Markdown"},
      {"GET", "/incidents/{id}/sli.svg", Access::page, 200, &Receiver::sli_chart,
       "the SLI over the incident from Prometheus, SVG; 503 when Prometheus does not answer"},
      {"GET", "/search", Access::page, 200, &Receiver::search_page,
       "the search box and its results, each linked to its incident or channel"},
      {"GET", "/channels", Access::page, 200, &Receiver::channels_page,
       "the Slack channels and receivers with their message counts"},
      // {name*}: a receiver name may hold "/", which reaches the router decoded.
      {"GET", "/channels/{name*}", Access::page, 200, &Receiver::channel_page,
       "one channel's messages and notifications"},
      {"GET", ui::kStylePath, Access::open, 200, &Receiver::stylesheet, "the pages' stylesheet"},
  };
  return kRoutes;
}

std::vector<RouteInfo> Receiver::routes() {
  std::vector<RouteInfo> out;
  for (const Route& r : table()) {
    out.push_back({r.method, std::string(r.path), r.access, r.success_code, r.description});
  }
  return out;
}

void Receiver::register_routes(firedrill::Service& service) {
  for (const Route& route : table()) {
    firedrill::http::Handler h;
    switch (route.access) {
      case Access::write:  // checks its own credentials: a rejection is counted with its reason
      case Access::open:
        h = [this, m = route.handler](const Request& req, Response& res) { (this->*m)(req, res); };
        break;
      case Access::read:
        h = [this, m = route.handler](const Request& req, Response& res) {
          if (may_read(req, res)) (this->*m)(req, res);
        };
        break;
      case Access::page:
      case Access::form:
        // No exception escapes a page: a failure is an HTML page under the CSP, and logged.
        h = [this, m = route.handler](const Request& req, Response& res) {
          if (!may_read(req, res, true)) return;
          try {
            (this->*m)(req, res);
          } catch (const std::exception& e) {
            firedrill::log::error("page failed",
                                  {{"route", std::string(req.route)}, {"error", e.what()}});
            page_failure(res, 500, "Internal error",
                         "The page could not be produced; see the logs.");
          }
        };
        break;
    }
    service.api().route(route.method, route.path, std::move(h), route.success_code);
  }
}

}  // namespace mock_slack
