#include "batch_sync/settings.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <vector>

#include "firedrill/cli.hpp"

using namespace batch_sync;
using std::chrono::milliseconds;

namespace {

struct Parsed {
  Settings settings;
  std::string error;  ///< from CLI11 or finish_settings; empty when usable
};

/// Parses `args` (after the program name) with a fake environment.
Parsed parse(std::vector<std::string> args, std::map<std::string, std::string> environment = {}) {
  Parsed out;
  CLI::App app("test", "batch-sync");
  add_options(app, out.settings);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  // CLI11 reads environment variables itself, so only flags are used with it here; the
  // fallbacks that finish_settings reads go through the injected getenv.
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    out.error = e.what();
    return out;
  }
  out.error = finish_settings(app, out.settings, [&environment](const char* name) -> const char* {
    auto it = environment.find(name);
    return it == environment.end() ? nullptr : it->second.c_str();
  });
  return out;
}

std::vector<std::string> required() {
  return {"--alertmanager-url",      "http://am:9093",    "--mock-slack-url",
          "http://slack:8090/base/", "--pushgateway-url", "http://pg:9091"};
}

std::vector<std::string> with(std::vector<std::string> more) {
  auto args = required();
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// Runs parse_settings() and captures stderr.
std::pair<int, std::string> run_main_parse(std::vector<std::string> args) {
  args.insert(args.begin(), "batch-sync");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream captured;
  auto* old = std::cerr.rdbuf(captured.rdbuf());
  auto* old_out = std::cout.rdbuf(captured.rdbuf());
  auto result = parse_settings(static_cast<int>(argv.size()), argv.data());
  std::cerr.rdbuf(old);
  std::cout.rdbuf(old_out);
  const int code = std::holds_alternative<int>(result) ? std::get<int>(result) : -1;
  return {code, captured.str()};
}

}  // namespace

TEST_CASE("peer URLs", "[settings]") {
  std::string error;
  SECTION("accepted forms") {
    auto u = parse_peer_url("http://alertmanager:9093", error);
    REQUIRE(u);
    CHECK(u->scheme == "http");
    CHECK(u->host == "alertmanager");
    CHECK(u->port == 9093);
    CHECK(u->base_path.empty());
    CHECK(u->origin() == "http://alertmanager:9093");

    u = parse_peer_url("https://am.example.com/alertmanager/", error);
    REQUIRE(u);
    CHECK(u->port == 443);
    CHECK(u->base_path == "/alertmanager");
    CHECK(u->to_string() == "https://am.example.com:443/alertmanager");

    u = parse_peer_url("http://[::1]:8080/", error);
    REQUIRE(u);
    CHECK(u->host == "::1");
    CHECK(u->origin() == "http://[::1]:8080");
    CHECK(u->base_path.empty());

    u = parse_peer_url("http://pg", error);
    REQUIRE(u);
    CHECK(u->port == 80);
  }
  SECTION("rejected forms say why") {
    auto bad = [&](const char* text) {
      error.clear();
      CHECK_FALSE(parse_peer_url(text, error));
      return error;
    };
    CHECK(bad("alertmanager:9093") == "expected an absolute URL such as http://host:port");
    CHECK(bad("ftp://am:21") == "expected an http:// or https:// URL");
    CHECK(bad("http://am:0") == "expected a port between 1 and 65535");
    CHECK(bad("http://am:65536") == "expected a port between 1 and 65535");
    CHECK(bad("http://am:x") == "expected a port between 1 and 65535");
    CHECK(bad("http://am:") == "expected a port between 1 and 65535");
    CHECK(bad("http://:9093") == "expected a host");
    CHECK(bad("http://am:9093/?q=1") == "expected a URL without query or fragment");
    CHECK(bad("http://user:pw@am:9093") ==
          "expected a URL without user info; give the token with its own setting");
    CHECK(bad("http://::1:80") == "put an IPv6 host in brackets: http://[::1]:port");
    CHECK(bad("http://[::1") == "unterminated [ in the host");
  }
}

