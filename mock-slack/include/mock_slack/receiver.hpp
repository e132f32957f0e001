#pragma once
// The HTTP face of mock-slack on its API listener: the Alertmanager webhook, the Watchdog's
// heartbeat, the Slack mock, the sync and retention endpoints batch-sync calls, the JSON API,
// incident events, runbooks and the web UI's pages and forms. Every route is a row of the one
// route table in routes.cpp; handlers live in one file per area (webhook.cpp, sweep_api.cpp,
// heartbeat.cpp, slack.cpp, query_api.cpp, incident_events_api.cpp, runbooks.cpp, pages.cpp,
// incident_forms.cpp), each with a test of the same name. Thread-safe once constructed.

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "firedrill/alerting/payload.hpp"
#include "firedrill/service.hpp"
#include "mock_slack/auth.hpp"
#include "mock_slack/csrf.hpp"
#include "mock_slack/pages.hpp"
#include "mock_slack/sli_cache.hpp"
#include "mock_slack/store.hpp"

namespace prometheus {
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace mock_slack {

class Watchdog;

struct ReceiverOptions {
  /// For /webhook, /heartbeat, /api/v1/sync, /api/v1/retention, /slack/* and writing incident
  /// events (which need them configured).
  Credentials credentials;
  /// For the pages, the JSON API's GET routes and /runbooks/*; off by default.
  ReadCredentials read;
  PagesOptions pages;
  std::filesystem::path runbooks_dir = "runbooks";
  firedrill::alerting::PayloadLimits limits;
  /// Distinct receiver names counted separately in metrics; further ones count as "other".
  std::size_t max_receiver_labels = 100;
  /// The forms' CSRF secret and session ids (csrf.hpp) are drawn from it.
  RandomBytes random = system_random_bytes;
};

/// Who may call a route.
enum class Access {
  write,  ///< the webhook credentials, checked by the handler itself (it counts rejections)
  read,   ///< the read credentials, when configured; a refusal is JSON
  page,   ///< the read credentials, when configured; a refusal or failure is an HTML page
  /// A page's form: as `page`, then the handler needs a signed-in user (the author), a CSRF
  /// token of their session and a same-origin request (incident_forms.cpp)
  form,
  open,  ///< anyone (the stylesheet: no data, and the sign-in page needs it)
};

/// One row of the route table, as a reader (and routes_test.cpp) sees it.
struct RouteInfo {
  std::string method;  ///< "GET" or "POST"
  std::string path;    ///< the router's pattern: /api/v1/incidents/{id}
  Access access = Access::read;
  int success_code = 200;  ///< what it answers when all goes well
  std::string description;
};

/// Logs what apply_retention() did (POST /api/v1/retention and the retention loop alike).
void log_retention(const RetentionResult& r);

/// Registers mock-slack's routes on the service's API listener. Must outlive the service's
/// listeners (stop the service first). `watchdog`, when given, receives the heartbeats; without
/// one, POST /heartbeat answers 503.
class Receiver {
 public:
  Receiver(firedrill::Service& service, Store& store, ReceiverOptions options,
           Watchdog* watchdog = nullptr);
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  /// The route table (routes.cpp), in its order.
  static std::vector<RouteInfo> routes();

 private:
  using Request = firedrill::http::Request;
  using Response = httplib::Response;
  using Handler = void (Receiver::*)(const Request&, Response&);
  struct Route {
    const char* method;
    std::string_view path;
    Access access;
    int success_code;
    Handler handler;
    const char* description;
  };
  // routes.cpp
  static const std::vector<Route>& table();
  void register_routes(firedrill::Service& service);

  // webhook.cpp
  void webhook(const Request& req, Response& res);
  void sync(const Request& req, Response& res);
  void retention(const Request& req, Response& res);
  // sweep_api.cpp
  void sweep(const Request& req, Response& res);
  /// Answers 401 (and counts it) when auth is on and the request lacks valid credentials.
  bool authorized(const Request& req, Response& res);
  /// Answers 401 or 403 (JSON, or an HTML page `as_page`) when read auth is on and the request
  /// lacks read credentials.
  bool may_read(const Request& req, Response& res, bool as_page = false) const;
  /// Answers 415/400 for a body that cannot be JSON; true to go on.
  bool json_body(const Request& req, Response& res, const char* expected);
  void reject(Response& res, int status, const std::string& reason, std::string_view message);
  prometheus::Counter& notifications(const std::string& receiver, std::string_view status);

  // heartbeat.cpp
  void heartbeat(const Request& req, Response& res);
  // slack.cpp
  void slack(const Request& req, Response& res);
  // query_api.cpp
  void list_alerts(const Request& req, Response& res);
  void list_incidents(const Request& req, Response& res);
  void get_incident(const Request& req, Response& res);
  void list_messages(const Request& req, Response& res);
  void list_channels(const Request& req, Response& res);
  void list_silences(const Request& req, Response& res);
  // export_api.cpp
  void export_incidents(const Request& req, Response& res);
  void export_alerts(const Request& req, Response& res);
  // search_api.cpp
  void search_api(const Request& req, Response& res);
  void search_page(const Request& req, Response& res);
  // incident_events_api.cpp
  void post_incident_event(const Request& req, Response& res);
  void post_event_of_incident(const Request& req, Response& res);
  void list_incident_events(const Request& req, Response& res);
  void add_event(const Request& req, Response& res, std::optional<std::int64_t> incident_id);
  // runbooks.cpp
  void runbook(const Request& req, Response& res);
  // pages.cpp
  void timeline_page(const Request& req, Response& res);
  void incident_page(const Request& req, Response& res);
  void postmortem_page(const Request& req, Response& res);
  void sli_chart(const Request& req, Response& res);
  void channels_page(const Request& req, Response& res);
  void channel_page(const Request& req, Response& res);
  void stylesheet(const Request& req, Response& res);
  // incident_forms.cpp
  void post_incident_form(const Request& req, Response& res);
  /// The incident page's forms for this request: offered to a signed-in user, with a token of
  /// their session (a new session's cookie is set on `res`); else why not.
  ui::IncidentFormsView incident_forms(const Request& req, Response& res) const;
  // signin.cpp
  void signin(const Request& req, Response& res);
  /// The signed-in user (ReadAuth::user), or empty.
  std::string signed_in_user(const Request& req) const;
  /// A page with the alarm banner while there is one.
  void page(Response& res, int status, std::string html) const;
  /// An error page without the banner: a refusal of the read credentials, or a page that failed.
  void page_failure(Response& res, int status, std::string_view title,
                    std::string_view detail) const;

  Store& store_;
  Watchdog* watchdog_;
  ReceiverOptions options_;
  WebhookAuth auth_;
  ReadAuth read_auth_;
  CsrfGuard csrf_;
  SliCache sli_cache_;
  prometheus::Family<prometheus::Counter>& notifications_;
  prometheus::Family<prometheus::Counter>& rejected_;
  std::mutex receivers_mutex_;
  std::unordered_set<std::string> receivers_seen_;
};

/// Parses the query filters of /api/v1/alerts and /api/v1/incidents. Throws
/// std::invalid_argument whose what() names the parameter: `limit: expected an integer ...`.
AlertFilter parse_alert_filter(const firedrill::http::Request& req, TimePoint now);

}  // namespace mock_slack
