#include "firedrill/text.hpp"

#include <catch2/catch.hpp>
#include <cstdint>

using firedrill::cut;
using firedrill::parse_decimal;

TEST_CASE("parse_decimal reads the whole text as digits within the type", "[text]") {
  CHECK(parse_decimal<int>("0") == 0);
  CHECK(parse_decimal<int>("0042") == 42);
  CHECK(parse_decimal<std::int64_t>("9223372036854775807") == INT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5", "9223372036854775808"}) {
    INFO(bad);
    CHECK_FALSE(parse_decimal<std::int64_t>(bad).has_value());
  }
  CHECK_FALSE(parse_decimal<std::uint8_t>("256").has_value());
}

TEST_CASE("cut keeps short text and shortens long text for an error message", "[text]") {
  CHECK(cut("abc") == "abc");
  CHECK(cut(std::string(64, 'a')) == std::string(64, 'a'));
  CHECK(cut(std::string(65, 'a')) == std::string(64, 'a') + "...");
  CHECK(cut("abcdef", 3) == "abc...");
}
