#include "firedrill/alerting/matcher.hpp"

#include <catch2/catch.hpp>

using namespace firedrill::alerting;

TEST_CASE("matchers parse in Alertmanager syntax", "[matcher]") {
  SECTION("the four operators") {
    auto eq = parse_matcher(R"(service="portal")");
    CHECK(eq.name() == "service");
    CHECK(eq.type() == MatchType::equal);
    CHECK(eq.value() == "portal");
    CHECK(parse_matcher(R"(env!="dev")").type() == MatchType::not_equal);
    CHECK(parse_matcher(R"(instance=~"10\\..*")").type() == MatchType::regex);
    CHECK(parse_matcher(R"(instance=~"10\\..*")").value() == R"(10\..*)");
    CHECK(parse_matcher(R"(job!~"batch.*")").type() == MatchType::not_regex);
  }
  SECTION("bare values, spaces and quoted names") {
    CHECK(parse_matcher("severity = page ").value() == "page");
    CHECK(parse_matcher(R"("service name"="a b")").name() == "service name");
    CHECK(parse_matcher(R"(summary="say \"hi\"")").value() == R"(say "hi")");
  }
  SECTION("lists, with and without braces") {
    auto l = parse_matchers(R"({service="portal", severity=~"page|ticket"})");
    REQUIRE(l.size() == 2);
    CHECK(l[1].name() == "severity");
    CHECK(parse_matchers("a=b,c!=d").size() == 2);
    CHECK(parse_matchers("{}").empty());
    CHECK(parse_matchers("").empty());
  }
  SECTION("round trip") {
    CHECK(parse_matcher(R"(instance=~"10\\..*")").to_string() == R"(instance=~"10\\..*")");
  }
}

TEST_CASE("bad matchers say what and where", "[matcher]") {
  auto error = [](const char* text) {
    try {
      (void)parse_matcher(text);
    } catch (const MatcherError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error(R"(="x")") == R"(expected a label name at position 0 in "=\"x\"")");
  CHECK(error("service") ==
        R"(expected an operator (=, !=, =~, !~) after "service" at position 7 in "service")");
  CHECK(error(R"(a="x)") == R"(unterminated quoted value at position 2 in "a=\"x")");
  CHECK(error(R"(a="x" b)") == R"(unexpected "b" at position 6 in "a=\"x\" b")");
  CHECK(error(R"(a=~"(")").rfind(R"(invalid regular expression "(" for "a": )", 0) == 0);
  CHECK_THROWS_AS(parse_matchers(R"({a="b",})"), MatcherError);
  CHECK_THROWS_AS(parse_matchers(R"({a="b")"), MatcherError);
  CHECK_THROWS_AS(parse_matcher("a=~" + std::string(2000, 'x')), MatcherError);
}

TEST_CASE("matchers evaluate with anchored regular expressions", "[matcher]") {
  LabelSet l{{"service", "portal"}, {"instance", "10.0.0.7:8080"}};
  CHECK(parse_matcher(R"(service="portal")").matches(l));
  CHECK_FALSE(parse_matcher(R"(service="port")").matches(l));
  CHECK(parse_matcher(R"(instance=~"10\\..*")").matches(l));
  // Anchored: a match in the middle is not enough.
  CHECK_FALSE(parse_matcher(R"(instance=~"0\\.0")").matches(l));
  CHECK(parse_matcher(R"(instance!~"192\\..*")").matches(l));
  CHECK_FALSE(parse_matcher(R"(service!="portal")").matches(l));
  SECTION("a missing label is the empty string") {
    CHECK(parse_matcher(R"(team="")").matches(l));
    CHECK(parse_matcher(R"(team!="x")").matches(l));
    CHECK_FALSE(parse_matcher(R"(team=~".+")").matches(l));
    CHECK(parse_matcher(R"(team!~".+")").matches(l));
  }
  SECTION("alternation is anchored as a whole") {
    auto m = parse_matcher(R"(service=~"port|api")");
    CHECK(m.matches({{"service", "api"}}));
    CHECK_FALSE(m.matches({{"service", "portal"}}));
  }
  CHECK(matches_all(parse_matchers(R"(service="portal",instance=~"10.*")"), l));
  CHECK_FALSE(matches_all(parse_matchers(R"(service="portal",instance=~"11.*")"), l));
}

TEST_CASE("label values quote as matcher and PromQL strings", "[matcher]") {
  CHECK(quote("portal") == "\"portal\"");
  CHECK(quote("a\"b\\c\nd") == "\"a\\\"b\\\\c\\nd\"");
  CHECK(parse_matcher("x=" + quote("a\"b\\c\nd")).value() == "a\"b\\c\nd");  // round trip
}

TEST_CASE("regular expressions are RE2: Alertmanager's syntax, in linear time", "[matcher][re2]") {
  auto error = [](const std::string& text) {
    try {
      (void)parse_matcher(text);
    } catch (const MatcherError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  SECTION("pathological patterns answer correctly on 8 KiB values") {
    // Each makes a backtracking engine take exponential time (or, for std::regex, recurse once
    // per character until the stack runs out); RE2 answers in one pass.
    const std::string as(8192, 'a');
    const std::string xs(8192, 'x');
    CHECK_FALSE(parse_matcher(R"(long=~"(a|a)*c")").matches_value(as));
    CHECK(parse_matcher(R"(long=~"(a|a)*c")").matches_value(as + "c"));
    CHECK_FALSE(parse_matcher(R"(long=~"(a*)*b")").matches_value(as));
    CHECK(parse_matcher(R"(long=~"(a*)*b")").matches_value(as + "b"));
    CHECK_FALSE(parse_matcher(R"(long=~"(x+x+)+y")").matches_value(xs));
    CHECK(parse_matcher(R"(long=~"(x+x+)+y")").matches_value(xs + "y"));
    CHECK(parse_matcher(R"(long!~"(x+x+)+y")").matches_value(xs));
    CHECK(parse_matcher(R"(long=~"(.*a){20}")").matches_value(as));
  }
  SECTION("RE2 is the engine: what RE2 refuses is refused, what only RE2 takes is taken") {
    // Backreferences and lookahead are ECMAScript (std::regex takes them); RE2 and Go refuse.
    CHECK(error(R"(a=~"(a)\\1")") ==
          R"(invalid regular expression "(a)\1" for "a": invalid escape sequence: \1)");
    CHECK(error(R"(a=~"(?=a)a")").rfind(R"(invalid regular expression "(?=a)a" for "a": )", 0) ==
          0);
    // Flags and Unicode classes are RE2 (std::regex ECMAScript refuses both).
    CHECK(parse_matcher(R"(service=~"(?i)PORTAL")").matches_value("portal"));
    CHECK(parse_matcher(R"(name=~"\\pL+")").matches_value("\xc3\xa9t\xc3\xa9"));
    CHECK_FALSE(parse_matcher(R"(name=~"\\pL+")").matches_value("42"));
  }
  SECTION("compiled as Alertmanager compiles it: ^(?:value)$") {
    // Go's regexp.Compile("^(?:a)|(b)$"): starts with a, or ends with b.
    auto m = parse_matcher(R"(x=~"a)|(b")");
    CHECK(m.matches_value("axyz"));
    CHECK(m.matches_value("xyzb"));
    CHECK_FALSE(m.matches_value("xyz"));
    // `.` does not match a newline without (?s), as in Go.
    CHECK_FALSE(parse_matcher(R"(x=~".*")").matches_value("a\nb"));
    CHECK(parse_matcher(R"(x=~"(?s).*")").matches_value("a\nb"));
  }
  SECTION("a pattern whose program exceeds the memory budget is refused") {
    CHECK(error(R"(x=~"\\pL{1000}")") ==
          R"(invalid regular expression "\pL{1000}" for "x": pattern too large - compile failed)");
    // RE2 bounds repetition counts (1000), as Go does.
    CHECK(error(R"(x=~"a{1001}")").rfind(R"(invalid regular expression "a{1001}" for "x": )", 0) ==
          0);
  }
}
