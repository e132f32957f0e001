#pragma once
// Helpers for tests: a Service on ephemeral ports, stopped by a scope guard, and an HTTP client.

#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "firedrill/service.hpp"

namespace firedrill::testing {

/// Settings for a service under test: loopback, port 0, no drain delay, quiet logs.
inline CommonSettings test_settings(bool separate_ops = false) {
  CommonSettings s;
  s.listen = "127.0.0.1:0";
  if (separate_ops) s.ops_listen = "127.0.0.1:0";
  s.drain_delay = std::chrono::milliseconds{0};
  s.shutdown_timeout = std::chrono::milliseconds{10000};
  s.threads = 8;
  s.access_log = false;
  return s;
}

/// Stops a started Service when the scope ends, whatever the test did.
class RunningService {
 public:
  explicit RunningService(Service& service) : service_(service) { service_.start(); }
  ~RunningService() { service_.stop(); }
  RunningService(const RunningService&) = delete;
  RunningService& operator=(const RunningService&) = delete;
  httplib::Client api() const { return client(service_.api_port()); }
  httplib::Client ops() const { return client(service_.ops_port()); }
  static httplib::Client client(int port) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(5);
    // A guard against a hang, not a measure: the sanitizer build on a loaded machine answers a
    // large request many times slower than an optimised build.
    c.set_read_timeout(60);
    return c;
  }

 private:
  Service& service_;
};

/// Runs `promtool check metrics` on the text; returns promtool's exit status and output.
inline std::pair<int, std::string> promtool_check_metrics(const std::string& promtool,
                                                          const std::string& text) {
  char path[] = "/tmp/firedrill-metrics-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return {-1, "mkstemp failed"};
  {
    std::ofstream out(path);
    out << text;
  }
  ::close(fd);
  std::string cmd = promtool + " check metrics < " + path + " 2>&1";
  std::string output;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  int status = pclose(p);
  std::remove(path);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace firedrill::testing
