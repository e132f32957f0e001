#include "firedrill/duration.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

using firedrill::DurationMode;
using firedrill::format_duration;
using firedrill::parse_duration;
using namespace std::chrono_literals;

namespace {
constexpr std::int64_t kDayMs = 86'400'000;
}

TEST_CASE("durations parse in Prometheus style", "[duration]") {
  for (const auto mode : {DurationMode::lenient, DurationMode::strict}) {
    INFO((mode == DurationMode::strict ? "strict" : "lenient"));
    CHECK(parse_duration("0", mode) == 0ms);
    CHECK(parse_duration("0s", mode) == 0ms);
    CHECK(parse_duration("250ms", mode) == 250ms);
    CHECK(parse_duration("5s", mode) == 5000ms);
    CHECK(parse_duration("2m", mode) == 120000ms);
    CHECK(parse_duration("1h30m", mode) == 5400000ms);
    CHECK(parse_duration("90d", mode) == std::chrono::milliseconds(90 * kDayMs));
    CHECK(parse_duration("1w", mode) == std::chrono::milliseconds(7 * kDayMs));
    CHECK(parse_duration("1y", mode) == std::chrono::milliseconds(365 * kDayMs));
    CHECK(parse_duration("1m500ms", mode) == 60500ms);
    CHECK(parse_duration("007m", mode) == 420000ms);
    CHECK(parse_duration("1y2w3d4h5m6s7ms", mode) ==
          std::chrono::milliseconds(365 * kDayMs + 14 * kDayMs + 3 * kDayMs + 4 * 3'600'000 +
                                    5 * 60'000 + 6 * 1000 + 7));
  }
}

TEST_CASE("lenient durations take their terms in any order and sum them", "[duration]") {
  CHECK(parse_duration("30m1h") == 5400000ms);
  CHECK(parse_duration("1h1h") == 7200000ms);
  CHECK(parse_duration("500ms1s") == 1500ms);
  CHECK(parse_duration("30m1h", DurationMode::lenient) == 5400000ms);
}

TEST_CASE("strict durations follow Prometheus's grammar: each unit once, largest first",
          "[duration]") {
  for (const char* bad : {"30m1h", "1h1h", "500ms1s", "1s1s", "1d1w", "1ms1m", "5m1y"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad, DurationMode::strict).has_value());
  }
}

TEST_CASE("bad durations are rejected in either mode", "[duration]") {
  for (const auto mode : {DurationMode::lenient, DurationMode::strict}) {
    for (const char* bad : {"",
                            "5",
                            "s",
                            "ms",
                            "-5s",
                            "+5s",
                            "5x",
                            "5 s",
                            " 5s",
                            "5s ",
                            "1.5s",
                            "5S",
                            "5sec",
                            "1h30",
                            "5mss",
                            "1h-30m",
                            "00",
                            "0x10s",
                            "\xff",
                            "99999999999999999999d",
                            "9223372036854775807s",
                            "106751991168d",
                            "292471209y"}) {
      INFO(bad);
      CHECK_FALSE(parse_duration(bad, mode).has_value());
    }
  }
  SECTION("the largest duration is the largest int64 in ms, and one more is refused") {
    CHECK(parse_duration("9223372036854775807ms") ==
          std::chrono::milliseconds(std::numeric_limits<std::int64_t>::max()));
    CHECK_FALSE(parse_duration("9223372036854775808ms").has_value());
    CHECK_FALSE(parse_duration("9223372036854775807ms1ms").has_value());
  }
}

TEST_CASE("durations format back to what they parse from", "[duration]") {
  CHECK(format_duration(0ms) == "0s");
  CHECK(format_duration(5400000ms) == "1h30m");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(*parse_duration("1w")) == "7d");
  CHECK(format_duration(*parse_duration("1y")) == "365d");
  for (const char* text : {"5s", "2m", "1h30m", "90d", "1m5s250ms", "1d2h3m4s5ms"}) {
    INFO(text);
    CHECK(format_duration(*parse_duration(text)) == text);
    CHECK(format_duration(*parse_duration(text, DurationMode::strict)) == text);
  }
}
