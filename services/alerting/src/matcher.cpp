#include "firedrill/alerting/matcher.hpp"

#include <re2/re2.h>

namespace firedrill::alerting {

std::string_view to_string(MatchType type) {
  switch (type) {
    case MatchType::equal:
      return "=";
    case MatchType::not_equal:
      return "!=";
    case MatchType::regex:
      return "=~";
    case MatchType::not_regex:
      return "!~";
  }
  return "=";
}

Matcher::Matcher(std::string name, MatchType type, std::string value)
    : name_(std::move(name)), type_(type), value_(std::move(value)) {
  if (type_ == MatchType::regex || type_ == MatchType::not_regex) {
    if (value_.size() > kMaxRegexBytes) {
      throw MatcherError("regular expression for \"" + name_ + "\" is longer than " +
                         std::to_string(kMaxRegexBytes) + " bytes");
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(kRegexMaxMemBytes);
    // The text Alertmanager compiles (pkg/labels/matcher.go), so that a value such as "a)|(b"
    // means here what it means there.
    auto re = std::make_shared<const RE2>("^(?:" + value_ + ")$", options);
    if (!re->ok()) {
      throw MatcherError("invalid regular expression \"" + value_ + "\" for \"" + name_ +
                         "\": " + re->error());
    }
    regex_ = std::move(re);
  }
}

bool Matcher::matches_value(std::string_view value) const {
  switch (type_) {
    case MatchType::equal:
      return value == value_;
    case MatchType::not_equal:
      return value != value_;
    case MatchType::regex:
      return RE2::PartialMatch(re2::StringPiece(value.data(), value.size()), *regex_);
    case MatchType::not_regex:
      return !RE2::PartialMatch(re2::StringPiece(value.data(), value.size()), *regex_);
  }
  return false;
}

namespace {

bool bare_name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Matcher matcher(bool in_list) {
    skip_spaces();
    const std::size_t name_pos = pos_;
    std::string name;
    if (peek() == '"') {
      name = quoted("label name");
    } else {
      while (pos_ < s_.size() && bare_name_char(s_[pos_], pos_ == name_pos)) ++pos_;
      name = std::string(s_.substr(name_pos, pos_ - name_pos));
    }
    if (name.empty()) fail("expected a label name", name_pos);
    skip_spaces();
    MatchType type{};
    if (s_.substr(pos_, 2) == "=~") {
      type = MatchType::regex;
      pos_ += 2;
    } else if (s_.substr(pos_, 2) == "!=") {
      type = MatchType::not_equal;
      pos_ += 2;
    } else if (s_.substr(pos_, 2) == "!~") {
      type = MatchType::not_regex;
      pos_ += 2;
    } else if (peek() == '=') {
      type = MatchType::equal;
      pos_ += 1;
    } else {
      fail("expected an operator (=, !=, =~, !~) after " + quote(name), pos_);
    }
    skip_spaces();
    std::string value;
    if (peek() == '"') {
      value = quoted("value");
    } else {
      const std::size_t start = pos_;
      while (pos_ < s_.size() && !(in_list && (s_[pos_] == ',' || s_[pos_] == '}'))) ++pos_;
      std::string_view bare = s_.substr(start, pos_ - start);
      while (!bare.empty() && bare.back() == ' ') bare.remove_suffix(1);
      value = std::string(bare);
    }
    skip_spaces();
    return Matcher(std::move(name), type, std::move(value));
  }

  std::vector<Matcher> list() {
    std::vector<Matcher> out;
    skip_spaces();
    const bool braces = peek() == '{';
    if (braces) ++pos_;
    skip_spaces();
    const char close = braces ? '}' : '\0';
    while (pos_ < s_.size() && peek() != close) {
      out.push_back(matcher(true));
      if (peek() == ',') {
        ++pos_;
        skip_spaces();
        if (pos_ >= s_.size() || peek() == close) fail("expected a matcher after \",\"", pos_);
      } else if (pos_ < s_.size() && peek() != close) {
        fail("expected \",\"" + std::string(braces ? " or \"}\"" : ""), pos_);
      }
    }
    if (braces) {
      if (peek() != '}') fail("expected \"}\"", pos_);
      ++pos_;
    }
    end();
    return out;
  }

  void end() {
    skip_spaces();
    if (pos_ != s_.size()) fail("unexpected \"" + std::string(s_.substr(pos_)) + "\"", pos_);
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_spaces() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  [[noreturn]] void fail(const std::string& what, std::size_t at) const {
    throw MatcherError(what + " at position " + std::to_string(at) + " in " + quote(s_));
  }
  std::string quoted(const char* what) {
    const std::size_t start = pos_++;
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (pos_ >= s_.size()) break;
        char e = s_[pos_++];
        if (e == 'n') {
          out += '\n';
        } else if (e == '"' || e == '\\') {
          out += e;
        } else {
          // Alertmanager keeps unknown escapes as they are, so `=~"10\.0"` means what it says.
          out += '\\';
          out += e;
        }
      } else {
        out += c;
      }
    }
    fail(std::string("unterminated quoted ") + what, start);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string Matcher::to_string() const {
  bool bare = !name_.empty() && bare_name_char(name_[0], true);
  for (char c : name_) bare = bare && bare_name_char(c, false);
  return (bare ? name_ : quote(name_)) + std::string(alerting::to_string(type_)) + quote(value_);
}

Matcher parse_matcher(std::string_view text) {
  Parser p(text);
  Matcher m = p.matcher(false);
  p.end();
  return m;
}

std::vector<Matcher> parse_matchers(std::string_view text) { return Parser(text).list(); }

bool matches_all(const std::vector<Matcher>& matchers, const LabelSet& labels) {
  for (const auto& m : matchers) {
    if (!m.matches(labels)) return false;
  }
  return true;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace firedrill::alerting
