#include "slo_rules/drill_rules.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

namespace slo_rules {
namespace {

// A Prometheus duration as it appears in PromQL and in the project's annotations.
constexpr const char* kDuration = "[0-9]+(?:ms|[smhdwy])(?:[0-9]+(?:ms|[smhdwy]))*";

// Replaces every match of `pattern` by `replace(match)`.
template <typename Replace>
std::string replace_all(const std::string& text, const std::regex& pattern, Replace replace) {
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
    out.append(last, (*it)[0].first);
    out += replace(*it);
    last = (*it)[0].second;
  }
  out.append(last, text.cend());
  return out;
}

std::string scale_expr(const std::string& expr, const Scale& scale, Duration min_range,
                       std::map<Duration, Duration>& seen) {
  static const std::regex kRange(std::string(R"(\[()") + kDuration + R"()(:()" + kDuration +
                                 R"()?)?\])");
  static const std::regex kOffset(std::string(R"(\boffset(\s+)()") + kDuration + ")");
  // Each duration of the rule and what it became, for the annotations.
  auto scale_one = [&](const std::string& text, Duration floor) {
    const Duration duration = parse_duration(text);
    const Duration result = std::max(floor, scale.apply(duration, "duration " + text));
    seen.emplace(duration, result);
    return format_duration(result);
  };
  std::string out = replace_all(expr, kRange, [&](const std::smatch& m) {
    std::string range = "[" + scale_one(m[1].str(), min_range);
    if (m[2].matched) {
      range += ":";
      if (m[3].matched) range += scale_one(m[3].str(), Duration(0));
    }
    return range + "]";
  });
  return replace_all(out, kOffset, [&](const std::smatch& m) {
    return "offset" + m[1].str() + scale_one(m[2].str(), Duration(0));
  });
}

std::size_t indent_of(const std::string& line) { return line.find_first_not_of(' '); }

bool is_blank_or_comment(const std::string& line) {
  const auto first = line.find_first_not_of(' ');
  return first == std::string::npos || line[first] == '#';
}

// One rule's lines, from its "- alert:" or "- record:" line to the next rule or group.
void render_rule(std::vector<std::string>& lines, const Scale& scale, Duration min_range) {
  static const std::regex kFor(std::string(R"(^(\s*for:\s*)()") + kDuration + R"()\s*$)");
  static const std::regex kKey(R"(^(\s*)([a-z_]+):(.*)$)");
  static const std::regex kToken(std::string(R"(\b()") + kDuration + R"()\b)");
  std::map<Duration, Duration> durations;
  // Pass 1: expressions and `for`, collecting every duration of the rule.
  bool in_expr = false;
  std::size_t expr_indent = 0;
  for (std::string& line : lines) {
    std::smatch key;
    const bool is_key = std::regex_match(line, key, kKey);
    // At the expression's indent or less, a comment is YAML's, not part of the expression.
    const bool outside_block = is_blank_or_comment(line) ? indent_of(line) != std::string::npos &&
                                                               indent_of(line) <= expr_indent
                                                         : indent_of(line) <= expr_indent;
    if (in_expr && outside_block && !is_blank_or_comment(line)) in_expr = false;
    if (in_expr && outside_block) continue;
    if (is_key && key[2] == "expr") {
      in_expr = true;
      expr_indent = static_cast<std::size_t>(key[1].length());
      line = key[1].str() + "expr:" + scale_expr(key[3].str(), scale, min_range, durations);
    } else if (in_expr) {
      line = scale_expr(line, scale, min_range, durations);
    } else if (std::smatch m; std::regex_match(line, m, kFor)) {
      const Duration duration = parse_duration(m[2].str());
      const Duration result = scale.apply(duration, "for " + m[2].str());
      durations.emplace(duration, result);
      line = m[1].str() + format_duration(result);
    }
  }
  // Pass 2: the texts people read say the same durations.
  for (std::string& line : lines) {
    std::smatch key;
    if (!std::regex_match(line, key, kKey)) continue;
    if (key[2] != "summary" && key[2] != "description") continue;
    line = key[1].str() + key[2].str() + ":" +
           replace_all(key[3].str(), kToken, [&](const std::smatch& m) {
             const auto found = durations.find(parse_duration(m[1].str()));
             return found != durations.end() ? format_duration(found->second) : m[1].str();
           });
  }
}

}  // namespace

std::string scale_promql(std::string_view expr, const Scale& scale, Duration min_range) {
  std::map<Duration, Duration> seen;
  return scale_expr(std::string(expr), scale, min_range, seen);
}

std::string render_drill_rule_file(std::string_view production, const std::string& source_name,
                                   const Scale& scale, Duration min_range) {
  static const std::regex kRuleStart(R"(^\s*-\s+(alert|record):.*$)");
  static const std::regex kGroupStart(R"(^\s*-\s+name:.*$)");
  std::ostringstream out;
  out << "# GENERATED FILE - DO NOT EDIT.\n"
      << "# Generated by slo-rules (tools/slo-rules) from ../" << source_name
      << ", the hand-written production rules. Change that file and run\n"
      << "#   make rules    (build/bin/slo-rules --spec alert-rules/slos.yaml --out alert-rules)\n"
      << "# The test alert-rules.generated-up-to-date fails when this file differs from it.\n"
      << "# Scale: DRILL (factor " << scale.factor
      << "). Every range, subquery, offset and `for` is divided by the factor (a range\n"
      << "# to no less than " << format_duration(min_range)
      << ", so that rate() and changes() see several scrapes), and so are the same durations\n"
      << "# where summary and description mention them.\n";
  std::istringstream in{std::string(production)};
  std::vector<std::string> rule;
  auto flush = [&] {
    if (!rule.empty()) render_rule(rule, scale, min_range);
    for (const auto& line : rule) out << line << "\n";
    rule.clear();
  };
  bool in_rule = false;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, kRuleStart)) {
      flush();
      in_rule = true;
    } else if (std::regex_match(line, kGroupStart)) {
      flush();
      in_rule = false;
    }
    if (in_rule) {
      rule.push_back(line);
    } else {
      out << line << "\n";
    }
  }
  flush();
  return out.str();
}

}  // namespace slo_rules
