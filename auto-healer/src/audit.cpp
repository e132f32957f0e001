#include "auto_healer/audit.hpp"

#include <chrono>

#include "firedrill/log.hpp"

namespace auto_healer {

namespace {

constexpr Result kAllResults[] = {Result::acted,       Result::dry_run,  Result::below_threshold,
                                  Result::not_allowed, Result::silenced, Result::duplicate,
                                  Result::cooldown,    Result::cap,      Result::gave_up,
                                  Result::handed_over, Result::failed};

}  // namespace

Audit::Audit(prometheus::Registry& registry)
    : actions_(prometheus::BuildCounter()
                   .Name("autohealer_actions_total")
                   .Help("Decisions of the auto-healer, by action and result (acted, dry_run, "
                         "cooldown, cap, silenced, not_allowed, duplicate, gave_up, failed, ...)")
                   .Register(registry)),
      last_action_(prometheus::BuildGauge()
                       .Name("autohealer_last_action_timestamp_seconds")
                       .Help("Unix time of the last restart (or dry run) of a target")
                       .Register(registry)) {
  for (Result r : kAllResults)
    actions_.Add({{"action", "restart"}, {"result", std::string(to_string(r))}});
}

void Audit::record(const Decision& d, std::string_view trigger, std::string_view backend,
                   TimePoint at) {
  const std::string result(to_string(d.result));
  actions_.Add({{"action", "restart"}, {"result", result}}).Increment();
  if (d.act()) {
    const auto seconds = std::chrono::duration<double>(at.time_since_epoch()).count();
    last_action_.Add({{"target", d.target.key()}}).Set(seconds);
  }
  const log::Level level = d.result == Result::failed || d.result == Result::gave_up
                               ? log::Level::warn
                               : log::Level::info;
  log::write(level, "auto-heal decision",
             {{"action", "restart"},
              {"result", result},
              {"target", d.target.key()},
              {"occurrence", d.occurrence},
              {"attempt", d.attempt},
              {"trigger", trigger},
              {"backend", backend},
              {"reason", d.reason},
              {"decided_at", alerting::format_time(at)}});
}

}  // namespace auto_healer
