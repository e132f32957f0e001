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

using nlohmann::json;

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

namespace {

// The file's text, or nullopt when it does not exist. Throws std::runtime_error naming it.
std::optional<std::string> read_fault_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error("fault file " + path + ": " + std::strerror(errno));
  }
  // Read every poll: a file far larger than any fault state is refused, not loaded.
  std::string text(kMaxFaultFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw std::runtime_error("fault file " + path + ": cannot read");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxFaultFileBytes) {
    throw std::runtime_error("fault file " + path + ": larger than " +
                             std::to_string(kMaxFaultFileBytes) + " bytes");
  }
  return text;
}

}  // namespace

FaultState parse_fault_file(const std::string& path, const std::string& text,
                            const FaultState& base) {
  auto content = json::parse(text, nullptr, false);
  if (content.is_discarded()) throw std::runtime_error("fault file " + path + ": not valid JSON");
  auto result = apply_patch(base, content);
  if (auto* error = std::get_if<FieldError>(&result)) {
    throw std::runtime_error("fault file " + path + ": " + error->message);
  }
  return std::get<FaultState>(std::move(result));
}

std::optional<FaultState> load_fault_file(const std::string& path, const FaultState& base) {
  auto text = read_fault_file(path);
  if (!text) return std::nullopt;
  return parse_fault_file(path, *text, base);
}

std::string fault_file_text(const FaultState& state) { return to_json(state).dump(2) + "\n"; }

void save_fault_file(const std::string& path, const FaultState& state) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << fault_file_text(state);
    out.flush();
    if (!out) {
      if (errno == EROFS) {
        throw FaultFileReadOnly("the fault file " + path +
                                " is on a read-only file system (a mounted ConfigMap?): change the "
                                "faults where the file comes from (make break TARGET=k8s)");
      }
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
  register_routes();
  if (!config_.fault_file.empty()) {
    try {
      fault_file_seen_ = read_fault_file(config_.fault_file);
    } catch (const std::exception&) {
      // initial_state() read it a moment ago; the watcher logs what is wrong at its next look.
    }
  }
  timer_ = std::thread([this] { crash_timer_loop(); });
  if (!config_.fault_file.empty() && config_.fault_file_poll.count() > 0) {
    watcher_ = std::thread([this] { fault_file_watch_loop(); });
  }
  if (state.crash_after_ms > 0) arm_crash_timer(state.crash_after_ms);
  firedrill::log::info("faults at start", {{"faults", to_json(state)},
                                           {"seed", seed_},
                                           {"fault_file", config_.fault_file},
                                           {"fault_file_poll_ms", config_.fault_file_poll.count()},
                                           {"admin_auth", !config_.admin_token.empty()}});
}

Portal::~Portal() {
  {
    std::lock_guard lock(timer_mutex_);
    timer_stop_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (watcher_.joinable()) watcher_.join();
}

void Portal::fault_file_watch_loop() {
  std::unique_lock lock(timer_mutex_);
  while (!timer_cv_.wait_for(lock, config_.fault_file_poll, [&] { return timer_stop_; })) {
    lock.unlock();
    reload_fault_file();
    lock.lock();
  }
}

bool Portal::reload_fault_file() {
  std::lock_guard lock(change_mutex_);
  std::optional<std::string> text;
  try {
    text = read_fault_file(config_.fault_file);
  } catch (const std::exception& e) {
    if (!fault_file_broken_) {
      firedrill::log::error("fault file not applied; the faults stay as they are",
                            {{"error", e.what()}});
    }
    fault_file_broken_ = true;
    return false;
  }
  if (text == fault_file_seen_) return false;
  fault_file_seen_ = text;
  FaultState next = config_.faults;
  if (text) {
    try {
      next = parse_fault_file(config_.fault_file, *text, config_.faults);
    } catch (const std::exception& e) {
      firedrill::log::error("fault file not applied; the faults stay as they are",
                            {{"error", e.what()}});
      fault_file_broken_ = true;
      return false;
    }
  }
  fault_file_broken_ = false;
  if (next == faults_.state()) return false;
  const json requested = text ? json::parse(*text) : json{{"fault_file", "removed"}};
  return commit(next, "fault-file", requested, /*persist=*/false).status == 200;
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
                              const json& requested, bool persist) {
  const FaultState previous = faults_.state();
  if (persist && !config_.fault_file.empty()) {
    try {
      save_fault_file(config_.fault_file, next);
    } catch (const FaultFileReadOnly& e) {
      // Not the portal's failure: the faults are managed outside it. 409, and nothing changes.
      firedrill::log::warn("fault change refused", {{"source", source}, {"error", e.what()}});
      return Change{409, json{{"error", e.what()}}};
    } catch (const std::exception& e) {
      firedrill::log::error("fault change not applied", {{"source", source}, {"error", e.what()}});
      return Change{500, json{{"error", e.what()}}};
    }
    // The watcher must not take the portal's own write for someone else's change.
    fault_file_seen_ = fault_file_text(next);
    fault_file_broken_ = false;
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
  return commit(std::get<FaultState>(std::move(result)), source, patch, /*persist=*/true);
}

Portal::Change Portal::heal(std::string_view source) {
  std::lock_guard lock(change_mutex_);
  return commit(FaultState{}, source, json{{"heal", true}}, /*persist=*/true);
}

}  // namespace portal
