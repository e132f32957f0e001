#include "firedrill/http_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>

#include "firedrill/log.hpp"
#include "request_guard.hpp"

namespace firedrill::http {

std::string ListenAddress::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 address must be bracketed
  }
  if (port_text.empty() || port_text.size() > 5) return std::nullopt;
  int port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return std::nullopt;
  ListenAddress out;
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  out.port = port;
  return out;
}

std::optional<std::string> Request::query(const char* name) const {
  if (!http.has_param(name)) return std::nullopt;
  return http.get_param_value(name);
}

void json_response(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  "application/json");
}

void error_response(httplib::Response& res, int status, std::string_view message) {
  json_response(res, status, nlohmann::json{{"error", message}});
}

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string generate_request_id() {
  // Request ids only need to be unique enough to correlate log lines; they are never asserted on.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::uint64_t v = rng();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i) {
    id[static_cast<std::size_t>(i)] = hex[v & 0xf];
    v >>= 4;
  }
  return id;
}

const char* default_message(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 408:
      return "request timeout";
    case 413:
      return "request body too large";
    case 414:
      return "request URI too long";
    case 415:
      return "unsupported media type";
    case 416:
      return "range not satisfiable";
    case 429:
      return "too many requests";
    case 431:
      return "request header fields too large";
    case 503:
      return "service unavailable";
    default:
      return status >= 500 ? "internal server error" : "request failed";
  }
}

}  // namespace

namespace {

detail::RequestLimits request_limits(const ServerOptions& o) {
  detail::RequestLimits l;
  l.max_request_line_bytes = o.max_request_line_bytes;
  l.max_header_line_bytes = o.max_header_line_bytes;
  l.max_header_count = o.max_header_count;
  l.max_head_bytes = o.max_head_bytes;
  l.request_timeout = o.read_timeout;
  l.write_timeout = o.write_timeout;
  l.keep_alive_timeout = o.keep_alive_timeout;
  l.keep_alive_max_requests = o.keep_alive_max_requests;
  return l;
}

}  // namespace

Server::Server(ServerOptions options, Metrics& metrics)
    : options_(std::move(options)), metrics_(metrics) {
  // Requests the guard refuses (head limits, the request deadline) never reach cpp-httplib's
  // handlers: they are counted and logged here, under "unmatched".
  server_ = std::make_unique<detail::GuardedServer>(
      request_limits(options_), [this](const detail::Refusal& r, const std::string& remote) {
        httplib::Request req;
        req.method = r.method;
        req.remote_addr = remote;
        account(req, r.status, "unmatched", generate_request_id(),
                std::chrono::steady_clock::now());
      });
  // Settings, measured with wrk -t2 -c64 on a 2-core machine (bench/portal.sh):
  //  - TCP_NODELAY: with Nagle on, a small response waits for the client's delayed ACK (~40 ms).
  //  - keep-alive: cpp-httplib's default of 5 requests per connection makes clients reconnect
  //    constantly; a high count lets a connection live until the idle timeout.
  //  - workers: a keep-alive connection occupies one worker while it lives, so the pool is sized
  //    for the expected concurrent clients (64 by default; the ops listener uses a small pool).
  //  - backlog: cpp-httplib's compiled-in backlog is 5; bind() raises it with listen() again.
  server_->set_tcp_nodelay(true);
  // Keep-alive and timeouts are the guard's (request_limits()): cpp-httplib's apply per read.
  server_->set_payload_max_length(options_.max_body_bytes);
  const std::size_t workers = options_.worker_threads;
  server_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server_->set_socket_options([this](socket_t sock) {
    int yes = 1;
    // SO_REUSEADDR only: SO_REUSEPORT would let a second copy bind the same port silently.
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    socket_fd_.store(sock);
  });

  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    this->dispatch(req, res);
  };
  server_->Get(".*", dispatch);
  server_->Post(".*", dispatch);
  server_->Put(".*", dispatch);
  server_->Delete(".*", dispatch);
  server_->Patch(".*", dispatch);
  server_->Options(".*", dispatch);

  // Responses that never reached dispatch() (a malformed request line, a body over the limit)
  // still get a JSON body and are counted and logged once.
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        // The guard has answered and counted this request already.
        if (detail::current_request_refused()) return httplib::Server::HandlerResponse::Handled;
        const bool dispatched = res.has_header("X-Request-Id");
        if (res.body.empty()) {
          std::string message = default_message(res.status);
          if (res.status == 413) {
            message =
                "request body larger than " + std::to_string(options_.max_body_bytes) + " bytes";
          }
          error_response(res, res.status, message);
        }
        if (!dispatched) {
          // cpp-httplib could not parse or route the request: where it ends is unknown, so what
          // follows on the connection is not read as further requests.
          if (res.status == 400) detail::close_connection_after_response();
          auto id = req.has_header("X-Request-Id") &&
                            valid_request_id(req.get_header_value("X-Request-Id"))
                        ? req.get_header_value("X-Request-Id")
                        : generate_request_id();
          res.set_header("X-Request-Id", id);
          Match m = match(req.method, req.path);
          const Route* r = m.route != nullptr ? m.route : m.path_route;
          account(req, res.status, r != nullptr ? std::string_view(r->path_template) : "unmatched",
                  id, std::chrono::steady_clock::now());
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
        // dispatch() catches everything; this is a last line that never leaks e.what().
        error_response(res, 500, "internal server error");
      });
}

