#pragma once
// Alert labels as Alertmanager holds them: a sorted label set, a label's value, and
// Alertmanager's fingerprint of a set. Pure; thread-safe.

#include <map>
#include <string>
#include <string_view>

namespace firedrill::alerting {

/// Labels or annotations of an alert, sorted by name (so serialisations are deterministic).
using LabelSet = std::map<std::string, std::string, std::less<>>;

/// The value of `name`, or "" when absent (Alertmanager treats a missing label as empty).
std::string_view label_value(const LabelSet& labels, std::string_view name);

/// Alertmanager's fingerprint of a label set (Prometheus model.LabelSet.Fingerprint: FNV-1a 64
/// over sorted name, 0xff, value, 0xff), formatted as 16 lowercase hex digits.
std::string fingerprint(const LabelSet& labels);

}  // namespace firedrill::alerting
