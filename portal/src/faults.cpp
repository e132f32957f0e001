#include "portal/faults.hpp"

#include <algorithm>
#include <cmath>

namespace portal {

namespace {

using nlohmann::json;

FieldError field_error(std::string field, const std::string& expectation) {
  std::string message = field + ": " + expectation;
  return FieldError{std::move(field), std::move(message)};
}

std::optional<double> as_rate(const json& v) {
  if (!v.is_number()) return std::nullopt;
  double d = v.get<double>();
  if (!std::isfinite(d) || d < 0.0 || d > 1.0) return std::nullopt;
  return d;
}

// Whole numbers only: 1.5 ms is refused rather than silently truncated.
std::optional<std::int64_t> as_integer(const json& v, std::int64_t min, std::int64_t max) {
  std::int64_t n = 0;
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max)) return std::nullopt;
    n = static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    n = v.get<std::int64_t>();
  } else {
    return std::nullopt;
  }
  if (n < min || n > max) return std::nullopt;
  return n;
}

std::string known_routes() {
  std::string out;
  for (auto r : kApiRoutes) {
    if (!out.empty()) out += ", ";
    out += r;
  }
  return out;
}

std::uint32_t mask_of(const std::vector<std::string>& routes) {
  if (routes.empty()) return (1U << kApiRoutes.size()) - 1;
  std::uint32_t mask = 0;
  for (const auto& r : routes) {
    if (auto i = api_route_index(r)) mask |= 1U << *i;
  }
  return mask;
}

prometheus::Family<prometheus::Counter>& injected_family(prometheus::Registry& registry) {
  // Registering the same name again returns the family already registered.
  return prometheus::BuildCounter()
      .Name("portal_faults_injected_total")
      .Help("API requests the portal failed or delayed on purpose, by kind of fault.")
      .Register(registry);
}

}  // namespace

std::optional<std::size_t> api_route_index(std::string_view route) {
  for (std::size_t i = 0; i < kApiRoutes.size(); ++i) {
    if (kApiRoutes[i] == route) return i;
  }
  return std::nullopt;
}

bool FaultState::injects() const {
  return error_rate > 0.0 || (latency_rate > 0.0 && (latency_ms > 0 || latency_jitter_ms > 0));
}

json to_json(const FaultState& s) {
  return json{{"error_rate", s.error_rate},
              {"error_code", s.error_code},
              {"latency_ms", s.latency_ms},
              {"latency_jitter_ms", s.latency_jitter_ms},
              {"latency_rate", s.latency_rate},
              {"routes", s.routes},
              {"ready", s.ready},
              {"healthy", s.healthy},
              {"crash_after_ms", s.crash_after_ms}};
}

