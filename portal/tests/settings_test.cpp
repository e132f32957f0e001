#include "portal/settings.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>

#include "firedrill/cli.hpp"

using portal::PortalConfig;

namespace {

struct Parsed {
  std::optional<int> code;
  std::string error;
  firedrill::CommonSettings settings = portal::default_settings();
  PortalConfig config;
};

Parsed parse(std::vector<std::string> args) {
  Parsed out;
  CLI::App app{"portal", "portal"};
  firedrill::add_common_options(app, out.settings, "PORTAL");
  portal::add_portal_options(app, out.config);
  args.insert(args.begin(), "portal");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream captured;
  auto* old = std::cerr.rdbuf(captured.rdbuf());
  out.code = firedrill::parse_command_line(app, static_cast<int>(argv.size()), argv.data());
  std::cerr.rdbuf(old);
  out.error = captured.str();
  return out;
}

/// Sets an environment variable for the scope.
struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  const char* name_;
};

}  // namespace

TEST_CASE("portal defaults: API 8080, ops 8081, no faults", "[config]") {
  auto p = parse({});
  REQUIRE_FALSE(p.code);
  CHECK(p.settings.listen == "127.0.0.1:8080");
  CHECK(p.settings.ops_listen == "127.0.0.1:8081");
  CHECK(p.settings.shutdown_timeout > std::chrono::milliseconds(portal::kMaxLatencyMs));
  CHECK(p.config.faults == portal::FaultState{});
  CHECK_FALSE(p.config.seed);
  CHECK(p.config.fault_file.empty());
  CHECK(p.config.fault_file_poll == std::chrono::seconds(1));
}

TEST_CASE("the fault file's poll interval comes from a flag or the environment", "[config]") {
  auto p = parse({"--fault-file", "/tmp/f.json", "--fault-file-poll", "250ms"});
  REQUIRE_FALSE(p.code);
  CHECK(p.config.fault_file_poll == std::chrono::milliseconds(250));
  CHECK(parse({"--fault-file-poll", "0"}).config.fault_file_poll.count() == 0);
  {
    ScopedEnv poll("PORTAL_FAULT_FILE_POLL", "5s");
    CHECK(parse({}).config.fault_file_poll == std::chrono::seconds(5));
  }
  auto bad = parse({"--fault-file-poll", "often"});
  CHECK(bad.code == 2);
  CHECK(bad.error.find("--fault-file-poll") != std::string::npos);
}

TEST_CASE("faults at start come from flags", "[config]") {
  auto p = parse({"--failure-rate",
                  "0.25",
                  "--error-code",
                  "503",
                  "--latency-ms",
                  "300",
                  "--latency-jitter-ms",
                  "50",
                  "--latency-rate",
                  "0.5",
                  "--fault-routes",
                  "/api/items,/api/orders",
                  "--crash-after",
                  "90s",
                  "--seed",
                  "42",
                  "--fault-file",
                  "/tmp/f.json",
                  "--work-cap-ms",
                  "50"});
  REQUIRE_FALSE(p.code);
  INFO(p.error);
  const auto& f = p.config.faults;
  CHECK(f.error_rate == 0.25);
  CHECK(f.error_code == 503);
  CHECK(f.latency_ms == 300);
  CHECK(f.latency_jitter_ms == 50);
  CHECK(f.latency_rate == 0.5);
  CHECK(f.routes == std::vector<std::string>{"/api/items", "/api/orders"});
  CHECK(f.crash_after_ms == 90000);
  CHECK(p.config.seed == 42U);
  CHECK(p.config.fault_file == "/tmp/f.json");
  CHECK(p.config.api.work_cap == std::chrono::milliseconds(50));
}

TEST_CASE("faults at start come from the environment, with the seed's names", "[config]") {
  ScopedEnv rate("FAILURE_RATE", "0.1");
  ScopedEnv latency("LATENCY_MS", "250");
  ScopedEnv crash("PORTAL_CRASH_AFTER", "30s");
  ScopedEnv token("PORTAL_ADMIN_TOKEN", "t0ken");
  auto p = parse({});
  REQUIRE_FALSE(p.code);
  CHECK(p.config.faults.error_rate == 0.1);
  CHECK(p.config.faults.latency_ms == 250);
  CHECK(p.config.faults.crash_after_ms == 30000);
  CHECK(portal::admin_token_from_env() == "t0ken");
}

TEST_CASE("bad fault flags exit 2 with one line naming the flag", "[config]") {
  struct Case {
    std::vector<std::string> args;
    std::string flag;
  };
  const std::vector<Case> cases{
      {{"--failure-rate", "1.5"}, "--failure-rate"},
      {{"--failure-rate", "half"}, "--failure-rate"},
      {{"--error-code", "404"}, "--error-code"},
      {{"--latency-ms", "10001"}, "--latency-ms"},
      {{"--latency-rate", "-1"}, "--latency-rate"},
      {{"--fault-routes", "/api/items,/nope"}, "--fault-routes"},
      {{"--crash-after", "soon"}, "--crash-after"},
      {{"--crash-after", "2d"}, "--crash-after"},
      {{"--seed", "x"}, "--seed"},
  };
  for (const auto& c : cases) {
    INFO(c.args[0] << " " << c.args[1]);
    auto p = parse(c.args);
    CHECK(p.code == 2);
    CHECK(p.error.rfind("portal: ", 0) == 0);
    CHECK(p.error.find(c.flag) != std::string::npos);
    CHECK(std::count(p.error.begin(), p.error.end(), '\n') == 1);
  }
  SECTION("the exact text for a rate") {
    auto p = parse({"--failure-rate", "2"});
    CHECK(p.error == "portal: --failure-rate: expected a number from 0 to 1 (see --help)\n");
  }
  SECTION("environment values are checked the same way") {
    ScopedEnv rate("FAILURE_RATE", "lots");
    auto p = parse({});
    CHECK(p.code == 2);
    CHECK(p.error.find("--failure-rate") != std::string::npos);
  }
}
