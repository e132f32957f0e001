#pragma once
// A cpp-httplib server on an ephemeral loopback port, standing in for a peer (Alertmanager,
// mock-slack, the Pushgateway) in unit tests. Stopped and joined when the scope ends.

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include "batch_sync/settings.hpp"

namespace batch_sync::testing {

class StandIn {
 public:
  StandIn() = default;
  ~StandIn() { stop(); }
  StandIn(const StandIn&) = delete;
  StandIn& operator=(const StandIn&) = delete;

  httplib::Server& server() { return server_; }

  /// Binds port 0 and serves on a thread. Register handlers first.
  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("stand-in: cannot bind a loopback port");
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      exited_ = true;
    });
    // stop() is a no-op until the accept loop runs, so wait for it (not a sleep: a readiness poll).
    while (!server_.is_running() && !exited_.load()) std::this_thread::yield();
  }
  void stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  PeerUrl peer() const {
    std::string error;
    return *parse_peer_url(url(), error);
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> exited_{false};
};

/// A loopback port with nothing listening: a socket is bound to port 0, read and closed again.
/// (An httplib::Server that never served keeps its listening socket open, so it cannot do this.)
inline int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("closed_port: socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("closed_port: bind() failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace batch_sync::testing
