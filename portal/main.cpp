// portal: the failure-injecting HTTP service. Logic lives in portal_lib; see portal/portal.hpp.
#include <iostream>

#include "firedrill/cli.hpp"
#include "firedrill/log.hpp"
#include "firedrill/service.hpp"
#include "portal/portal.hpp"
#include "portal/settings.hpp"

int main(int argc, char** argv) {
  firedrill::prepare_process();
  auto settings = portal::default_settings();
  portal::PortalConfig config;
  CLI::App app{"Firedrill portal: a small HTTP API that fails on command, for alerting drills",
               "portal"};
  firedrill::add_common_options(app, settings, "PORTAL");
  portal::add_portal_options(app, config);
  if (auto code = firedrill::parse_command_line(app, argc, argv)) return *code;
  config.admin_token = portal::admin_token_from_env();

  firedrill::log::Level level{};
  firedrill::log::parse_level(settings.log_level, level);
  firedrill::log::init("portal", level, /*async=*/true);
  try {
    firedrill::Service service("portal", settings);
    portal::RealSleeper sleeper;
    portal::Portal portal(service, std::move(config), sleeper);
    const int code = service.run();
    firedrill::log::shutdown();
    return code;
  } catch (const std::exception& e) {
    firedrill::log::shutdown();
    std::cerr << "portal: " << e.what() << "\n";
    return 2;
  }
}
