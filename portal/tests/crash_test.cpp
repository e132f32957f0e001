// The real portal binary as a child process: crash exit codes, the crash loop, start-up errors.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "build_paths.hpp"
#include "firedrill/testing.hpp"
#include "portal/portal.hpp"
#include "support.hpp"

using nlohmann::json;
using portal::testing::ChildProcess;

namespace {

std::vector<std::string> portal_args(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{firedrill::build_paths::portal_binary,
                                "--listen",
                                "127.0.0.1:0",
                                "--ops-listen",
                                "127.0.0.1:0",
                                "--drain-delay",
                                "0",
                                "--access-log",
                                "false"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

httplib::Client client(int port) { return firedrill::testing::RunningService::client(port); }

}  // namespace

TEST_CASE("POST /admin/crash: the client gets 202, then the process exits 3", "[crash]") {
  ChildProcess portal(portal_args());
  auto [api_port, ops_port] = portal.ports();
  REQUIRE(client(api_port).Get("/api/items")->status == 200);
  auto res = client(ops_port).Post("/admin/crash", "", "application/json");
  REQUIRE(res);
  CHECK(res->status == 202);
  CHECK(json::parse(res->body) == json{{"status", "crashing"}, {"exit_code", 3}});
  CHECK(portal.wait() == portal::kCrashExitCode);
  CHECK(portal.stderr_text().find("\"msg\":\"crash requested\"") != std::string::npos);
}

TEST_CASE("with a token, an unauthenticated crash request is refused", "[crash][auth]") {
  ChildProcess portal(portal_args(), {"PORTAL_ADMIN_TOKEN=tok"});
  auto [api_port, ops_port] = portal.ports();
  CHECK(client(ops_port).Post("/admin/crash", "", "application/json")->status == 401);
  CHECK(client(ops_port)
            .Post("/admin/crash", {{"Authorization", "Bearer tok"}}, "", "application/json")
            ->status == 202);
  CHECK(portal.wait() == portal::kCrashExitCode);
}

TEST_CASE("crash-after at start exits 3 on its own", "[crash]") {
  ChildProcess portal(portal_args({"--crash-after", "50ms"}));
  CHECK(portal.wait() == portal::kCrashExitCode);
  CHECK(portal.stderr_text().find("crash_after_ms elapsed") != std::string::npos);
}

TEST_CASE("the crash loop: a fault file makes every restart crash again", "[crash][fault-file]") {
  const std::string path = "/tmp/portal-crashloop-" + std::to_string(::getpid()) + ".json";
  std::remove(path.c_str());
  {
    ChildProcess first(portal_args({"--fault-file", path}));
    auto [api_port, ops_port] = first.ports();
    auto res =
        client(ops_port).Put("/admin/faults", R"({"crash_after_ms": 100})", "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(first.wait() == portal::kCrashExitCode);
  }
  {
    // What a supervisor does: start it again. It crashes again, with no request at all.
    ChildProcess restarted(portal_args({"--fault-file", path}));
    CHECK(restarted.wait() == portal::kCrashExitCode);
  }
  {
    // Healing within the window ends the loop (a long window here, so the test does not race).
    std::ofstream(path) << R"({"crash_after_ms": 60000})";
    ChildProcess restarted(portal_args({"--fault-file", path}));
    auto [api_port, ops_port] = restarted.ports();
    REQUIRE(client(ops_port).Delete("/admin/faults")->status == 200);
    restarted.signal(SIGTERM);
    CHECK(restarted.wait() == 0);
  }
  std::remove(path.c_str());
}

TEST_CASE("faults at start from the environment, and SIGTERM is a clean exit 0",
          "[crash][config]") {
  ChildProcess portal(portal_args({"--seed", "9"}),
                      {"FAILURE_RATE=0.5", "LATENCY_MS=3", "PORTAL_FAULT_ROUTES=/api/work"});
  auto [api_port, ops_port] = portal.ports();
  REQUIRE(client(ops_port).Get("/readyz")->status == 200);
  auto faults = json::parse(client(ops_port).Get("/admin/faults")->body);
  CHECK(faults["error_rate"] == 0.5);
  CHECK(faults["latency_ms"] == 3);
  CHECK(faults["routes"] == json{"/api/work"});
  CHECK(client(api_port).Get("/api/items")->status == 200);  // not a faulted route
  portal.signal(SIGTERM);
  CHECK(portal.wait() == 0);
}

TEST_CASE("start-up errors exit 2 with one line", "[crash][config]") {
  SECTION("a bad flag") {
    ChildProcess portal(portal_args({"--failure-rate", "2"}));
    CHECK(portal.wait() == 2);
    CHECK(portal.stderr_text() ==
          "portal: --failure-rate: expected a number from 0 to 1 (see --help)\n");
  }
  SECTION("a bad fault file") {
    const std::string path = "/tmp/portal-badfile-" + std::to_string(::getpid()) + ".json";
    std::ofstream(path) << R"({"latency_ms": "slow"})";
    ChildProcess portal(portal_args({"--fault-file", path}));
    CHECK(portal.wait() == 2);
    CHECK(portal.stderr_text() ==
          "portal: fault file " + path +
              ": latency_ms: expected a whole number of milliseconds from 0 to 10000\n");
    std::remove(path.c_str());
  }
  SECTION("--help documents the crash loop and the token") {
    ChildProcess portal({firedrill::build_paths::portal_binary, "--help"});
    CHECK(portal.wait() == 0);
    for (const char* text : {"--crash-after", "--fault-file", "PORTAL_ADMIN_TOKEN", "FAILURE_RATE",
                             "LATENCY_MS", "crash_after_ms"}) {
      INFO(text);
      CHECK(portal.stdout_text().find(text) != std::string::npos);
    }
  }
}
