#pragma once
// A canned Prometheus HTTP API for the client's and the SLI's error paths: answers what the
// test's handlers say, on an ephemeral port, under a path prefix, until the scope ends. The
// figures themselves are checked against a real Prometheus (sli_prometheus_test.cpp).

#include <httplib.h>

#include <string>
#include <thread>

namespace mock_slack::ui::testing {

class FakePrometheus {
 public:
  /// `handler` answers every GET under /prom/api/v1/.
  explicit FakePrometheus(httplib::Server::Handler handler) {
    server_.Get("/prom/api/v1/.*", std::move(handler));
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Bound sockets already queue connections; wait for the accept loop so stop() reaches it.
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~FakePrometheus() {
    server_.stop();
    thread_.join();
  }
  FakePrometheus(const FakePrometheus&) = delete;
  FakePrometheus& operator=(const FakePrometheus&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/prom/"; }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace mock_slack::ui::testing
