// What Debian's cpp-httplib 0.11.4 (compiled, so its CPPHTTPLIB_* limits cannot be changed)
// enforces, measured with a plain httplib::Server (read timeout 2 s) and raw sockets:
//  - a request line of 100 KB: read whole into memory, then 414; one of 8 MB: read whole too;
//  - a header line of 9 KB: read whole, then 400;
//  - header count and head size: no limit (100,000 headers, 1.1 MB, answered 200);
//  - timeouts: the read timeout applies to each read, so a client sending one byte a second
//    still held its worker after 12 s against a 2 s timeout.
// The guard bounds all four before cpp-httplib sees the bytes.
#include "request_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <nlohmann/json.hpp>

namespace firedrill::http::detail {

namespace {

using Clock = std::chrono::steady_clock;

thread_local bool tl_refused = false;
thread_local bool tl_close = false;

const char* reason_phrase(int status) {
  switch (status) {
    case 408:
      return "Request Timeout";
    case 414:
      return "URI Too Long";
    default:
      return "Request Header Fields Too Large";
  }
}

enum class Wait { ready, timeout, error };

/// Waits until `fd` is ready for `events` (or hung up) or `deadline` passes.
Wait wait_until(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    // Rounded up, so that a timeout means the deadline has passed.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Wait::timeout;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
    if (n > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0 ? Wait::ready : Wait::error;
    if (n < 0 && errno != EINTR) return Wait::error;
  }
}

/// The socket as cpp-httplib reads and writes it, with the limits applied to what it reads.
class GuardedStream final : public httplib::Stream {
 public:
  GuardedStream(socket_t sock, const RequestLimits& limits) : sock_(sock), limits_(limits) {}

  /// A new request starts: its deadline runs from now, its head is scanned from here.
  void begin_request() {
    deadline_ = Clock::now() + limits_.request_timeout;
    write_deadline_.reset();
    in_head_ = true;
    line_index_ = 0;
    line_bytes_ = 0;
    head_bytes_ = 0;
    method_.clear();
    method_done_ = false;
  }
  const std::optional<Refusal>& refusal() const { return refusal_; }
  bool has_buffered() const { return offset_ < size_; }

  bool is_readable() const override {
    return has_buffered() || wait_until(sock_, POLLIN, deadline_) == Wait::ready;
  }
  bool is_writable() const override {
    return !refusal_ &&
           wait_until(sock_, POLLOUT, Clock::now() + limits_.write_timeout) == Wait::ready;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (refusal_) return -1;
    if (!has_buffered()) {
      switch (wait_until(sock_, POLLIN, deadline_)) {
        case Wait::ready:
          break;
        case Wait::timeout:
          refuse(408, "request not received within " +
                          std::to_string(limits_.request_timeout.count()) + " ms");
          return -1;
        case Wait::error:
          return -1;
      }
      const ssize_t n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
      if (n <= 0) return n;
      offset_ = 0;
      size_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, size_ - offset_);
    for (std::size_t i = 0; i < n; ++i) {
      if (in_head_ && !scan(buffer_[offset_ + i])) return -1;
      ptr[i] = buffer_[offset_ + i];
    }
    offset_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    // After a refusal the guard has answered: what cpp-httplib writes is dropped.
    if (refusal_) return static_cast<ssize_t>(size);
    if (!write_deadline_) write_deadline_ = Clock::now() + limits_.write_timeout;
    return send_until(ptr, size, *write_deadline_);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address(::getsockname, ip, port);
  }
  socket_t socket() const override { return sock_; }

  /// Reads and drops what the client still sends, for a bounded time and size, so that closing
  /// with unread bytes does not reset the connection before the client reads the refusal.
  void linger() {
    ::shutdown(sock_, SHUT_WR);
    const auto until = Clock::now() + std::chrono::milliseconds(500);
    std::size_t dropped = 0;
    while (dropped < (std::size_t{1} << 20) && wait_until(sock_, POLLIN, until) == Wait::ready) {
      const ssize_t n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
      if (n <= 0) break;
      dropped += static_cast<std::size_t>(n);
    }
  }

