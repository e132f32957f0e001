#include "portal/settings.hpp"

#include <cstdlib>

#include "firedrill/cli.hpp"
#include "firedrill/duration.hpp"

namespace portal {

namespace {

CLI::Validator rate_validator() {
  return CLI::Validator(
      [](std::string& v) {
        try {
          std::size_t used = 0;
          double d = std::stod(v, &used);
          if (used == v.size() && d >= 0.0 && d <= 1.0) return std::string();
        } catch (const std::exception&) {
        }
        return std::string("expected a number from 0 to 1");
      },
      "RATE");
}

CLI::Validator route_validator() {
  return CLI::Validator(
      [](std::string& v) {
        if (api_route_index(v)) return std::string();
        std::string known;
        for (auto r : kApiRoutes) known += (known.empty() ? "" : ", ") + std::string(r);
        return "unknown route " + v + "; expected any of " + known;
      },
      "ROUTE");
}

}  // namespace

firedrill::CommonSettings default_settings() {
  firedrill::CommonSettings s;
  s.listen = "127.0.0.1:8080";
  s.ops_listen = "127.0.0.1:8081";
  s.shutdown_timeout = std::chrono::milliseconds{15000};
  return s;
}

void add_portal_options(CLI::App& app, PortalConfig& c) {
  const std::string latency_range = "0-" + std::to_string(kMaxLatencyMs);
  app.add_option("--failure-rate", c.faults.error_rate,
                 "Fraction of API requests answered with --error-code (0..1)")
      ->envname("FAILURE_RATE")
      ->capture_default_str()
      ->check(rate_validator());
  app.add_option("--error-code", c.faults.error_code, "Status code of injected errors (500..599)")
      ->envname("PORTAL_ERROR_CODE")
      ->capture_default_str()
      ->check(CLI::Range(500, 599));
  app.add_option(
         "--latency-ms", c.faults.latency_ms,
         "Delay added to a --latency-rate fraction of API requests, in ms (" + latency_range + ")")
      ->envname("LATENCY_MS")
      ->capture_default_str()
      ->check(CLI::Range(0, kMaxLatencyMs));
  app.add_option("--latency-jitter-ms", c.faults.latency_jitter_ms,
                 "The delay varies uniformly by +/- this much, in ms (" + latency_range + ")")
      ->envname("PORTAL_LATENCY_JITTER_MS")
      ->capture_default_str()
      ->check(CLI::Range(0, kMaxLatencyMs));
  app.add_option("--latency-rate", c.faults.latency_rate,
                 "Fraction of API requests that get the delay (0..1)")
      ->envname("PORTAL_LATENCY_RATE")
      ->capture_default_str()
      ->check(rate_validator());
  app.add_option("--fault-routes", c.faults.routes,
                 "API route templates the faults apply to, comma-separated (default: all)")
      ->envname("PORTAL_FAULT_ROUTES")
      ->delimiter(',')
      ->check(route_validator());
  app.add_option_function<std::string>(
         "--crash-after",
         [&c](const std::string& v) {
           c.faults.crash_after_ms = firedrill::duration_value(v).count();
         },
         "Exit with code 3 this long after start (0: never). With --fault-file, a crash_after_ms "
         "set through PUT /admin/faults is kept in the file, so every restart crashes again "
         "after that long: the crash-loop drill")
      ->envname("PORTAL_CRASH_AFTER")
      ->default_str("0")
      ->check(firedrill::duration_validator())
      ->check(CLI::Validator(
          [](std::string& v) {
            auto d = firedrill::parse_duration(v);
            return d && d->count() <= kMaxCrashAfterMs ? std::string() : std::string("at most 1d");
          },
          ""));
  app.add_option("--fault-file", c.fault_file,
                 "JSON file of the faults (the fields of PUT /admin/faults): read at start (it "
                 "wins over the fault flags), written on every change through /admin/faults, and "
                 "read again every --fault-file-poll: a change made to it is applied (its fields "
                 "over the fault flags; a removed file: the flags alone), a bad file is logged and "
                 "the faults stay. On Kubernetes, a mounted ConfigMap. Empty: faults last until "
                 "the process ends")
      ->envname("PORTAL_FAULT_FILE");
  app.add_option_function<std::string>(
         "--fault-file-poll",
         [&c](const std::string& v) { c.fault_file_poll = firedrill::duration_value(v); },
         "How often the fault file is read for changes (0: at start only). Its content is "
         "compared, not its mtime, so a kubelet's symlink swap of a ConfigMap volume is seen")
      ->envname("PORTAL_FAULT_FILE_POLL")
      ->default_str("1s")
      ->check(firedrill::duration_validator());
  app.add_option_function<std::uint64_t>(
         "--seed", [&c](const std::uint64_t& v) { c.seed = v; },
         "Seed of the random choices of fault injection (default: random, logged at start)")
      ->envname("PORTAL_SEED");
  app.add_option_function<int>(
         "--work-cap-ms", [&c](const int& v) { c.api.work_cap = std::chrono::milliseconds{v}; },
         "Most CPU time one GET /api/work request may burn, in ms")
      ->envname("PORTAL_WORK_CAP_MS")
      ->default_str(std::to_string(c.api.work_cap.count()))
      ->check(CLI::Range(0, 60000));
  app.footer(
      "Admin API on the ops listener: GET|PUT|DELETE /admin/faults, POST /admin/crash.\n"
      "PORTAL_ADMIN_TOKEN (environment only): when set, admin routes require\n"
      "  Authorization: Bearer <token>.\n"
      "Crash loop: run with --fault-file, then PUT /admin/faults {\"crash_after_ms\":5000};\n"
      "  DELETE /admin/faults (or removing the file) ends it.");
}

std::string admin_token_from_env() {
  const char* token = std::getenv("PORTAL_ADMIN_TOKEN");
  return token != nullptr ? token : "";
}

}  // namespace portal
