#pragma once
// The drill copies of hand-written rule files: every duration of their expressions and `for`
// divided by the drill factor, line by line so that comments and layout stay. Pure; thread-safe.

#include <string>
#include <string_view>

#include "slo_rules/generator.hpp"

namespace slo_rules {

/// Every duration of a PromQL expression divided by the scale: range selectors (`[15m]`),
/// subqueries (`[1h:1m]`) and offsets (`offset 5m`). A range never goes below `min_range`:
/// rate() over less than a few scrape intervals sees one sample or none. Throws SpecError naming
/// the duration when the division is not exact.
std::string scale_promql(std::string_view expr, const Scale& scale, Duration min_range);

/// The drill copy of a hand-written rule file (`source_name`, e.g. "portal.rules.yml"), line by
/// line so that its comments and layout stay as written:
/// - ranges, subqueries and offsets in `expr` and the `for` of every rule are divided by the
///   factor, a range to no less than `min_range` (see scale_promql);
/// - in `summary` and `description`, a duration written as Prometheus writes it ("15m") that
///   equals one of the rule's ranges or its `for` becomes what that one became, so "restarted 4
///   times in 15m" reads "in 15s". Other numbers (a "500ms" latency threshold) are left alone.
/// The layout it reads: one `expr:` (inline or block scalar), `for:`, and single-line `summary:`
/// and `description:` per rule, as the project's hand-written files are written.
std::string render_drill_rule_file(std::string_view production, const std::string& source_name,
                                   const Scale& scale, Duration min_range);

}  // namespace slo_rules