std::variant<FaultState, FieldError> apply_patch(const FaultState& base, const json& patch) {
  if (!patch.is_object()) return FieldError{"", "expected a JSON object of fault fields"};
  FaultState next = base;
  const std::string latency_range =
      "expected a whole number of milliseconds from 0 to " + std::to_string(kMaxLatencyMs);
  for (const auto& [key, value] : patch.items()) {
    if (key == "error_rate" || key == "latency_rate") {
      auto rate = as_rate(value);
      if (!rate) return field_error(key, "expected a number from 0 to 1");
      (key == "error_rate" ? next.error_rate : next.latency_rate) = *rate;
    } else if (key == "error_code") {
      auto code = as_integer(value, 500, 599);
      if (!code) return field_error(key, "expected an HTTP status code from 500 to 599");
      next.error_code = static_cast<int>(*code);
    } else if (key == "latency_ms" || key == "latency_jitter_ms") {
      auto ms = as_integer(value, 0, kMaxLatencyMs);
      if (!ms) return field_error(key, latency_range);
      (key == "latency_ms" ? next.latency_ms : next.latency_jitter_ms) = static_cast<int>(*ms);
    } else if (key == "routes") {
      if (!value.is_array()) return field_error(key, "expected a list of API route templates");
      std::vector<std::string> routes;
      for (const auto& r : value) {
        if (!r.is_string() || !api_route_index(r.get<std::string>())) {
          return field_error(key,
                             "unknown route " + r.dump() + "; expected any of " + known_routes());
        }
        if (std::find(routes.begin(), routes.end(), r.get<std::string>()) == routes.end()) {
          routes.push_back(r.get<std::string>());
        }
      }
      next.routes = std::move(routes);
    } else if (key == "ready" || key == "healthy") {
      if (!value.is_boolean()) return field_error(key, "expected true or false");
      (key == "ready" ? next.ready : next.healthy) = value.get<bool>();
    } else if (key == "crash_after_ms") {
      auto ms = as_integer(value, 0, kMaxCrashAfterMs);
      if (!ms) {
        return field_error(key, "expected a whole number of milliseconds from 0 (off) to " +
                                    std::to_string(kMaxCrashAfterMs));
      }
      next.crash_after_ms = *ms;
    } else {
      return field_error(key,
                         "unknown field; expected any of error_rate, error_code, "
                         "latency_ms, latency_jitter_ms, latency_rate, routes, ready, "
                         "healthy, crash_after_ms");
    }
  }
  return next;
}

void RealSleeper::sleep_for(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  const auto generation = generation_;
  cv_.wait_for(lock, delay, [&] { return generation_ != generation; });
}

void RealSleeper::interrupt_all() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  cv_.notify_all();
}

FaultInjector::FaultInjector(prometheus::Registry& registry, FaultState initial, std::uint64_t seed)
    : rng_(seed),
      error_rate_gauge_(prometheus::BuildGauge()
                            .Name("portal_fault_error_rate")
                            .Help("Fraction of API requests the portal is told to fail (0..1).")
                            .Register(registry)
                            .Add({})),
      latency_gauge_(prometheus::BuildGauge()
                         .Name("portal_fault_latency_seconds")
                         .Help("Delay the portal is told to add to API requests, in seconds.")
                         .Register(registry)
                         .Add({})),
      injected_errors_(injected_family(registry).Add({{"kind", "error"}})),
      injected_latency_(injected_family(registry).Add({{"kind", "latency"}})) {
  set_state(std::move(initial));
}

FaultState FaultInjector::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void FaultInjector::set_state(FaultState next) {
  std::lock_guard lock(mutex_);
  route_mask_ = mask_of(next.routes);
  state_ = std::move(next);
  injects_.store(state_.injects(), std::memory_order_release);
  publish(state_);
}

void FaultInjector::publish(const FaultState& s) {
  error_rate_gauge_.Set(s.error_rate);
  latency_gauge_.Set(s.latency_rate > 0.0 ? s.latency_ms / 1000.0 : 0.0);
}

FaultDecision FaultInjector::decide(std::size_t route) {
  FaultDecision d;
  if (!injects_.load(std::memory_order_acquire)) return d;
  std::lock_guard lock(mutex_);
  if ((route_mask_ & (1U << route)) == 0) return d;
  const FaultState& s = state_;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (s.latency_rate > 0.0 && (s.latency_ms > 0 || s.latency_jitter_ms > 0) &&
      unit(rng_) < s.latency_rate) {
    int ms = s.latency_ms;
    if (s.latency_jitter_ms > 0) {
      ms += std::uniform_int_distribution<int>(-s.latency_jitter_ms, s.latency_jitter_ms)(rng_);
    }
    ms = std::clamp(ms, 0, kMaxLatencyMs);
    if (ms > 0) {
      d.delay = std::chrono::milliseconds{ms};
      injected_latency_.Increment();
    }
  }
  if (s.error_rate > 0.0 && unit(rng_) < s.error_rate) {
    d.error_code = s.error_code;
    injected_errors_.Increment();
  }
  return d;
}

}  // namespace portal
