#pragma once
// The audit of every decision: one JSON log line, autohealer_actions_total{action,result} and
// autohealer_last_action_timestamp_seconds{target}. Thread-safe.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string_view>

#include "auto_healer/decision.hpp"
#include "auto_healer/kit.hpp"

namespace auto_healer {

class Audit {
 public:
  /// Registers the metrics on `registry`; every result of the "restart" action is exposed at zero
  /// from the start, so that rate() sees the first decision.
  explicit Audit(prometheus::Registry& registry);

  /// Logs and counts a decision. `trigger` is "alert" or "scan"; `at` is when it was taken. The
  /// last-action gauge moves only for decisions that restarted (or dry-ran) a target.
  void record(const Decision& decision, std::string_view trigger, std::string_view backend,
              TimePoint at);

 private:
  prometheus::Family<prometheus::Counter>& actions_;
  prometheus::Family<prometheus::Gauge>& last_action_;
};

}  // namespace auto_healer
