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
