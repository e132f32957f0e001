#include "batch_sync/settings.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "firedrill/cli.hpp"
#include "firedrill/duration.hpp"
#include "firedrill/service.hpp"
#include "firedrill/version.hpp"

namespace batch_sync {

namespace {

constexpr const char* kEnvPrefix = "BATCHSYNC_";

std::string env(const char* name) { return std::string(kEnvPrefix) + name; }

bool parse_port(std::string_view text, int& port) {
  if (text.empty() || text.size() > 5) return false;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
    return false;
  }
  port = value;
  return true;
}

CLI::Validator url_validator(bool allow_path) {
  return CLI::Validator(
      [allow_path](std::string& v) {
        std::string error;
        auto url = parse_peer_url(v, error);
        if (!url) return error;
        if (!allow_path && !url->base_path.empty()) {
          return std::string(
              "the Pushgateway client cannot use a path prefix; give scheme://host:port");
        }
        return std::string();
      },
      "URL");
}

std::string read_token_file(const std::string& path, std::string& token) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot read ") + path + ": " + std::strerror(errno);
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  // Secrets mounted from files usually end with a newline; nothing else is trimmed.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return path + " is empty";
  if (text.find_first_of("\r\n") != std::string::npos) {
    return path + " holds more than one line; expected only the token";
  }
  token = std::move(text);
  return {};
}

bool parse_probability(std::string_view text, double& out) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0.0 && value <= 1.0)) {
    return false;
  }
  out = value;
  return true;
}

}  // namespace

std::string PeerUrl::origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return scheme + "://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string PeerUrl::to_string() const { return origin() + base_path; }

