#include "firedrill/alerting/time.hpp"

#include <catch2/catch.hpp>

using namespace firedrill::alerting;

TEST_CASE("RFC 3339 timestamps parse and format like Go's RFC3339Nano", "[time]") {
  SECTION("UTC with and without fraction") {
    auto t = parse_time("2026-11-21T22:42:27Z");
    REQUIRE(t);
    CHECK(to_unix_ns(*t) == 1795300947LL * 1'000'000'000);
    CHECK(format_time(*t) == "2026-11-21T22:42:27Z");
    auto f = parse_time("2026-11-21T22:42:27.123456789Z");
    REQUIRE(f);
    CHECK(to_unix_ns(*f) - to_unix_ns(*t) == 123456789);
    CHECK(format_time(*f) == "2026-11-21T22:42:27.123456789Z");
    CHECK(format_time(*parse_time("2026-11-21T22:42:27.500Z")) == "2026-11-21T22:42:27.5Z");
  }
  SECTION("offsets are normalised to UTC") {
    CHECK(parse_time("2026-11-21T23:42:27+01:00") == parse_time("2026-11-21T22:42:27Z"));
    CHECK(parse_time("2026-11-21T20:12:27-02:30") == parse_time("2026-11-21T22:42:27Z"));
  }
  SECTION("leap days and the epoch") {
    CHECK(parse_time("2024-02-29T00:00:00Z"));
    CHECK_FALSE(parse_time("2026-02-29T00:00:00Z"));
    CHECK(to_unix_ns(*parse_time("1970-01-01T00:00:00Z")) == 0);
    CHECK(format_time(from_unix_ns(951782400LL * 1'000'000'000)) == "2000-02-29T00:00:00Z");
  }
  SECTION("Go's zero time") {
    CHECK(parse_time("0001-01-01T00:00:00Z") == kZeroTime);
    CHECK(format_time(kZeroTime) == "0001-01-01T00:00:00Z");
  }
  SECTION("invalid text") {
    for (const char* bad :
         {"", "yesterday", "2026-11-21", "2026-11-21 22:42:27Z", "2026-11-21T22:42:27",
          "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-21T24:00:00Z",
          "2026-11-21T22:60:00Z", "2026-11-21T22:42:60Z", "2026-11-21T22:42:27.Z",
          "2026-11-21T22:42:27.1234567891Z", "2026-11-21T22:42:27+0100", "2026-11-21T22:42:27Zjunk",
          "1969-12-31T23:59:59Z", "2300-01-01T00:00:00Z", "0001-01-01T00:00:01Z"}) {
      INFO(bad);
      CHECK_FALSE(parse_time(bad));
    }
  }
}

TEST_CASE("the civil calendar converts dates to days since 1970 and back", "[time]") {
  using firedrill::alerting::civil_from_days;
  using firedrill::alerting::days_from_civil;
  using firedrill::alerting::days_in_month;
  const auto is_leap_year = [](std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  };
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(2026, 11, 21) == 20778);
  CHECK(days_in_month(2000, 2) == 29);
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(1900, 2) == 28);
  CHECK(days_in_month(2026, 2) == 28);
  CHECK(days_in_month(2026, 12) == 31);
  // Every day from 1899 to 2101 (leap days and century years included) goes back to its date,
  // and consecutive dates are consecutive days.
  std::int64_t expected = days_from_civil(1899, 1, 1);
  for (std::int64_t y = 1899; y <= 2101; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      const unsigned last = kDays[m - 1] + (m == 2 && is_leap_year(y) ? 1 : 0);
      REQUIRE(days_in_month(y, m) == last);
      for (unsigned d = 1; d <= last; ++d) {
        const std::int64_t days = days_from_civil(y, m, d);
        REQUIRE(days == expected++);
        const auto back = civil_from_days(days);
        REQUIRE(back.year == y);
        REQUIRE(back.month == m);
        REQUIRE(back.day == d);
      }
    }
  }
}
