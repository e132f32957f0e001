#pragma once
// The HTTP face of mock-slack: the Alertmanager webhook, the Slack mock, the sync and retention
// endpoints batch-sync calls, the JSON API and runbooks. Every route is a row of the one route
// table in routes.cpp; handlers live in one file per area (webhook.cpp, sweep_api.cpp, slack.cpp,
// query_api.cpp, runbooks.cpp), each with a test of the same name.

#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "firedrill/alerting/payload.hpp"
#include "firedrill/service.hpp"
#include "mock_slack/auth.hpp"
#include "mock_slack/store.hpp"

namespace prometheus {
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace mock_slack {

struct ReceiverOptions {
  Credentials credentials;  ///< for /webhook, /api/v1/sync, /api/v1/retention and /slack/*
  ReadCredentials read;     ///< for the JSON API's GET routes and /runbooks/*; off by default
  std::filesystem::path runbooks_dir = "runbooks";
  firedrill::alerting::PayloadLimits limits;
  /// Distinct receiver names counted separately in metrics; further ones count as "other".
  std::size_t max_receiver_labels = 100;
};

/// One row of the route table, as a reader (and routes_test.cpp) sees it.
struct RouteInfo {
  std::string method;  ///< "GET" or "POST"
  std::string path;    ///< the router's pattern: /api/v1/incidents/{id}
  bool write = false;  ///< needs the webhook credentials; else the read credentials
  std::string description;
};

/// Registers mock-slack's routes on the service's API listener. Must outlive the service's
/// listeners (stop the service first). Thread-safe once registered.
class Receiver {
 public:
  Receiver(firedrill::Service& service, Store& store, ReceiverOptions options);
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
    const char* path;
    bool write;
    Handler handler;
    const char* description;
  };
  // routes.cpp
  static const std::vector<Route>& table();

  // webhook.cpp
  void webhook(const Request& req, Response& res);
  void sync(const Request& req, Response& res);
  void retention(const Request& req, Response& res);
  // sweep_api.cpp
  void sweep(const Request& req, Response& res);
  /// Answers 401 (and counts it) when auth is on and the request lacks valid credentials.
  bool authorized(const Request& req, Response& res);
  /// Answers 401 or 403 when read auth is on and the request lacks read credentials.
  bool may_read(const Request& req, Response& res) const;
  /// Answers 415/400 for a body that cannot be JSON; true to go on.
  bool json_body(const Request& req, Response& res, const char* expected);
  void reject(Response& res, int status, const std::string& reason, std::string_view message);
  prometheus::Counter& notifications(const std::string& receiver, std::string_view status);

  // slack.cpp
  void slack(const Request& req, Response& res);
  // query_api.cpp
  void list_alerts(const Request& req, Response& res);
  void list_incidents(const Request& req, Response& res);
  void get_incident(const Request& req, Response& res);
  void list_messages(const Request& req, Response& res);
  void list_channels(const Request& req, Response& res);
  void list_silences(const Request& req, Response& res);
  // runbooks.cpp
  void runbook(const Request& req, Response& res);

  Store& store_;
  ReceiverOptions options_;
  WebhookAuth auth_;
  ReadAuth read_auth_;
  prometheus::Family<prometheus::Counter>& notifications_;
  prometheus::Family<prometheus::Counter>& rejected_;
  std::mutex receivers_mutex_;
  std::unordered_set<std::string> receivers_seen_;
};

/// Parses the query filters of /api/v1/alerts and /api/v1/incidents. Throws
/// std::invalid_argument whose what() names the parameter: `limit: expected an integer ...`.
AlertFilter parse_alert_filter(const firedrill::http::Request& req, TimePoint now);

}  // namespace mock_slack
