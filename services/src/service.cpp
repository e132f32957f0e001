#include "firedrill/service.hpp"

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <thread>

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

namespace {

void add_duration(CLI::App& app, const std::string& flag, std::chrono::milliseconds& target,
                  const std::string& env, const std::string& help) {
  app.add_option_function<std::string>(
         flag, [&target](const std::string& v) { target = duration_value(v); }, help)
      ->envname(env)
      ->default_str(format_duration(target))
      ->check(duration_validator());
}

}  // namespace

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
  add_duration(app, "--drain-delay", s.drain_delay, p + "DRAIN_DELAY",
               "After SIGTERM: time to answer /readyz 503 before listeners stop, so load "
               "balancers take the instance out first");
  add_duration(app, "--shutdown-timeout", s.shutdown_timeout, p + "SHUTDOWN_TIMEOUT",
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
  add_duration(app, "--keep-alive-timeout", s.keep_alive_timeout, p + "KEEP_ALIVE_TIMEOUT",
               "Idle time after which a keep-alive connection is closed");
  add_duration(app, "--request-timeout", s.request_timeout, p + "REQUEST_TIMEOUT",
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

void prepare_process() {
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

namespace {

http::ServerOptions server_options(const CommonSettings& s, std::string name, std::size_t threads) {
  http::ServerOptions o;
  o.name = std::move(name);
  o.worker_threads = threads;
  o.max_body_bytes = s.max_body_bytes;
  o.keep_alive_timeout = s.keep_alive_timeout;
  o.read_timeout = s.request_timeout;
  o.write_timeout = s.request_timeout;
  o.access_log = s.access_log;
  return o;
}

}  // namespace

Service::Service(std::string name, CommonSettings settings)
    : name_(std::move(name)), settings_(std::move(settings)), metrics_(name_) {
  api_ =
      std::make_unique<http::Server>(server_options(settings_, "api", settings_.threads), metrics_);
  if (!settings_.ops_listen.empty()) {
    ops_ = std::make_unique<http::Server>(server_options(settings_, "ops", settings_.ops_threads),
                                          metrics_);
  }
  http::Server& o = ops();
  o.get("/healthz", [this](const http::Request&, httplib::Response& res) {
    if (probes_.healthy()) {
      http::json_response(res, 200, {{"status", "ok"}});
    } else {
      http::json_response(res, 503, {{"status", "unhealthy"}});
    }
  });
  o.get("/readyz", [this](const http::Request&, httplib::Response& res) {
    if (probes_.ready()) {
      http::json_response(res, 200, {{"status", "ready"}});
    } else {
      http::json_response(res, 503, {{"status", probes_.draining() ? "draining" : "not ready"}});
    }
  });
  o.get("/metrics", [this](const http::Request&, httplib::Response& res) {
    res.set_content(metrics_.serialize(), kMetricsContentType);
  });
}

Service::~Service() {
  api_->stop();
  if (ops_) ops_->stop();
}

void Service::start() {
  auto bind = [](http::Server& server, const std::string& text, const char* setting) {
    auto address = http::parse_listen_address(text);
    if (!address) throw std::runtime_error(std::string(setting) + ": invalid address " + text);
    return server.bind(*address);
  };
  bind(*api_, settings_.listen, "--listen");
  if (ops_) bind(*ops_, settings_.ops_listen, "--ops-listen");
  api_->start();
  if (ops_) ops_->start();
  {
    std::lock_guard lock(mutex_);
    started_ = true;
  }
  nlohmann::json fields{{"listen", settings_.listen},
                        {"port", api_->port()},
                        {"version", version()},
                        {"revision", revision()}};
  if (ops_) {
    fields["ops_listen"] = settings_.ops_listen;
    fields["ops_port"] = ops_->port();
  }
  log::info("started", fields);
}

void Service::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  stop_cv_.notify_all();
}

int Service::run() {
  start();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (stop_cv_.wait_for(lock, std::chrono::milliseconds(1),
                            [this] { return stop_requested_; })) {
        break;
      }
    }
    // Signals are blocked in every thread (prepare_process), so they queue until taken here.
    timespec wait{0, 100'000'000};
    int sig = sigtimedwait(&set, nullptr, &wait);
    if (sig > 0) {
      log::info("signal received", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      break;
    }
  }
  stop();
  return 0;
}

void Service::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || !started_) return;
    stopped_ = true;
  }
  probes_.set_draining(true);
  log::info("draining", {{"drain_delay", format_duration(settings_.drain_delay)}});
  std::this_thread::sleep_for(settings_.drain_delay);

  // A watchdog bounds the wait for in-flight requests.
  std::mutex done_mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(done_mutex);
    if (!done_cv.wait_for(lock, settings_.shutdown_timeout, [&] { return done; })) {
      log::error("in-flight requests did not finish in time; exiting",
                 {{"shutdown_timeout", format_duration(settings_.shutdown_timeout)}});
      log::shutdown();
      std::_Exit(1);
    }
  });
  api_->stop();
  if (ops_) ops_->stop();
  {
    std::lock_guard lock(done_mutex);
    done = true;
  }
  done_cv.notify_all();
  watchdog.join();
  log::info("stopped");
}

}  // namespace firedrill
