// portal-load: steady open-loop traffic against the portal. Logic lives in portal/load.hpp.
#include <csignal>
#include <ctime>
#include <future>
#include <iostream>

#include "firedrill/cli.hpp"
#include "firedrill/service.hpp"
#include "firedrill/version.hpp"
#include "portal/load.hpp"

int main(int argc, char** argv) {
  firedrill::prepare_process();
  portal::load::LoadOptions options;
  std::string target = "http://127.0.0.1:8080";
  CLI::App app{
      "Firedrill portal-load: steady open-loop traffic over a mix of the portal's API routes "
      "(GET /, /api/items, /api/items/{id}, POST /api/orders, /api/work). Prints the achieved "
      "rate, drops and status counts at the end, then one JSON line with the same figures.",
      "portal-load"};
  app.add_option("--target", target, "Base URL of the portal API")
      ->envname("PORTAL_LOAD_TARGET")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& v) {
            return portal::load::parse_target(v) ? std::string()
                                                 : std::string("expected http://host:port");
          },
          "URL"));
  app.add_option("--rps", options.rps, "Requests started per second, whatever the answers take")
      ->envname("PORTAL_LOAD_RPS")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 100000.0));
  firedrill::add_duration_option(app, "--duration", options.duration, "PORTAL_LOAD_DURATION",
                                 "How long to run (0: until SIGTERM or SIGINT)");
  app.add_option("--requests", options.max_requests, "Stop after this many requests (0: no limit)")
      ->envname("PORTAL_LOAD_REQUESTS")
      ->capture_default_str();
  app.add_option("--seed", options.seed, "Seed of the route mix")
      ->envname("PORTAL_LOAD_SEED")
      ->capture_default_str();
  app.add_option("--concurrency", options.concurrency,
                 "Most requests outstanding at once; requests due beyond it are dropped and "
                 "counted")
      ->envname("PORTAL_LOAD_CONCURRENCY")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  firedrill::add_duration_option(app, "--timeout", options.timeout, "PORTAL_LOAD_TIMEOUT",
                                 "Timeout of one request");
  app.set_version_flag("--version",
                       "portal-load " + std::string(firedrill::version()) + " (revision " +
                           std::string(firedrill::revision()) + ")",
                       "Print the version and revision, then exit");
  if (auto code = firedrill::parse_command_line(app, argc, argv)) return *code;
  options.target = *portal::load::parse_target(target);
  if (options.timeout.count() == 0) {
    std::cerr << "portal-load: --timeout: must be more than 0 (see --help)\n";
    return 2;
  }

  portal::load::LoadGenerator generator(options);
  auto result = std::async(std::launch::async, [&] { return generator.run(); });
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    // Signals are blocked in every thread (prepare_process), so they queue until taken here.
    timespec wait{0, 100'000'000};
    if (sigtimedwait(&signals, nullptr, &wait) > 0) generator.stop();
  }
  const auto summary = result.get();
  std::cout << summary.to_text() << summary.to_json().dump() << std::endl;
  // Nothing answered at all: the target is wrong or down, which a caller should notice.
  return summary.sent > 0 && summary.answered() == 0 ? 1 : 0;
}