TEST_CASE("settings: defaults and flags", "[settings]") {
  SECTION("defaults") {
    auto p = parse(required());
    REQUIRE(p.error.empty());
    CHECK(p.settings.batch_size == 500);
    CHECK_FALSE(p.settings.silences);
    CHECK(p.settings.deadline == std::chrono::seconds(180));
    CHECK(p.settings.fail_rate == 0.0);
    CHECK(p.settings.fail_mode == FailMode::error);
    CHECK_FALSE(p.settings.seed);
    CHECK(p.settings.mock_slack.base_path == "/base");
    CHECK(p.settings.pushgateway.port == 9091);
    CHECK(p.settings.mock_slack_token.empty());
  }
  SECTION("every flag") {
    auto p = parse(with({"--batch-size",
                         "7",
                         "--deadline",
                         "1m30s",
                         "--request-timeout",
                         "2s",
                         "--push-timeout",
                         "3s",
                         "--backoff-initial",
                         "50ms",
                         "--backoff-max",
                         "1s",
                         "--fail-rate",
                         "0.25",
                         "--fail-mode",
                         "hang",
                         "--seed",
                         "1234",
                         "--mock-slack-token",
                         "s3cret",
                         "--log-level",
                         "debug",
                         "--silences"}));
    REQUIRE(p.error.empty());
    CHECK(p.settings.batch_size == 7);
    CHECK(p.settings.deadline == std::chrono::seconds(90));
    CHECK(p.settings.request_timeout == std::chrono::seconds(2));
    CHECK(p.settings.push_timeout == std::chrono::seconds(3));
    CHECK(p.settings.backoff.initial == milliseconds(50));
    CHECK(p.settings.backoff.max == milliseconds(1000));
    CHECK(p.settings.fail_rate == 0.25);
    CHECK(p.settings.fail_mode == FailMode::hang);
    CHECK(p.settings.seed == std::uint64_t{1234});
    CHECK(p.settings.mock_slack_token == "s3cret");
    CHECK(p.settings.log_level == "debug");
    CHECK(p.settings.silences);
  }
  SECTION("--silences takes an explicit value") {
    CHECK(parse(with({"--silences=true"})).settings.silences);
    CHECK_FALSE(parse(with({"--silences=false"})).settings.silences);
  }
}

TEST_CASE("settings: bad values name the setting", "[settings]") {
  auto error_of = [](std::vector<std::string> more) { return parse(with(more)).error; };
  CHECK_THAT(error_of({"--batch-size", "0"}), Catch::Contains("--batch-size"));
  CHECK_THAT(error_of({"--deadline", "soon"}), Catch::Contains("--deadline"));
  CHECK_THAT(error_of({"--fail-rate", "1.5"}), Catch::Contains("--fail-rate"));
  CHECK_THAT(error_of({"--fail-mode", "explode"}), Catch::Contains("--fail-mode"));
  CHECK_THAT(error_of({"--seed", "-1"}), Catch::Contains("--seed"));
  CHECK_THAT(error_of({"--pushgateway-url", "http://pg:9091/prefix"}),
             Catch::Contains("--pushgateway-url") && Catch::Contains("path prefix"));
  CHECK_THAT(error_of({"--mock-slack-url", "slack:8090"}), Catch::Contains("--mock-slack-url"));
  CHECK_THAT(error_of({"--mock-slack-token", "a", "--mock-slack-token-file", "/f"}),
             Catch::Contains("excludes"));
  CHECK(error_of({"--deadline", "0"}) == "--deadline: must be longer than 0s");
  CHECK(error_of({"--backoff-initial", "2s", "--backoff-max", "1s"}) ==
        "--backoff-max: must not be shorter than --backoff-initial (2s)");
  CHECK_THAT(parse({"--alertmanager-url", "http://am:9093"}).error,
             Catch::Contains("--mock-slack-url") && Catch::Contains("required"));
}

