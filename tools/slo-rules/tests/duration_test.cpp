#include "slo_rules/duration.hpp"

#include <catch2/catch.hpp>

using slo_rules::Duration;
using slo_rules::format_duration;
using slo_rules::parse_duration;

TEST_CASE("durations parse like Prometheus durations", "[duration]") {
  CHECK(parse_duration("5m") == Duration(300'000));
  CHECK(parse_duration("1h30m") == Duration(5'400'000));
  CHECK(parse_duration("30d") == Duration(2'592'000'000LL));
  CHECK(parse_duration("1w") == Duration(604'800'000LL));
  CHECK(parse_duration("500ms") == Duration(500));
  CHECK(parse_duration("1m500ms") == Duration(60'500));
  CHECK(parse_duration("1y") == Duration(31'536'000'000LL));
  // Prometheus reads a bare 0 as zero; a spec's durations are refused at 0 by the spec (positive).
  CHECK(parse_duration("0") == Duration(0));
}

TEST_CASE("malformed durations are rejected with the text", "[duration]") {
  for (const char* text :
       {"", "5", "m", "5x", "1m1h", "1h1h", "-5m", "5 m", "99999999999999999999s"}) {
    INFO(text);
    CHECK_THROWS_AS(parse_duration(text), std::invalid_argument);
  }
  CHECK_THROWS_WITH(parse_duration("5x"),
                    "not a duration: \"5x\" (expected e.g. 30s, 5m, 1h30m, 30d)");
  SECTION("a long text is cut in the message") {
    CHECK_THROWS_WITH(
        parse_duration(std::string(100, '9') + "s"),
        "not a duration: \"" + std::string(64, '9') + "...\" (expected e.g. 30s, 5m, 1h30m, 30d)");
  }
}

TEST_CASE("durations format with days and compound units", "[duration]") {
  CHECK(format_duration(Duration(0)) == "0s");
  CHECK(format_duration(parse_duration("30d")) == "30d");
  CHECK(format_duration(parse_duration("72m")) == "1h12m");
  CHECK(format_duration(Duration(500)) == "500ms");
  CHECK(format_duration(parse_duration("1w")) == "7d");
  SECTION("formatting round-trips through parsing") {
    for (const char* text : {"5s", "1h12m", "12h", "3d", "1d2h3m4s5ms"}) {
      CHECK(format_duration(parse_duration(text)) == text);
    }
  }
}