std::optional<PeerUrl> parse_peer_url(std::string_view text, std::string& error) {
  PeerUrl url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    error = "expected an absolute URL such as http://host:port";
    return std::nullopt;
  }
  url.scheme = std::string(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    error = "expected an http:// or https:// URL";
    return std::nullopt;
  }
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    error = "expected a URL without query or fragment";
    return std::nullopt;
  }
  const auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) {
    error = "expected a URL without user info; give the token with its own setting";
    return std::nullopt;
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated [ in the host";
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "expected :port after ]";
        return std::nullopt;
      }
      port_text = after.substr(1);
      if (port_text.empty()) port_text = "x";  // "[::1]:" is not a port
    }
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      url.host = std::string(authority.substr(0, colon));
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) port_text = "x";
    } else {
      url.host = std::string(authority);
    }
    if (url.host.find(':') != std::string::npos) {
      error = "put an IPv6 host in brackets: http://[::1]:port";
      return std::nullopt;
    }
  }
  if (url.host.empty()) {
    error = "expected a host";
    return std::nullopt;
  }
  if (port_text.empty()) {
    url.port = url.scheme == "https" ? 443 : 80;
  } else if (!parse_port(port_text, url.port)) {
    error = "expected a port between 1 and 65535";
    return std::nullopt;
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

void add_options(CLI::App& app, Settings& s) {
  app.add_option("--alertmanager-url", s.alertmanager_url,
                 "Alertmanager to read alerts (and, with --silences, silences) from, e.g. "
                 "http://alertmanager:9093")
      ->envname(env("ALERTMANAGER_URL"))
      ->required()
      ->check(url_validator(true));
  app.add_option("--mock-slack-url", s.mock_slack_url,
                 "mock-slack to sync the alerts (and silences) into, e.g. http://mock-slack:8090")
      ->envname(env("MOCK_SLACK_URL"))
      ->required()
      ->check(url_validator(true));
  app.add_option("--pushgateway-url", s.pushgateway_url,
                 "Pushgateway that receives the run's metrics (job=\"batch-sync\"), e.g. "
                 "http://pushgateway:9091")
      ->envname(env("PUSHGATEWAY_URL"))
      ->required()
      ->check(url_validator(false));
  auto* token = app.add_option("--mock-slack-token", s.mock_slack_token,
                               "Bearer token for mock-slack's API (prefer the file or the "
                               "environment variable: flags show in ps)")
                    ->envname(env("MOCK_SLACK_TOKEN"));
  app.add_option("--mock-slack-token-file", s.mock_slack_token_file,
                 "File holding the bearer token for mock-slack's API (a mounted Secret)")
      ->envname(env("MOCK_SLACK_TOKEN_FILE"))
      ->excludes(token);
  app.add_flag("--silences", s.silences,
               "Also read Alertmanager's silences and sync them into mock-slack, which links each "
               "to the alerts it silences (default: off)")
      ->envname(env("SILENCES"));
  app.add_option("--batch-size", s.batch_size,
                 "Alerts (or silences) per sync request to mock-slack")
      ->envname(env("BATCH_SIZE"))
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  add_duration_option(
      app, "--deadline", s.deadline, env("DEADLINE"),
      "Time allowed for the whole run (read, sync, retention, retries included); keep it "
      "below the Job's activeDeadlineSeconds minus --push-timeout");
  add_duration_option(
      app, "--request-timeout", s.request_timeout, env("REQUEST_TIMEOUT"),
      "Connect, read and write timeout of one HTTP request (never beyond the deadline)");
  add_duration_option(app, "--push-timeout", s.push_timeout, env("PUSH_TIMEOUT"),
                      "Time allowed for the Pushgateway report after the run, retries included");
  add_duration_option(
      app, "--resolve-grace", s.resolve_grace, env("RESOLVE_GRACE"),
      "After a complete run, resolve in mock-slack the firing alerts Alertmanager no "
      "longer lists and that nothing saw active for this long; must exceed Prometheus' "
      "evaluation_interval plus the longest group_interval (0: never resolve)");
  add_duration_option(app, "--backoff-initial", s.backoff.initial, env("BACKOFF_INITIAL"),
                      "Wait before the first retry of a transient error; doubles per retry");
  add_duration_option(app, "--backoff-max", s.backoff.max, env("BACKOFF_MAX"),
                      "Longest wait between retries");
  app.add_option("--fail-rate", s.fail_rate,
                 std::string("Drill: probability (0 to 1) that the run fails partway; also read "
                             "from ") +
                     kLegacyFailRateEnv)
      ->envname(env("FAIL_RATE"))
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option_function<std::string>(
         "--fail-mode",
         [&s](const std::string& v) {
           if (auto mode = parse_fail_mode(v)) s.fail_mode = *mode;
         },
         "Drill: how an injected failure shows: error (report and exit 1), hang (until the "
         "deadline cuts it) or crash (abort without a report)")
      ->envname(env("FAIL_MODE"))
      ->default_str(std::string(to_string(s.fail_mode)))
      ->check(CLI::IsMember({"error", "hang", "crash"}));
  app.add_option_function<std::uint64_t>(
         "--seed", [&s](const std::uint64_t& v) { s.seed = v; },
         "Seed for the failure draw and retry jitter (default: random, logged so a run can be "
         "replayed)")
      ->envname(env("SEED"))
      ->check(CLI::NonNegativeNumber);
  app.add_option("--log-level", s.log_level, "debug, info, warn, error or off")
      ->envname(env("LOG_LEVEL"))
      ->capture_default_str()
      ->check(log_level_validator());
  app.set_version_flag(
      "--version",
      app.get_name() + " " + std::string(version()) + " (revision " + std::string(revision()) + ")",
      "Print the version and revision, then exit");
}

std::string finish_settings(const CLI::App& app, Settings& s,
                            const std::function<const char*(const char*)>& getenv) {
  std::string error;
  auto parse = [&error](const std::string& text, const char* flag, PeerUrl& out) {
    auto url = parse_peer_url(text, error);
    if (!url) {
      error = std::string(flag) + ": " + error;
      return false;
    }
    out = std::move(*url);
    return true;
  };
  if (!parse(s.alertmanager_url, "--alertmanager-url", s.alertmanager) ||
      !parse(s.mock_slack_url, "--mock-slack-url", s.mock_slack) ||
      !parse(s.pushgateway_url, "--pushgateway-url", s.pushgateway)) {
    return error;
  }
  if (!s.mock_slack_token_file.empty()) {
    std::string problem = read_token_file(s.mock_slack_token_file, s.mock_slack_token);
    if (!problem.empty()) return "--mock-slack-token-file: " + problem;
  }
  if (app.get_option("--fail-rate")->count() == 0) {
    if (const char* legacy = getenv(kLegacyFailRateEnv); legacy != nullptr && *legacy != '\0') {
      if (!parse_probability(legacy, s.fail_rate)) {
        return std::string(kLegacyFailRateEnv) + ": expected a probability between 0 and 1, got '" +
               legacy + "'";
      }
    }
  }
  if (s.backoff.max < s.backoff.initial) {
    return "--backoff-max: must not be shorter than --backoff-initial (" +
           format_duration(s.backoff.initial) + ")";
  }
  if (s.deadline.count() == 0) return "--deadline: must be longer than 0s";
  if (s.request_timeout.count() == 0) return "--request-timeout: must be longer than 0s";
  if (s.push_timeout.count() == 0) return "--push-timeout: must be longer than 0s";
  return {};
}

std::variant<Settings, int> parse_settings(int argc, char** argv) {
  Settings settings;
  CLI::App app(
      "batch-sync: reconciles alert history from Alertmanager into mock-slack, then "
      "reports the run to the Pushgateway. Exit codes: 0 success, 1 the run failed, 2 "
      "bad configuration.",
      "batch-sync");
  add_options(app, settings);
  if (auto code = parse_command_line(app, argc, argv)) return *code;
  if (std::string error =
          finish_settings(app, settings, [](const char* n) { return std::getenv(n); });
      !error.empty()) {
    std::cerr << app.get_name() << ": " << error << " (see --help)\n";
    return 2;
  }
  return settings;
}

}  // namespace batch_sync