 private:
  ssize_t send_until(const char* ptr, std::size_t size, Clock::time_point deadline) {
    std::size_t sent = 0;
    while (sent < size) {
      if (wait_until(sock_, POLLOUT, deadline) != Wait::ready) return -1;
      const ssize_t n = ::send(sock_, ptr + sent, size - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return -1;
      sent += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(sent);
  }

  /// Follows the request head byte by byte; false (after answering) when a limit is crossed.
  bool scan(char c) {
    ++head_bytes_;
    ++line_bytes_;
    if (line_index_ == 0 && !method_done_) {
      if (c == ' ' || c == '\r' || c == '\n') {
        method_done_ = true;
      } else if (method_.size() < 32) {
        method_ += c;
      }
    }
    if (line_index_ == 0 && line_bytes_ > limits_.max_request_line_bytes) {
      return refuse(414, "request line longer than " +
                             std::to_string(limits_.max_request_line_bytes) + " bytes");
    }
    if (line_index_ > 0 && line_bytes_ > limits_.max_header_line_bytes) {
      return refuse(431, "header field longer than " +
                             std::to_string(limits_.max_header_line_bytes) + " bytes");
    }
    if (head_bytes_ > limits_.max_head_bytes) {
      return refuse(431, "request line and header fields longer than " +
                             std::to_string(limits_.max_head_bytes) + " bytes");
    }
    if (c == '\n') {
      // cpp-httplib ends the head at the first line that is exactly CRLF.
      const bool blank = line_bytes_ == 2 && last_ == '\r';
      if (line_index_ > 0 && blank) {
        in_head_ = false;
      } else if (line_index_ > 0 && line_index_ > limits_.max_header_count) {
        return refuse(431,
                      "more than " + std::to_string(limits_.max_header_count) + " header fields");
      }
      ++line_index_;
      line_bytes_ = 0;
    }
    last_ = c;
    return true;
  }

  bool refuse(int status, std::string message) {
    refusal_ = Refusal{status, method_, std::move(message)};
    tl_refused = true;
    const std::string body = nlohmann::json{{"error", refusal_->message}}.dump(
                                 -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                             "\n";
    const std::string response =
        "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    send_until(response.data(), response.size(), Clock::now() + limits_.write_timeout);
    return false;
  }

  template <typename F>
  void address(F f, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (f(sock_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (addr.ss_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
      ::inet_ntop(AF_INET, &a->sin_addr, text.data(), text.size());
      port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
      ::inet_ntop(AF_INET6, &a->sin6_addr, text.data(), text.size());
      port = ntohs(a->sin6_port);
    }
    ip = text.data();
  }

  socket_t sock_;
  const RequestLimits& limits_;
  std::array<char, 16384> buffer_{};
  std::size_t offset_ = 0;
  std::size_t size_ = 0;
  Clock::time_point deadline_ = Clock::now();
  std::optional<Clock::time_point> write_deadline_;
  bool in_head_ = true;
  std::size_t line_index_ = 0;
  std::size_t line_bytes_ = 0;
  std::size_t head_bytes_ = 0;
  char last_ = '\0';
  std::string method_;
  bool method_done_ = false;
  std::optional<Refusal> refusal_;
};

}  // namespace

bool current_request_refused() { return tl_refused; }
void close_connection_after_response() { tl_close = true; }

bool GuardedServer::process_and_close_socket(socket_t sock) {
  GuardedStream stream(sock, limits_);
  bool ret = false;
  std::size_t left = limits_.keep_alive_max_requests;
  while (left > 0 && svr_sock_ != INVALID_SOCKET) {
    // Idle between requests: wait for a first byte, in short steps so that stop() is seen.
    const auto idle_until = Clock::now() + limits_.keep_alive_timeout;
    bool readable = stream.has_buffered();
    while (!readable && svr_sock_ != INVALID_SOCKET && Clock::now() < idle_until) {
      readable = wait_until(sock, POLLIN,
                            std::min(idle_until, Clock::now() + std::chrono::milliseconds(50))) ==
                 Wait::ready;
    }
    if (!readable || svr_sock_ == INVALID_SOCKET) break;
    stream.begin_request();
    tl_refused = false;
    tl_close = false;
    bool connection_closed = false;
    ret = process_request(stream, left == 1, connection_closed, nullptr);
    tl_refused = false;
    if (tl_close) connection_closed = true;
    if (stream.refusal()) {
      std::string ip;
      int port = 0;
      stream.get_remote_ip_and_port(ip, port);
      if (on_refusal_) on_refusal_(*stream.refusal(), ip);
      stream.linger();
      ret = false;
      break;
    }
    if (!ret || connection_closed) break;
    --left;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace firedrill::http::detail
