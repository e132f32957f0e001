// mock-slack's route table: every route of the API listener but the pages' (pages.cpp), with its
// handler, the credentials it needs, and a line on what it does. A handler lives in the file named
// for its area, and its test in tests/<area>_test.cpp.
#include "mock_slack/receiver.hpp"

namespace mock_slack {

const std::vector<Receiver::Route>& Receiver::table() {
  static const std::vector<Route> kRoutes{
      // webhook.cpp
      {"POST", "/webhook", true, &Receiver::webhook,
       "Alertmanager's webhook notification (version 4): occurrences, incident, summary"},
      {"POST", "/api/v1/sync", true, &Receiver::sync,
       "alerts and silences as Alertmanager's API v2 lists them (batch-sync), idempotently"},
      // sweep_api.cpp
      {"POST", "/api/v1/sync/sweep", true, &Receiver::sweep,
       "after a complete sync: resolves the firing occurrences it did not list, past a grace"},
      // webhook.cpp
      {"POST", "/api/v1/retention", true, &Receiver::retention,
       "prunes what is older than --retention now"},
      // slack.cpp
      {"POST", "/slack/{channel*}", true, &Receiver::slack,
       "a Slack incoming-webhook message to a channel"},
      // query_api.cpp
      {"GET", "/api/v1/alerts", false, &Receiver::list_alerts,
       "occurrences, newest first, filtered and paged"},
      {"GET", "/api/v1/incidents", false, &Receiver::list_incidents,
       "incidents with their summaries, newest first, filtered and paged"},
      {"GET", "/api/v1/incidents/{id}", false, &Receiver::get_incident,
       "one incident with its occurrences, notifications and timeline"},
      {"GET", "/api/v1/messages", false, &Receiver::list_messages,
       "Slack messages, newest first, by channel"},
      {"GET", "/api/v1/channels", false, &Receiver::list_channels,
       "Slack channels with their message counts"},
      {"GET", "/api/v1/silences", false, &Receiver::list_silences,
       "silences synced from Alertmanager, with the occurrences they silence"},
      // runbooks.cpp
      {"GET", "/runbooks/{name}", false, &Receiver::runbook, "the runbook of an alert, Markdown"},
  };
  return kRoutes;
}

std::vector<RouteInfo> Receiver::routes() {
  std::vector<RouteInfo> out;
  for (const Route& r : table()) out.push_back({r.method, r.path, r.write, r.description});
  return out;
}

}  // namespace mock_slack
