#pragma once
// The kit's own connection loop under cpp-httplib's request parser: limits on the request head
// and a deadline on each whole request, which Debian's precompiled cpp-httplib 0.11 does not
// enforce (measured: see the comment in request_guard.cpp).

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace firedrill::http::detail {

/// Limits on one request. A request over a head limit is answered 414 or 431; one that is not
/// fully received within request_timeout is answered 408; the connection is then closed.
struct RequestLimits {
  std::size_t max_request_line_bytes = 8192;  ///< with its CRLF
  std::size_t max_header_line_bytes = 8192;   ///< one header field line, with its CRLF
  std::size_t max_header_count = 100;
  std::size_t max_head_bytes = 32768;  ///< the request line and every header line
  /// From the first byte of a request to the last byte of its body: a client that trickles
  /// bytes, each within any per-read timeout, is cut off here.
  std::chrono::milliseconds request_timeout{10000};
  /// To write one response, in all.
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds keep_alive_timeout{5000};
  std::size_t keep_alive_max_requests = 100000;
};

/// A request the guard refused before cpp-httplib could parse it, for metrics and the log.
struct Refusal {
  int status = 0;
  std::string method;  ///< the request line's first token, up to 32 bytes (may be partial)
  std::string message;
};

/// True while the worker thread serves a request that the guard refused (and answered): the
/// kit's error handler then neither answers nor counts what cpp-httplib reports for it.
bool current_request_refused();

/// Closes the connection once the current response is written: for a request cpp-httplib could
/// not parse, whose end (and so the next request's start) is unknown.
void close_connection_after_response();

/// cpp-httplib's Server with the kit's connection loop (process_and_close_socket is virtual):
/// requests are still parsed and routed by cpp-httplib, over a stream that enforces
/// RequestLimits.
class GuardedServer : public httplib::Server {
 public:
  using RefusalHandler = std::function<void(const Refusal&, const std::string& remote)>;
  GuardedServer(RequestLimits limits, RefusalHandler on_refusal)
      : limits_(limits), on_refusal_(std::move(on_refusal)) {}

 private:
  bool process_and_close_socket(socket_t sock) override;

  RequestLimits limits_;
  RefusalHandler on_refusal_;
};

}  // namespace firedrill::http::detail
