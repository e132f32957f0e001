#include "firedrill/cli.hpp"

#include <iostream>

#include "firedrill/duration.hpp"
#include "firedrill/version.hpp"

namespace firedrill {

CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& v) { return parse_duration(v) ? std::string() : std::string(kDurationHelp); },
      "DURATION");
}

CLI::Validator listen_address_validator() {
  return CLI::Validator(
      [](std::string& v) {
        return http::parse_listen_address(v)
                   ? std::string()
                   : std::string("expected host:port, [ipv6]:port or :port (port 0-65535)");
      },
      "HOST:PORT");
}

CLI::Validator log_level_validator() {
  return CLI::Validator(
      [](std::string& v) {
        log::Level l{};
        return log::parse_level(v, l) ? std::string()
                                      : std::string("expected debug, info, warn, error or off");
      },
      "LEVEL");
}

std::chrono::milliseconds duration_value(const std::string& text) {
  auto d = parse_duration(text);
  if (!d) throw CLI::ValidationError(std::string(kDurationHelp));
  return *d;
}

void add_common_options(CLI::App& app, CommonSettings& s, std::string_view env_prefix) {
  const std::string p = std::string(env_prefix) + "_";
  app.add_option("--listen", s.listen, "Address of the main listener")
      ->envname(p + "LISTEN")
      ->capture_default_str()
      ->check(listen_address_validator());
  app.add_option("--ops-listen", s.ops_listen,
                 "Address of a separate listener for probes, /metrics and admin routes, on its "
                 "own workers (empty: share the main listener)")
      ->envname(p + "OPS_LISTEN")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& v) {
            return v.empty() || http::parse_listen_address(v)
                       ? std::string()
                       : std::string("expected host:port, [ipv6]:port, :port or empty");
          },
          "HOST:PORT"));
  add_duration_option(app, "--drain-delay", s.drain_delay, p + "DRAIN_DELAY",
                      "After SIGTERM: time to answer /readyz 503 before listeners stop, so load "
                      "balancers take the instance out first");
  add_duration_option(app, "--shutdown-timeout", s.shutdown_timeout, p + "SHUTDOWN_TIMEOUT",
                      "After the drain: time allowed for in-flight requests before exiting 1");
  app.add_option("--threads", s.threads,
                 "Workers of the main listener; a keep-alive connection holds one while it lives")
      ->envname(p + "THREADS")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--ops-threads", s.ops_threads, "Workers of the ops listener")
      ->envname(p + "OPS_THREADS")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--max-body-bytes", s.max_body_bytes, "Largest request body accepted (else 413)")
      ->envname(p + "MAX_BODY_BYTES")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  add_duration_option(app, "--keep-alive-timeout", s.keep_alive_timeout, p + "KEEP_ALIVE_TIMEOUT",
                      "Idle time after which a keep-alive connection is closed");
  add_duration_option(app, "--request-timeout", s.request_timeout, p + "REQUEST_TIMEOUT",
                      "Time to receive one whole request (line, headers and body; else 408) and, "
                      "separately, to send its response");
  app.add_option("--log-level", s.log_level, "debug, info, warn, error or off")
      ->envname(p + "LOG_LEVEL")
      ->capture_default_str()
      ->check(log_level_validator());
  app.add_option("--access-log", s.access_log, "One JSON log line per request (true/false)")
      ->envname(p + "ACCESS_LOG")
      ->capture_default_str();
  std::string version_text =
      app.get_name() + " " + std::string(version()) + " (revision " + std::string(revision()) + ")";
  app.set_version_flag("--version", version_text, "Print the version and revision, then exit");
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << app.get_name() << ": " << e.what() << " (see --help)\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace firedrill
