#pragma once
// For tests: a client that sends what a well-behaved client never would (made-up methods, random
// paths and headers), over raw sockets, with a seeded random source.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iterator>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace firedrill::testing {

/// A TCP connection to 127.0.0.1:port, closed when the object goes.
class RawConnection {
 public:
  explicit RawConnection(int port, std::chrono::seconds receive_limit = std::chrono::seconds(10)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    // A bound on every recv(), so that a server that never answers fails the test instead of
    // hanging it; never reached when the server behaves.
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(receive_limit.count());
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect() failed");
    }
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  /// Sends all of `bytes`; false when the server closed or reset the connection first.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// Says that nothing more will be sent.
  void finish_sending() { ::shutdown(fd_, SHUT_WR); }
  /// Everything the server sends until it closes (or resets) the connection.
  std::string receive_all() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd_, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

/// Sends `bytes`, says it is done, and returns what the server answered before it closed. The
/// server has finished with the request (and counted it) once this returns.
inline std::string raw_exchange(int port, std::string_view bytes) {
  RawConnection c(port);
  c.send(bytes);
  c.finish_sending();
  return c.receive_all();
}

/// The series of a text exposition: each sample's name and labels, without its value.
inline std::set<std::string> metric_series(std::string_view text) {
  std::set<std::string> out;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.empty() || line.front() == '#') continue;
    out.emplace(line.substr(0, line.rfind(' ')));
  }
  return out;
}

/// Requests with made-up methods, random paths and random headers, from a seeded source. Each
/// request is one of a fixed set of kinds; warm_up() sends every kind once, so that after it
/// every (route, method, code) series that send_random() can reach exists already. With bounded
/// labels the series set is then the same after any number of random requests.
class HostileClient {
 public:
  /// `known_paths` are paths the service routes (their methods are never sent: only methods
  /// the service does not route are sent to them).
  HostileClient(int port, std::vector<std::string> known_paths, std::uint64_t seed)
      : port_(port), known_paths_(std::move(known_paths)), rng_(seed) {}

  void warm_up() {
    for (const auto& path : known_paths_) {
      for (const char* method : kUnroutedMethods) send(method, path);
      send(made_up_method(), path);
    }
    const std::string path = unmatched_path();
    for (const char* method : kRoutedMethods) send(method, path);
    for (const char* method : kUnroutedMethods) send(method, path);
    send(made_up_method(), path);
  }

  void send_random(int requests) {
    for (int i = 0; i < requests; ++i) {
      const bool known = !known_paths_.empty() && pick(3) == 0;
      const std::string path = known ? known_paths_[pick(known_paths_.size())] : unmatched_path();
      std::string method;
      switch (pick(known ? 2 : 3)) {
        case 0:
          method = made_up_method();
          break;
        case 1:
          method = kUnroutedMethods[pick(std::size(kUnroutedMethods))];
          break;
        default:
          method = kRoutedMethods[pick(std::size(kRoutedMethods))];
      }
      send(method, path);
    }
  }

 private:
  static constexpr const char* kRoutedMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE"};
  static constexpr const char* kUnroutedMethods[] = {"PATCH", "OPTIONS", "TRACE", "CONNECT"};

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  std::string random_token(std::size_t min, std::size_t max, std::string_view alphabet) {
    std::string out(min + pick(max - min + 1), ' ');
    for (auto& c : out) c = alphabet[pick(alphabet.size())];
    return out;
  }
  std::string made_up_method() {
    // RFC 9110 token characters: a valid method to HTTP, unknown to every service.
    return "M" + random_token(1, 24,
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                              "!#$%&'*+-.^_`|~");
  }
  std::string unmatched_path() {
    std::string path = "/zz-hostile";
    for (std::size_t n = pick(4); n > 0; --n) {
      path += "/" + random_token(1, 12, "abcdefghijklmnopqrstuvwxyz0123456789-._~");
    }
    return path;
  }
  void send(const std::string& method, const std::string& path) {
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (std::size_t n = pick(6); n > 0; --n) {
      request +=
          "X-" + random_token(1, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") +
          ": " + random_token(0, 60, "abcdefghijklmnopqrstuvwxyz0123456789 ;,=/\"'{}") + "\r\n";
    }
    request += "Content-Length: 0\r\nConnection: close\r\n\r\n";
    raw_exchange(port_, request);
  }

  int port_;
  std::vector<std::string> known_paths_;
  std::mt19937_64 rng_;
};

}  // namespace firedrill::testing
