#include "auto_healer/scan.hpp"

#include <nlohmann/json.hpp>

#include "firedrill/log.hpp"

namespace auto_healer {

namespace {

struct Seen {
  Workload workload;
  Observation observation;
  std::vector<TimePoint> actions;
  bool counted = false;  // pods were read
};

}  // namespace

std::vector<TimePoint> parse_actions(std::string_view text) {
  std::vector<TimePoint> out;
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_array()) return out;
  for (const auto& t : doc) {
    if (!t.is_string()) continue;
    if (auto at = alerting::parse_time(t.get<std::string>()); at && *at != alerting::kZeroTime) {
      out.push_back(*at);
    }
  }
  return out;
}

std::string serialize_actions(const std::vector<TimePoint>& times) {
  nlohmann::json out = nlohmann::json::array();
  for (auto t : times) out.push_back(alerting::format_time(t));
  return out.dump();
}

ScanReport run_scan(KubeBackend& backend, const Policy& policy,
                    const std::vector<std::string>& namespaces, Audit& audit,
                    const Healer::Clock& clock) {
  ScanReport report;
  const TimePoint now = clock();
  const std::string selector = policy.selector_label + "=" + policy.selector_value;
  std::vector<Seen> seen;
  for (const auto& ns : namespaces) {
    std::string error;
    auto workloads = backend.list(ns, selector, error);
    if (!workloads) {
      log::error("cannot list deployments", {{"namespace", ns}, {"error", error}});
      ++report.errors;
      report.success = false;
      continue;
    }
    for (auto& w : *workloads) {
      Seen s;
      s.workload = std::move(w);
      RestartLedger ledger;
      if (auto it = s.workload.annotations.find(kLedgerAnnotation);
          it != s.workload.annotations.end()) {
        if (auto parsed = parse_ledger(it->second, error)) {
          ledger = std::move(*parsed);
        } else {
          log::warn("restart ledger unreadable; starting again",
                    {{"target", s.workload.target.key()}, {"error", error}});
        }
      }
      if (auto it = s.workload.annotations.find(kActionsAnnotation);
          it != s.workload.annotations.end()) {
        s.actions = parse_actions(it->second);
      }
      if (auto pods = backend.pods(s.workload, error)) {
        s.observation = observe(ledger, *pods, now, policy.window);
        s.counted = true;
      } else {
        log::error("cannot list pods", {{"target", s.workload.target.key()}, {"error", error}});
        ++report.errors;
        report.success = false;
      }
      seen.push_back(std::move(s));
    }
  }
  // Every workload's recent actions first, so that the cap in total sees them all.
  Healer healer(policy, clock);
  std::vector<ActionRecord> history;
  for (const auto& s : seen) {
    for (auto t : s.actions) history.push_back(ActionRecord{s.workload.target, t, ""});
  }
  healer.restore(history);
  for (auto& s : seen) {
    ++report.workloads;
    if (!s.counted) continue;
    Trigger trigger;
    trigger.target = s.workload.target;
    trigger.workload_labels = s.workload.labels;
    trigger.restarts_in_window = s.observation.in_window;
    Decision d = healer.decide(trigger, {});
    if (d.act()) {
      auto outcome = backend.restart(s.workload, d.result == Result::dry_run);
      d = healer.record(d, outcome.ok, outcome.error);
      if (outcome.ok) {
        ++report.restarted;
        s.actions.push_back(now);
        // Restarts that led to this action must not call for the next one.
        s.observation.ledger.increases.clear();
      } else {
        ++report.errors;
        report.success = false;
      }
    }
    audit.record(d, "scan", backend.name(), now);
    if (d.result != Result::below_threshold) {
      if (auto event = backend.record_event(s.workload, d); !event.ok) {
        log::warn("cannot record the decision as an event",
                  {{"target", d.target.key()}, {"error", event.error}});
      }
    }
    std::vector<TimePoint> recent;
    for (auto t : s.actions) {
      if (t > now - policy.window) recent.push_back(t);
    }
    auto written = backend.annotate(s.workload,
                                    {{kLedgerAnnotation, serialize_ledger(s.observation.ledger)},
                                     {kActionsAnnotation, serialize_actions(recent)}},
                                    false);
    if (!written.ok) {
      log::error("cannot keep the restart ledger",
                 {{"target", d.target.key()}, {"error", written.error}});
      ++report.errors;
      report.success = false;
    }
    report.decisions.push_back(std::move(d));
  }
  return report;
}

}  // namespace auto_healer