TEST_CASE("settings: BATCH_FAILURE_RATE is the fallback for --fail-rate", "[settings]") {
  SECTION("used when --fail-rate is not given") {
    auto p = parse(required(), {{"BATCH_FAILURE_RATE", "0.5"}});
    REQUIRE(p.error.empty());
    CHECK(p.settings.fail_rate == 0.5);
  }
  SECTION("the flag wins") {
    auto p = parse(with({"--fail-rate", "0.1"}), {{"BATCH_FAILURE_RATE", "0.9"}});
    REQUIRE(p.error.empty());
    CHECK(p.settings.fail_rate == 0.1);
  }
  SECTION("a bad value is a configuration error naming the variable") {
    CHECK(parse(required(), {{"BATCH_FAILURE_RATE", "2"}}).error ==
          "BATCH_FAILURE_RATE: expected a probability between 0 and 1, got '2'");
    CHECK(parse(required(), {{"BATCH_FAILURE_RATE", "10%"}}).error ==
          "BATCH_FAILURE_RATE: expected a probability between 0 and 1, got '10%'");
  }
  SECTION("empty means unset") {
    auto p = parse(required(), {{"BATCH_FAILURE_RATE", ""}});
    REQUIRE(p.error.empty());
    CHECK(p.settings.fail_rate == 0.0);
  }
}

TEST_CASE("settings: the token file", "[settings]") {
  char path[] = "/tmp/batch-sync-token-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  auto write = [&](const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  };

  SECTION("one line, trailing newline trimmed") {
    write("tok-123\n");
    auto p = parse(with({"--mock-slack-token-file", path}));
    REQUIRE(p.error.empty());
    CHECK(p.settings.mock_slack_token == "tok-123");
  }
  SECTION("empty file") {
    write("\n");
    CHECK(parse(with({"--mock-slack-token-file", path})).error ==
          std::string("--mock-slack-token-file: ") + path + " is empty");
  }
  SECTION("more than one line") {
    write("a\nb\n");
    CHECK(parse(with({"--mock-slack-token-file", path})).error ==
          std::string("--mock-slack-token-file: ") + path +
              " holds more than one line; expected only the token");
  }
  SECTION("missing file") {
    CHECK(parse(with({"--mock-slack-token-file", "/nonexistent/token"})).error ==
          "--mock-slack-token-file: cannot read /nonexistent/token: No such file or directory");
  }
  std::remove(path);
}

TEST_CASE("parse_settings exit codes", "[settings]") {
  SECTION("--help and --version exit 0") {
    auto [code, out] = run_main_parse({"--help"});
    CHECK(code == 0);
    CHECK_THAT(out, Catch::Contains("--fail-mode") && Catch::Contains("BATCHSYNC_DEADLINE") &&
                        Catch::Contains("--silences") && Catch::Contains("BATCHSYNC_SILENCES"));
    auto [vcode, vout] = run_main_parse({"--version"});
    CHECK(vcode == 0);
    CHECK_THAT(vout, Catch::StartsWith("batch-sync "));
  }
  SECTION("a bad flag exits 2 with one line naming it") {
    auto args = with({"--batch-size", "0"});
    auto [code, err] = run_main_parse(args);
    CHECK(code == 2);
    CHECK_THAT(err, Catch::StartsWith("batch-sync: --batch-size"));
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  }
  SECTION("a bad token file exits 2 with one line naming it") {
    auto [code, err] = run_main_parse(with({"--mock-slack-token-file", "/nonexistent/token"}));
    CHECK(code == 2);
    CHECK(err ==
          "batch-sync: --mock-slack-token-file: cannot read /nonexistent/token: No such file or "
          "directory (see --help)\n");
  }
  SECTION("good settings go on") {
    auto [code, err] = run_main_parse(required());
    CHECK(code == -1);
    CHECK(err.empty());
  }
}
