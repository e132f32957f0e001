#include "auto_healer/decision.hpp"

#include <algorithm>
#include <utility>

#include "firedrill/alerting/matcher.hpp"
#include "firedrill/duration.hpp"

namespace auto_healer {

namespace {

std::string seconds_text(Seconds s) { return format_duration(s); }

Decision make(Result result, const Trigger& trigger, std::string reason, int attempt = 0) {
  Decision d;
  d.result = result;
  d.target = trigger.target;
  d.occurrence = trigger.occurrence;
  d.reason = std::move(reason);
  d.attempt = attempt;
  return d;
}

}  // namespace

std::string_view to_string(Result result) {
  switch (result) {
    case Result::acted:
      return "acted";
    case Result::dry_run:
      return "dry_run";
    case Result::below_threshold:
      return "below_threshold";
    case Result::not_allowed:
      return "not_allowed";
    case Result::silenced:
      return "silenced";
    case Result::duplicate:
      return "duplicate";
    case Result::cooldown:
      return "cooldown";
    case Result::cap:
      return "cap";
    case Result::gave_up:
      return "gave_up";
    case Result::handed_over:
      return "handed_over";
    case Result::failed:
      return "failed";
  }
  return "unknown";
}

bool silenced_by_any(const alerting::LabelSet& labels,
                     const std::vector<alerting::GettableSilence>& silences, TimePoint now) {
  for (const auto& silence : silences) {
    if (silence.state != "active") continue;
    if (silence.starts_at > now ||
        (silence.ends_at != alerting::kZeroTime && silence.ends_at <= now))
      continue;
    bool all = !silence.matchers.empty();
    for (const auto& m : silence.matchers) {
      try {
        if (!alerting::Matcher(m.name, m.type, m.value).matches(labels)) {
          all = false;
          break;
        }
      } catch (const alerting::MatcherError&) {
        all = false;  // Alertmanager never stores an invalid matcher; a broken one matches nothing
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

Healer::Healer(Policy policy, Clock clock) : policy_(std::move(policy)), clock_(std::move(clock)) {}

void Healer::restore(const std::vector<ActionRecord>& history) {
  for (const auto& record : history) {
    actions_.push_back(record);
    auto& last = last_action_[record.target.key()];
    last = std::max(last, record.at);
    if (!record.occurrence.empty()) occurrences_[record.occurrence] = record.at;
  }
  std::sort(actions_.begin(), actions_.end(),
            [](const ActionRecord& a, const ActionRecord& b) { return a.at < b.at; });
  expire(clock_());
}

void Healer::expire(TimePoint now) {
  const auto horizon = now - policy_.window;
  while (!actions_.empty() && actions_.front().at <= horizon) actions_.pop_front();
  for (auto it = occurrences_.begin(); it != occurrences_.end();) {
    it = it->second <= horizon ? occurrences_.erase(it) : std::next(it);
  }
}

int Healer::attempts_in_window(const std::string& key) const {
  const auto reset = attempts_reset_.find(key);
  return static_cast<int>(
      std::count_if(actions_.begin(), actions_.end(), [&](const ActionRecord& a) {
        return a.target.key() == key && (reset == attempts_reset_.end() || a.at > reset->second);
      }));
}

Decision Healer::decide(const Trigger& trigger,
                        const std::vector<alerting::GettableSilence>& silences) {
  const TimePoint now = clock_();
  expire(now);
  const std::string key = trigger.target.key();

  if (!policy_.allowed_remediations.contains(trigger.remediation)) {
    return make(Result::not_allowed, trigger,
                "remediation \"" + trigger.remediation + "\" is not one the auto-healer performs");
  }
  if (!policy_.allowed_namespaces.contains(trigger.target.namespace_name)) {
    return make(Result::not_allowed, trigger,
                "namespace " + trigger.target.namespace_name + " is not in --namespaces");
  }
  if (alerting::label_value(trigger.workload_labels, policy_.selector_label) !=
      policy_.selector_value) {
    return make(Result::not_allowed, trigger,
                trigger.target.key() + " does not carry the label " + policy_.selector_label + "=" +
                    policy_.selector_value);
  }
  if (!trigger.alert_labels.empty() && silenced_by_any(trigger.alert_labels, silences, now)) {
    return make(Result::silenced, trigger, "a silence matches the alert");
  }
  if (trigger.restarts_in_window && *trigger.restarts_in_window < policy_.restart_threshold) {
    return make(Result::below_threshold, trigger,
                std::to_string(*trigger.restarts_in_window) + " restarts within " +
                    seconds_text(policy_.window) + ", below the threshold of " +
                    std::to_string(policy_.restart_threshold));
  }
  const auto last = last_action_.find(key);
  const bool cooling = last != last_action_.end() && now - last->second < policy_.cooldown;
  if (!trigger.occurrence.empty()) {
    if (auto seen = occurrences_.find(trigger.occurrence);
        seen != occurrences_.end() && now - seen->second < policy_.cooldown) {
      return make(Result::duplicate, trigger, "this alert occurrence was already acted on");
    }
  }
  if (handed_over_.contains(key)) {
    return make(Result::handed_over, trigger,
                "auto-heal gave up on " + trigger.target.name + "; a human has it");
  }
  if (cooling) {
    return make(Result::cooldown, trigger,
                "last action on " + key + " less than " + seconds_text(policy_.cooldown) + " ago");
  }
  const int attempts = attempts_in_window(key);
  if (attempts >= policy_.max_attempts) {
    handed_over_.insert(key);
    return make(Result::gave_up, trigger,
                "auto-heal gave up on " + trigger.target.name + " after " +
                    std::to_string(attempts) + " restarts",
                attempts);
  }
  if (static_cast<int>(actions_.size()) >= policy_.max_actions_per_window) {
    return make(Result::cap, trigger,
                std::to_string(actions_.size()) + " actions within " +
                    seconds_text(policy_.window) + ", the cap in total");
  }
  const int attempt = attempts + 1;
  if (policy_.dry_run) {
    return make(Result::dry_run, trigger,
                "would restart " + key + " (dry run), attempt " + std::to_string(attempt), attempt);
  }
  return make(Result::acted, trigger, "restart " + key + ", attempt " + std::to_string(attempt),
              attempt);
}

Decision Healer::record(const Decision& decision, bool ok, const std::string& error) {
  if (!decision.act()) return decision;
  if (!ok) {
    Decision failed = decision;
    failed.result = Result::failed;
    failed.reason = "restart of " + decision.target.key() + " failed: " + error;
    return failed;
  }
  const TimePoint now = clock_();
  actions_.push_back(ActionRecord{decision.target, now, decision.occurrence});
  last_action_[decision.target.key()] = now;
  if (!decision.occurrence.empty()) occurrences_[decision.occurrence] = now;
  return decision;
}

void Healer::resolved(const Target& target) {
  const std::string key = target.key();
  handed_over_.erase(key);
  // The actions still count against the cap in total; only this target's attempts start again.
  attempts_reset_[key] = clock_();
}

std::vector<ActionRecord> Healer::history() const { return {actions_.begin(), actions_.end()}; }

std::optional<TimePoint> Healer::last_action(const Target& target) const {
  auto it = last_action_.find(target.key());
  if (it == last_action_.end()) return std::nullopt;
  return it->second;
}

}  // namespace auto_healer
