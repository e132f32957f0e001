#include "firedrill/duration.hpp"

#include <catch2/catch.hpp>

using firedrill::format_duration;
using firedrill::parse_duration;
using namespace std::chrono_literals;

TEST_CASE("durations parse in Prometheus style", "[duration]") {
  CHECK(parse_duration("0") == 0ms);
  CHECK(parse_duration("250ms") == 250ms);
  CHECK(parse_duration("5s") == 5000ms);
  CHECK(parse_duration("2m") == 120000ms);
  CHECK(parse_duration("1h30m") == 5400000ms);
  CHECK(parse_duration("90d") == std::chrono::milliseconds(90LL * 86400000));
  CHECK(parse_duration("1w") == std::chrono::milliseconds(7LL * 86400000));
}

TEST_CASE("bad durations are rejected", "[duration]") {
  for (const char* bad : {"", "5", "s", "-5s", "5x", "5 s", "1.5s", "99999999999999999999d"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("durations format back to what they parse from", "[duration]") {
  CHECK(format_duration(0ms) == "0s");
  CHECK(format_duration(5400000ms) == "1h30m");
  CHECK(format_duration(250ms) == "250ms");
  for (const char* text : {"5s", "2m", "1h30m", "90d", "1m5s250ms"}) {
    CHECK(format_duration(*parse_duration(text)) == text);
  }
}