Server::~Server() { stop(); }

void Server::route(std::string_view method, std::string_view path_template, Handler handler,
                   int success_code) {
  Route r;
  r.method = method;
  r.path_template = path_template;
  for (auto seg : split_path(path_template)) r.segments.emplace_back(seg);
  if (!r.segments.empty()) {
    const auto& last = r.segments.back();
    if (last.size() > 3 && last.front() == '{' && last.ends_with("*}")) r.rest = true;
  }
  r.handler = std::move(handler);
  r.metrics = &metrics_.http(r.path_template, r.method);
  r.metrics->expose(success_code);
  for (std::string_view m :
       {std::string_view(r.method), std::string_view(r.method == "GET" ? "HEAD" : "")}) {
    if (m.empty()) continue;
    if (std::find(routed_methods_.begin(), routed_methods_.end(), m) == routed_methods_.end()) {
      routed_methods_.emplace_back(m);
    }
  }
  routes_.push_back(std::move(r));
}

std::vector<Server::RouteKey> Server::routes() const {
  std::vector<RouteKey> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.push_back({r.method, r.path_template});
  return out;
}

std::string_view Server::method_label(std::string_view method) const {
  for (const auto& m : routed_methods_) {
    if (m == method) return m;
  }
  return "other";
}

Server::Match Server::match(std::string_view method, std::string_view path) const {
  Match m;
  if (path.empty() || path.front() != '/') return m;
  auto segments = split_path(path);
  std::string_view lookup_method = method == "HEAD" ? std::string_view("GET") : method;
  for (const auto& r : routes_) {
    bool ok = r.rest ? segments.size() >= r.segments.size() : segments.size() == r.segments.size();
    std::vector<std::string> params;
    for (std::size_t i = 0; ok && i < r.segments.size(); ++i) {
      const auto& want = r.segments[i];
      if (want.size() >= 2 && want.front() == '{' && want.back() == '}') {
        if (r.rest && i + 1 == r.segments.size()) {
          auto pos = path.size();
          // The rest of the path from this segment on, unsplit.
          std::size_t skipped = 0;
          for (std::size_t k = 0; k < path.size(); ++k) {
            if (path[k] == '/' && ++skipped == i + 1) {
              pos = k + 1;
              break;
            }
          }
          params.emplace_back(path.substr(pos));
          ok = !params.back().empty();
        } else if (segments[i].empty()) {
          ok = false;
        } else {
          params.emplace_back(segments[i]);
        }
      } else if (want != segments[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (r.method == lookup_method) {
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
    if (m.path_route == nullptr) m.path_route = &r;
    if (m.allow.find(r.method) == std::string::npos) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += r.method;
      if (r.method == "GET") m.allow += ", HEAD";
    }
  }
  return m;
}

void Server::dispatch(const httplib::Request& req, httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  std::string request_id = req.get_header_value("X-Request-Id");
  if (!valid_request_id(request_id)) request_id = generate_request_id();
  res.set_header("X-Request-Id", request_id);

  Match m = match(req.method, req.path);
  std::string_view route_name = "unmatched";
  if (m.route != nullptr) {
    route_name = m.route->path_template;
    Request request{req, route_name, request_id, std::move(m.params)};
    try {
      m.route->handler(request, res);
      if (res.status == -1) res.status = 200;
    } catch (const std::exception& e) {
      log::error("handler threw",
                 {{"route", route_name}, {"request_id", request_id}, {"error", e.what()}});
      res = httplib::Response{};
      res.set_header("X-Request-Id", request_id);
      error_response(res, 500, "internal server error");
    } catch (...) {
      log::error("handler threw", {{"route", route_name}, {"request_id", request_id}});
      res = httplib::Response{};
      res.set_header("X-Request-Id", request_id);
      error_response(res, 500, "internal server error");
    }
  } else if (m.path_route != nullptr) {
    // Counted under the template the path matched: bounded by templates x methods.
    route_name = m.path_route->path_template;
    res.set_header("Allow", m.allow);
    error_response(res, 405, "method " + req.method + " not allowed on " + req.path);
  } else {
    error_response(res, 404, "no route for " + req.method + " " + req.path);
  }
  account(req, res.status, route_name, request_id, start);
}

void Server::account(const httplib::Request& req, int status, std::string_view route,
                     std::string_view request_id, std::chrono::steady_clock::time_point start) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  HttpRouteMetrics* rm = nullptr;
  for (const auto& r : routes_) {
    if (r.path_template == route && r.method == req.method) {
      rm = r.metrics;
      break;
    }
  }
  // The label set stays bounded: route templates (or "unmatched") x routed methods (or "other").
  if (rm == nullptr) rm = &metrics_.http(route, method_label(req.method));
  rm->observe(status, seconds);
  if (options_.access_log && log::enabled(log::Level::info)) {
    log::info("request", {{"listener", options_.name},
                          {"method", req.method},
                          {"route", route},
                          {"path", req.path},
                          {"code", status},
                          {"duration_ms", seconds * 1000.0},
                          {"request_id", request_id},
                          {"remote", req.remote_addr}});
  }
}

int Server::bind(const ListenAddress& address) {
  address_text_ = address.to_string();
  int port = address.port;
  errno = 0;
  if (port == 0) {
    port = server_->bind_to_any_port(address.host);
    if (port < 0) port = 0;
  } else if (!server_->bind_to_port(address.host, port)) {
    port = 0;
  }
  if (port == 0) {
    int err = errno;
    throw std::runtime_error("cannot listen on " + address_text_ + ": " +
                             (err != 0 ? std::strerror(err) : "invalid address or port in use"));
  }
  // cpp-httplib listens with a compiled-in backlog of 5; a second listen() raises it.
  if (int fd = socket_fd_.load(); fd >= 0) ::listen(fd, options_.listen_backlog);
  port_ = port;
  return port;
}

void Server::start() {
  if (started_.exchange(true)) return;
  thread_ = std::thread([this] {
    if (!server_->listen_after_bind()) {
      log::error("listener stopped with an error", {{"listener", options_.name}});
    }
    thread_exited_.store(true);
  });
  // The socket already listens (bind() did that), so clients can connect at once; wait only
  // until the accept loop runs, so that a stop() right after start() is never lost.
  while (!server_->is_running() && !thread_exited_.load()) std::this_thread::yield();
}

void Server::stop() {
  if (!started_.load()) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace firedrill::http
