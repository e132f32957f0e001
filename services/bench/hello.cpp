// A hello-world on the kit's HTTP server, or on cpp-httplib with its own defaults, so that
// bench/kit.sh can measure what the kit's settings are worth on this machine.
//
//   firedrill-hello --listen 127.0.0.1:18080 [--httplib-defaults]
#include <httplib.h>

#include <iostream>

#include "firedrill/cli.hpp"
#include "firedrill/service.hpp"

int main(int argc, char** argv) {
  firedrill::prepare_process();
  firedrill::CommonSettings settings;
  settings.listen = "127.0.0.1:18080";
  settings.drain_delay = std::chrono::milliseconds{0};
  settings.access_log = false;
  bool httplib_defaults = false;
  CLI::App app{"Hello-world HTTP server for benchmarking the kit's settings", "firedrill-hello"};
  firedrill::add_common_options(app, settings, "HELLO");
  app.add_flag("--httplib-defaults", httplib_defaults,
               "Serve with a bare cpp-httplib server and its defaults instead of the kit");
  if (auto code = firedrill::parse_command_line(app, argc, argv)) return *code;
  firedrill::log::Level level{};
  firedrill::log::parse_level(settings.log_level, level);
  firedrill::log::init("hello", level, true);

  if (httplib_defaults) {
    auto address = firedrill::http::parse_listen_address(settings.listen);
    httplib::Server server;
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello\n", "text/plain");
    });
    std::thread stopper([&] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGTERM);
      sigaddset(&set, SIGINT);
      int sig = 0;
      sigwait(&set, &sig);
      server.stop();
    });
    bool ok = server.listen(address->host, address->port);
    stopper.join();
    return ok ? 0 : 1;
  }

  firedrill::Service service("hello", settings);
  service.api().get("/", [](const firedrill::http::Request&, httplib::Response& res) {
    res.set_content("hello\n", "text/plain");
  });
  try {
    return service.run();
  } catch (const std::exception& e) {
    std::cerr << "firedrill-hello: " << e.what() << "\n";
    return 1;
  }
}
