#include "batch_sync/fault.hpp"

#include <catch2/catch.hpp>

using namespace batch_sync;

TEST_CASE("fail modes parse and print", "[fault]") {
  for (auto mode : {FailMode::error, FailMode::hang, FailMode::crash}) {
    CHECK(parse_fail_mode(to_string(mode)) == mode);
  }
  CHECK_FALSE(parse_fail_mode("explode"));
  CHECK_FALSE(parse_fail_mode(""));
  CHECK_FALSE(parse_fail_mode("Error"));
}

TEST_CASE("the fault draw follows the rate and the seed", "[fault]") {
  SECTION("rate 0 never injects, rate 1 always does") {
    std::mt19937_64 rng(11);
    for (int i = 0; i < 1000; ++i) {
      CHECK_FALSE(decide_fault(0.0, FailMode::error, rng).inject);
      auto plan = decide_fault(1.0, FailMode::hang, rng);
      CHECK(plan.inject);
      CHECK(plan.mode == FailMode::hang);
    }
  }
  SECTION("a seed replays the same decision") {
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
      std::mt19937_64 a(seed), b(seed);
      CHECK(decide_fault(0.5, FailMode::error, a).inject ==
            decide_fault(0.5, FailMode::error, b).inject);
    }
  }
  SECTION("over many seeds the rate is the proportion of failing runs") {
    int injected = 0;
    for (std::uint64_t seed = 0; seed < 2000; ++seed) {
      std::mt19937_64 rng(seed);
      injected += decide_fault(0.25, FailMode::error, rng).inject ? 1 : 0;
    }
    // Seeds 0..1999 are fixed, so the count is too; the bounds say it is about 25%.
    CHECK(injected > 400);
    CHECK(injected < 600);
  }
  SECTION("the draw uses the generator the same way whatever the rate") {
    std::mt19937_64 a(5), b(5);
    decide_fault(0.0, FailMode::error, a);
    decide_fault(1.0, FailMode::error, b);
    CHECK(a() == b());
  }
}
