#pragma once
// The kit's HTTP listener on cpp-httplib: route templates, the request a handler sees, JSON and
// HTML helpers, limits on the request head and body, metrics and access logs for every request,
// and the list of routes a route-table test compares with. Thread-safe after start().

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "firedrill/html_escape.hpp"
#include "firedrill/metrics.hpp"

namespace firedrill::http {

/// "host:port", "[::1]:port" or ":port" (all interfaces). Port 0 asks the kernel for a free port.
struct ListenAddress {
  std::string host;
  int port = 0;
  std::string to_string() const;
};
std::optional<ListenAddress> parse_listen_address(std::string_view text);

/// Settings of one listener. The defaults are chosen by measurement (see bench/ and the comment in
/// http_server.cpp): cpp-httplib's own defaults serve about 300 requests/s on this class of
/// machine.
struct ServerOptions {
  std::string name = "api";  ///< used in logs: "api" or "ops"
  /// cpp-httplib serves each connection on one worker for as long as it is kept alive, so the pool
  /// must be at least the number of concurrent keep-alive clients expected.
  std::size_t worker_threads = 64;
  std::size_t keep_alive_max_requests = 100000;
  std::chrono::milliseconds keep_alive_timeout{5000};
  /// From a request's first byte to its last (not per read): a client that trickles bytes gets
  /// 408 when it passes, and the connection closes.
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};         ///< to write one response, in all
  std::size_t max_body_bytes = std::size_t{1024} * 1024;  ///< larger bodies get 413
  /// Limits on the request head (cpp-httplib's compiled build enforces none of them before it
  /// has read the whole line): over them a request gets 414 or 431 and the connection closes.
  std::size_t max_request_line_bytes = 8192;
  std::size_t max_header_line_bytes = 8192;
  std::size_t max_header_count = 100;
  std::size_t max_head_bytes = 32768;
  int listen_backlog = 1024;
  bool access_log = true;  ///< one JSON log line per request
};

/// What a handler sees: the raw request plus the route it matched.
struct Request {
  const httplib::Request& http;
  std::string_view route;           ///< the route template, e.g. "/api/items/{id}"
  std::string_view request_id;      ///< from X-Request-Id, or generated
  std::vector<std::string> params;  ///< values of the template's {placeholders}, in order

  const std::string& body() const { return http.body; }
  /// The query parameter's value, or nullopt when absent.
  std::optional<std::string> query(const char* name) const;
  std::string header(const char* name) const { return http.get_header_value(name); }
};

using Handler = std::function<void(const Request&, httplib::Response&)>;

/// Writes `body` as JSON with the given status.
void json_response(httplib::Response& res, int status, const nlohmann::json& body);
/// Writes {"error": message} with the given status.
void error_response(httplib::Response& res, int status, std::string_view message);

/// An HTTP listener on cpp-httplib with a service's settings, routing on route templates, metrics
/// and access logs for every request, and JSON bodies for every error. Thread-safe after start().
///
/// Routes are templates: "/api/items/{id}" matches one path segment per placeholder; a final
/// "{name*}" matches the rest of the path (one or more segments). A path that matches a route's
/// template but not its method answers 405 with Allow; no match answers 404. Every request counts
/// in http_requests_total under its route template, or "unmatched", never the raw path, and under
/// its method only when some route serves that method (HEAD when some route serves GET); every
/// other method counts as "other", so made-up methods cannot grow the series count.
class Server {
 public:
  Server(ServerOptions options, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Registers a handler. Call before start(). HEAD is served by GET routes.
  /// `success_code` is the status the route answers when all goes well: its
  /// http_requests_total series is exposed at zero from the start, so that an idle service has
  /// its request series from the first scrape.
  void route(std::string_view method, std::string_view path_template, Handler handler,
             int success_code = 200);
  void get(std::string_view t, Handler h) { route("GET", t, std::move(h)); }
  void post(std::string_view t, Handler h, int success_code = 200) {
    route("POST", t, std::move(h), success_code);
  }
  void put(std::string_view t, Handler h) { route("PUT", t, std::move(h)); }
  void del(std::string_view t, Handler h) { route("DELETE", t, std::move(h)); }

  /// Binds the socket; returns the bound port. Throws std::runtime_error naming the address when
  /// the address is taken or invalid.
  int bind(const ListenAddress& address);
  /// Serves on a background thread. bind() first.
  void start();
  /// Stops accepting, lets in-flight requests finish, and joins the thread. Idempotent.
  void stop();

  int port() const { return port_; }
  const ServerOptions& options() const { return options_; }

  /// The `method` label for a request's method: the method itself when a route serves it, or
  /// "other".
  std::string_view method_label(std::string_view method) const;

  /// A registered route as a route table names it.
  struct RouteKey {
    std::string method;         ///< "GET", "POST", ...
    std::string path_template;  ///< "/api/items/{id}"
    bool operator==(const RouteKey&) const = default;
  };
  /// The routes registered so far, in their order: what a service's route-table test compares
  /// its table with, so that nothing is served that the table does not list.
  std::vector<RouteKey> routes() const;

 private:
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<std::string> segments;
    bool rest = false;  // the last segment is {name*}
    Handler handler;
    HttpRouteMetrics* metrics = nullptr;  // for this method; HEAD is looked up separately
  };
  struct Match {
    const Route* route = nullptr;
    const Route* path_route = nullptr;  // a route whose template matched but not its method
    std::string allow;
    std::vector<std::string> params;
  };

  Match match(std::string_view method, std::string_view path) const;
  void dispatch(const httplib::Request& req, httplib::Response& res);
  void account(const httplib::Request& req, int status, std::string_view route,
               std::string_view request_id, std::chrono::steady_clock::time_point start);

  ServerOptions options_;
  Metrics& metrics_;
  std::unique_ptr<httplib::Server> server_;  // the kit's GuardedServer (request_guard.hpp)
  std::vector<Route> routes_;
  std::vector<std::string> routed_methods_;  // the methods of routes_, plus HEAD with GET
  std::atomic<int> socket_fd_{-1};
  int port_ = 0;
  std::string address_text_;
  std::thread thread_;
  std::atomic<bool> started_{false};
  std::atomic<bool> thread_exited_{false};
};

}  // namespace firedrill::http
