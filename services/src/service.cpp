#include "firedrill/service.hpp"

#include <prometheus/gauge.h>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "firedrill/duration.hpp"
#include "firedrill/version.hpp"

namespace firedrill {

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
  // What /readyz would answer, sampled at each scrape: an alert can then tell "up but not
  // ready" from "down" (up == 0) without probing the service itself.
  prometheus::Gauge& ready = prometheus::BuildGauge()
                                 .Name("firedrill_ready")
                                 .Help("1 while /readyz answers 200, 0 while it answers 503.")
                                 .Register(metrics_.registry())
                                 .Add({});
  o.get("/metrics", [this, &ready](const http::Request&, httplib::Response& res) {
    ready.Set(probes_.ready() ? 1 : 0);
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
