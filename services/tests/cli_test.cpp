#include "firedrill/cli.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct DurationFlags {
  std::chrono::milliseconds timeout{5s};
  std::chrono::seconds window{15min};
};

struct CliRun {
  std::optional<int> code;
  std::string out;
  std::string err;
};

CliRun run_duration_cli(DurationFlags& flags, std::vector<std::string> args) {
  CLI::App app{"duration options", "cli-test"};
  firedrill::add_duration_option(app, "--timeout", flags.timeout, "CLITEST_TIMEOUT",
                                 "Timeout of one call");
  firedrill::add_duration_option(app, "--window", flags.window, "CLITEST_WINDOW",
                                 "Window, in whole seconds");
  args.insert(args.begin(), "cli-test");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out;
  std::ostringstream err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  CliRun run;
  run.code = firedrill::parse_command_line(app, static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace

TEST_CASE("a duration option reads a Prometheus duration into its target", "[cli]") {
  DurationFlags flags;
  SECTION("from the flag, in the target's unit") {
    const auto run = run_duration_cli(flags, {"--timeout", "1m30s", "--window", "1h1500ms"});
    CHECK(run.code == std::nullopt);
    CHECK(flags.timeout == 90s);
    CHECK(flags.window == 3601s);  // 1500ms into whole seconds is 1s
  }
  SECTION("from the environment, and the flag wins over it") {
    ::setenv("CLITEST_TIMEOUT", "250ms", 1);
    ::setenv("CLITEST_WINDOW", "2m", 1);
    auto run = run_duration_cli(flags, {"--window", "3m"});
    ::unsetenv("CLITEST_TIMEOUT");
    ::unsetenv("CLITEST_WINDOW");
    CHECK(run.code == std::nullopt);
    CHECK(flags.timeout == 250ms);
    CHECK(flags.window == 3min);
  }
  SECTION("nothing given keeps the default") {
    CHECK(run_duration_cli(flags, {}).code == std::nullopt);
    CHECK(flags.timeout == 5s);
    CHECK(flags.window == 15min);
  }
  SECTION("--help shows the defaults as durations") {
    const auto run = run_duration_cli(flags, {"--help"});
    CHECK(run.code == 0);
    CHECK(run.out.find("--timeout TEXT:DURATION=5s (Env:CLITEST_TIMEOUT)") != std::string::npos);
    CHECK(run.out.find("--window TEXT:DURATION=15m (Env:CLITEST_WINDOW)") != std::string::npos);
  }
}

TEST_CASE("a bad duration option exits 2 naming the flag and changes nothing", "[cli]") {
  for (const char* bad : {"soon", "5", "1.5s", "", "1h 30m", "30m1h "}) {
    INFO(bad);
    DurationFlags flags;
    const auto run = run_duration_cli(flags, {"--timeout", bad});
    CHECK(run.code == 2);
    CHECK(run.err.find("--timeout") != std::string::npos);
    CHECK(run.err.find("expected a duration such as 500ms, 5s, 2m, 1h or 90d") !=
          std::string::npos);
    CHECK(flags.timeout == 5s);
  }
  SECTION("a bad value in the environment too") {
    DurationFlags flags;
    ::setenv("CLITEST_WINDOW", "forever", 1);
    const auto run = run_duration_cli(flags, {});
    ::unsetenv("CLITEST_WINDOW");
    CHECK(run.code == 2);
    CHECK(run.err.find("--window") != std::string::npos);
    CHECK(flags.window == 15min);
  }
}
