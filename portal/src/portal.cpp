#include "portal/portal.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "firedrill/log.hpp"

namespace portal {

namespace {

using firedrill::http::error_response;
using firedrill::http::json_response;
using firedrill::http::Request;
using nlohmann::json;

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

std::string source_of(const Request& req) { return "admin API from " + req.http.remote_addr; }

FaultState initial_state(const PortalConfig& config) {
  if (config.fault_file.empty()) return config.faults;
  return load_fault_file(config.fault_file, config.faults).value_or(config.faults);
}

std::uint64_t choose_seed(const PortalConfig& config) {
  if (config.seed) return *config.seed;
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

void exit_process(int exit_code) {
  firedrill::log::error("crashing on purpose", {{"exit_code", exit_code}});
  firedrill::log::shutdown();
  std::_Exit(exit_code);
}

std::optional<FaultState> load_fault_file(const std::string& path, const FaultState& base) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error("fault file " + path + ": " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto content = json::parse(text.str(), nullptr, false);
  if (content.is_discarded()) throw std::runtime_error("fault file " + path + ": not valid JSON");
  auto result = apply_patch(base, content);
  if (auto* error = std::get_if<FieldError>(&result)) {
    throw std::runtime_error("fault file " + path + ": " + error->message);
  }
  return std::get<FaultState>(std::move(result));
}

void save_fault_file(const std::string& path, const FaultState& state) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << to_json(state).dump(2) << "\n";
    out.flush();
    if (!out) {
      throw std::runtime_error("cannot write fault file " + temporary + ": " +
                               std::strerror(errno));
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot replace fault file " + path + ": " + std::strerror(err));
  }
}

Portal::Portal(firedrill::Service& service, PortalConfig config, Sleeper& sleeper,
               CrashHandler crash)
    : service_(service),
      config_(std::move(config)),
      sleeper_(sleeper),
      crash_(std::move(crash)),
      seed_(choose_seed(config_)),
      faults_(service.metrics().registry(), initial_state(config_), seed_) {
  const FaultState state = faults_.state();
  service_.probes().set_ready(state.ready);
  service_.probes().set_healthy(state.healthy);
  register_api_routes(service_.api(), faults_, sleeper_, config_.api);
  register_admin_routes();
  timer_ = std::thread([this] { crash_timer_loop(); });
  if (state.crash_after_ms > 0) arm_crash_timer(state.crash_after_ms);
  firedrill::log::info("faults at start", {{"faults", to_json(state)},
                                           {"seed", seed_},
                                           {"fault_file", config_.fault_file},
                                           {"admin_auth", !config_.admin_token.empty()}});
}

Portal::~Portal() {
  {
    std::lock_guard lock(timer_mutex_);
    timer_stop_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void Portal::arm_crash_timer(std::int64_t after_ms) {
  {
    std::lock_guard lock(timer_mutex_);
    if (after_ms > 0) {
      crash_at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds{after_ms};
    } else {
      crash_at_.reset();
    }
  }
  timer_cv_.notify_all();
}

void Portal::crash_timer_loop() {
  std::unique_lock lock(timer_mutex_);
  for (;;) {
    if (timer_stop_) return;
    if (!crash_at_) {
      timer_cv_.wait(lock);
      continue;
    }
    const auto at = *crash_at_;
    if (timer_cv_.wait_until(lock, at, [&] { return timer_stop_ || crash_at_ != at; })) continue;
    crash_at_.reset();
    lock.unlock();
    firedrill::log::error("crash_after_ms elapsed", {{"exit_code", kCrashExitCode}});
    crash_(kCrashExitCode);
    lock.lock();
  }
}

Portal::Change Portal::commit(const FaultState& next, std::string_view source,
                              const json& requested) {
  const FaultState previous = faults_.state();
  if (!config_.fault_file.empty()) {
    try {
      save_fault_file(config_.fault_file, next);
    } catch (const std::exception& e) {
      firedrill::log::error("fault change not applied", {{"source", source}, {"error", e.what()}});
      return Change{500, json{{"error", e.what()}}};
    }
  }
  faults_.set_state(next);
  service_.probes().set_ready(next.ready);
  service_.probes().set_healthy(next.healthy);
  if (next.crash_after_ms != previous.crash_after_ms) arm_crash_timer(next.crash_after_ms);
  // Requests waiting out a delay that no longer applies are released at once.
  if (next.latency_ms < previous.latency_ms || next.latency_rate < previous.latency_rate ||
      next.latency_jitter_ms < previous.latency_jitter_ms || next.routes != previous.routes) {
    sleeper_.interrupt_all();
  }
  firedrill::log::warn("faults changed", {{"source", source},
                                          {"requested", requested},
                                          {"faults", to_json(next)},
                                          {"previous", to_json(previous)}});
  return Change{200, to_json(next)};
}

Portal::Change Portal::update(const std::string& body, std::string_view source) {
  auto patch = json::parse(body, nullptr, false);
  if (patch.is_discarded()) {
    return Change{400, json{{"error", "body: not valid JSON"}, {"field", "body"}}};
  }
  std::lock_guard lock(change_mutex_);
  auto result = apply_patch(faults_.state(), patch);
  if (auto* error = std::get_if<FieldError>(&result)) {
    std::string field = error->field.empty() ? "body" : error->field;
    std::string message = error->field.empty() ? "body: " + error->message : error->message;
    firedrill::log::warn("fault change refused", {{"source", source}, {"error", message}});
    return Change{400, json{{"error", message}, {"field", field}}};
  }
  return commit(std::get<FaultState>(std::move(result)), source, patch);
}

Portal::Change Portal::heal(std::string_view source) {
  std::lock_guard lock(change_mutex_);
  return commit(FaultState{}, source, json{{"heal", true}});
}

bool Portal::authorized(const Request& req, httplib::Response& res) const {
  if (config_.admin_token.empty()) return true;
  const std::string header = req.header("Authorization");
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() > scheme.size() && header.compare(0, scheme.size(), scheme) == 0 &&
      constant_time_equal(std::string_view(header).substr(scheme.size()), config_.admin_token)) {
    return true;
  }
  res.set_header("WWW-Authenticate", "Bearer realm=\"portal-admin\"");
  error_response(res, 401,
                 header.empty() ? "admin routes require Authorization: Bearer <token>"
                                : "invalid admin token");
  firedrill::log::warn("admin request refused",
                       {{"route", req.route}, {"remote", req.http.remote_addr}});
  return false;
}

void Portal::register_admin_routes() {
  auto& ops = service_.ops();
  ops.get("/admin/faults", [this](const Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    json_response(res, 200, to_json(faults_.state()));
  });
  ops.put("/admin/faults", [this](const Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    auto change = update(req.body(), source_of(req));
    json_response(res, change.status, change.body);
  });
  ops.del("/admin/faults", [this](const Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    auto change = heal(source_of(req));
    json_response(res, change.status, change.body);
  });
  ops.post(
      "/admin/crash",
      [this](const Request& req, httplib::Response& res) {
        if (!authorized(req, res)) return;
        firedrill::log::error("crash requested",
                              {{"source", source_of(req)}, {"exit_code", kCrashExitCode}});
        res.status = 202;
        auto body = std::make_shared<std::string>(
            json{{"status", "crashing"}, {"exit_code", kCrashExitCode}}.dump() + "\n");
        // The releaser runs when cpp-httplib is done with the response, i.e. after the 202 has been
        // written to the socket, so the client sees the answer before the process ends.
        res.set_content_provider(
            body->size(), "application/json",
            [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
              return sink.write(body->data() + offset, length);
            },
            [this](bool) { crash_(kCrashExitCode); });
      },
      202);
}

}  // namespace portal
