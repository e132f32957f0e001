#pragma once
// A scratch PostgreSQL server for the tests of the PostgreSQL store: tests/pg-server (Debian's
// server, initdb into a temporary folder, a Unix socket in it, no TCP port), started in the
// constructor and stopped in the destructor. Each test that needs a server makes its own.

#include <cstdio>
#include <stdexcept>
#include <string>

#include "../helpers.hpp"

namespace firedrill::build_paths {
extern const char* const pg_server_script;  ///< tests/pg-server in the sources
}  // namespace firedrill::build_paths

namespace mock_slack::testing {

class PgServer {
 public:
  PgServer() { uri_ = run("start"); }
  ~PgServer() {
    try {
      run("stop");
    } catch (const std::exception&) {
      // Already stopped by the test.
    }
  }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  /// libpq's URI of the database "firedrill" on this server.
  const std::string& uri() const { return uri_; }
  /// Stops the server (fast shutdown: sessions are ended), as a failover or an outage would.
  void stop() { run("stop"); }
  /// Starts the stopped server again on the same data.
  void start() { run("start"); }

 private:
  /// Runs tests/pg-server COMMAND DIR; returns its output without the final newline.
  std::string run(const char* command) {
    const std::string line = std::string(firedrill::build_paths::pg_server_script) + " " + command +
                             " " + dir_.path().string() + " 2>&1";
    FILE* p = ::popen(line.c_str(), "r");
    if (p == nullptr) throw std::runtime_error("cannot run " + line);
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    const int status = ::pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    if (status != 0) throw std::runtime_error(line + " failed: " + out);
    return out;
  }

  TempDir dir_;
  std::string uri_;
};

}  // namespace mock_slack::testing
