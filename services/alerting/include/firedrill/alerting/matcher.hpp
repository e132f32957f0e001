#pragma once
// Alertmanager's matchers (`name="value"`, `!=`, `=~`, `!~`, RE2 regular expressions), their
// parser and their evaluation against a label set, shared by mock-slack and batch-sync. A parsed
// Matcher is immutable and thread-safe.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "firedrill/alerting/labels.hpp"

namespace re2 {
class RE2;
}

namespace firedrill::alerting {

/// Thrown by the matcher parser; what() says what is wrong and where.
class MatcherError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class MatchType { equal, not_equal, regex, not_regex };

/// "=", "!=", "=~" or "!~".
std::string_view to_string(MatchType type);

/// One Alertmanager matcher: `service="portal"`, `instance=~"10\\..*"`, `env!="dev"`,
/// `job!~"batch.*"`. Regular expressions are RE2, Alertmanager's own syntax and semantics (Go's
/// regexp is RE2): compiled as `^(?:value)$` exactly as Alertmanager compiles them, so `(?i)` and
/// `\pL` work and backreferences or lookarounds are refused. RE2 runs in time linear in the value
/// (times the size of the compiled pattern) without recursion, so no pattern can make a match slow
/// or deep: the work of one match is bounded by kMaxRegexBytes and kRegexMaxMemBytes.
/// A missing label matches as the empty string, so `team=""` selects alerts without `team`.
/// Immutable after construction; safe to share between threads.
class Matcher {
 public:
  /// Throws MatcherError for an invalid regular expression.
  Matcher(std::string name, MatchType type, std::string value);

  const std::string& name() const { return name_; }
  MatchType type() const { return type_; }
  const std::string& value() const { return value_; }

  /// Whether a label value satisfies the matcher (the empty string for a missing label).
  bool matches_value(std::string_view value) const;
  /// Whether the label set satisfies the matcher.
  bool matches(const LabelSet& labels) const { return matches_value(label_value(labels, name_)); }

  /// The matcher in Alertmanager syntax, value quoted and escaped: `instance=~"10\\..*"`.
  std::string to_string() const;

 private:
  std::string name_;
  MatchType type_;
  std::string value_;
  std::shared_ptr<const re2::RE2> regex_;
};

/// Longest regular expression accepted, in bytes.
inline constexpr std::size_t kMaxRegexBytes = 1024;
/// RE2's memory budget for one compiled matcher (its programs and DFA caches). A pattern whose
/// program does not fit is refused; a DFA that fills its cache falls back to RE2's NFA, which is
/// still linear.
inline constexpr std::int64_t kRegexMaxMemBytes = 1 << 20;

/// Parses one matcher. The label name is bare (`[A-Za-z_:][A-Za-z0-9_:]*`) or double-quoted; the
/// value is double-quoted (escapes \" \\ \n) or bare up to the end. Surrounding spaces are ignored.
/// Throws MatcherError, e.g. `expected an operator (=, !=, =~, !~) after "service" at position 7`.
Matcher parse_matcher(std::string_view text);

/// A label name or value as a double-quoted matcher / PromQL string: escapes \\, " and newlines.
std::string quote(std::string_view text);

/// Parses a comma-separated list, optionally in braces: `{service="portal",
/// severity=~"page|critical"}`. An empty list ("" or "{}") is valid. Bare values end at the next
/// comma or brace.
std::vector<Matcher> parse_matchers(std::string_view text);

/// Whether every matcher matches.
bool matches_all(const std::vector<Matcher>& matchers, const LabelSet& labels);

}  // namespace firedrill::alerting
