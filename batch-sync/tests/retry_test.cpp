#include "batch_sync/retry.hpp"

#include <catch2/catch.hpp>
#include <thread>

#include "fake_clock.hpp"

using namespace batch_sync;
using batch_sync::testing::FakeClock;
using std::chrono::milliseconds;

TEST_CASE("backoff grows exponentially up to the cap, with bounded seeded jitter", "[retry]") {
  BackoffPolicy policy;
  policy.initial = milliseconds(100);
  policy.max = milliseconds(1000);
  policy.multiplier = 2.0;

  SECTION("without jitter the delays are exact") {
    policy.jitter = 0.0;
    std::mt19937_64 rng(1);
    CHECK(backoff_delay(policy, 1, rng) == milliseconds(100));
    CHECK(backoff_delay(policy, 2, rng) == milliseconds(200));
    CHECK(backoff_delay(policy, 3, rng) == milliseconds(400));
    CHECK(backoff_delay(policy, 4, rng) == milliseconds(800));
    CHECK(backoff_delay(policy, 5, rng) == milliseconds(1000));
    CHECK(backoff_delay(policy, 1000, rng) == milliseconds(1000));
  }
  SECTION("jitter stays within [(1 - jitter) * base, base]") {
    policy.jitter = 0.5;
    std::mt19937_64 rng(42);
    for (int retry = 1; retry <= 6; ++retry) {
      const auto base = std::min(milliseconds(100 << (retry - 1)), milliseconds(1000));
      for (int i = 0; i < 200; ++i) {
        const auto d = backoff_delay(policy, retry, rng);
        CHECK(d <= base);
        CHECK(d >= base / 2);
      }
    }
  }
  SECTION("the same seed gives the same delays, another seed other delays") {
    std::mt19937_64 a(7), b(7), c(8);
    std::vector<milliseconds> da, db, dc;
    for (int retry = 1; retry <= 5; ++retry) {
      da.push_back(backoff_delay(policy, retry, a));
      db.push_back(backoff_delay(policy, retry, b));
      dc.push_back(backoff_delay(policy, retry, c));
    }
    CHECK(da == db);
    CHECK(da != dc);
  }
}

TEST_CASE("deadline arithmetic", "[retry]") {
  const SteadyTime t0{std::chrono::seconds(100)};
  Deadline deadline(t0 + milliseconds(1500));
  CHECK(deadline.remaining(t0) == milliseconds(1500));
  CHECK(deadline.remaining(t0 + milliseconds(1499)) == milliseconds(1));
  CHECK(deadline.remaining(t0 + std::chrono::microseconds(1499999)) == milliseconds(0));
  CHECK(deadline.remaining(t0 + milliseconds(1500)) == milliseconds(0));
  CHECK(deadline.remaining(t0 + milliseconds(9000)) == milliseconds(0));
  CHECK_FALSE(deadline.expired(t0 + milliseconds(1499)));
  CHECK(deadline.expired(t0 + milliseconds(1500)));
}

TEST_CASE("call_with_retry retries transient failures within the deadline", "[retry]") {
  FakeClock clock;
  std::mt19937_64 rng(3);
  BackoffPolicy policy;
  policy.initial = milliseconds(100);
  policy.max = milliseconds(400);
  policy.jitter = 0.0;
  std::vector<milliseconds> timeouts;
  std::vector<int> reported;
  auto on_failure = [&](const Attempt&, int n) { reported.push_back(n); };

  SECTION("transient failures are retried with backoff until success") {
    int calls = 0;
    auto attempt = [&](milliseconds t) {
      timeouts.push_back(t);
      return ++calls < 4 ? Attempt::transient("peer: answered 503") : Attempt::ok();
    };
    auto outcome = call_with_retry(attempt, policy, Deadline(clock.now() + milliseconds(10000)),
                                   milliseconds(2000), clock, rng, on_failure);
    CHECK(outcome.ok);
    CHECK(outcome.error.empty());
    CHECK(outcome.attempts == 4);
    CHECK(outcome.failed_attempts == 3);
    CHECK(clock.sleeps ==
          std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400)});
    CHECK(reported == std::vector<int>{1, 2, 3});
    CHECK(timeouts == std::vector<milliseconds>(4, milliseconds(2000)));
  }
  SECTION("a permanent failure is not retried") {
    int calls = 0;
    auto attempt = [&](milliseconds) {
      ++calls;
      return Attempt::permanent("POST x: answered 400: bad body");
    };
    auto outcome = call_with_retry(attempt, policy, Deadline(clock.now() + milliseconds(10000)),
                                   milliseconds(2000), clock, rng, on_failure);
    CHECK_FALSE(outcome.ok);
    CHECK(calls == 1);
    CHECK(clock.sleeps.empty());
    CHECK(outcome.error == "POST x: answered 400: bad body");
    CHECK(reported == std::vector<int>{1});
  }
  SECTION("each attempt gets at most the time left, and no retry starts past the deadline") {
    auto attempt = [&](milliseconds t) {
      timeouts.push_back(t);
      clock.advance(t);  // the peer never answers: each attempt times out
      return Attempt::transient("GET y: reading the response failed or timed out");
    };
    auto outcome = call_with_retry(attempt, policy, Deadline(clock.now() + milliseconds(2500)),
                                   milliseconds(1000), clock, rng, on_failure);
    CHECK_FALSE(outcome.ok);
    // 1000 + sleep 100 + 1000 + sleep 200 = 2300; 200 left for the third attempt; its backoff
    // (400) would end past the deadline, so the call gives up.
    CHECK(timeouts ==
          std::vector<milliseconds>{milliseconds(1000), milliseconds(1000), milliseconds(200)});
    CHECK(outcome.attempts == 3);
    CHECK(outcome.error ==
          "deadline exceeded after 3 attempts; last error: GET y: reading the response failed or "
          "timed out");
  }
  SECTION("an expired deadline allows no attempt") {
    int calls = 0;
    auto attempt = [&](milliseconds) {
      ++calls;
      return Attempt::ok();
    };
    auto outcome = call_with_retry(attempt, policy, Deadline(clock.now()), milliseconds(1000),
                                   clock, rng, on_failure);
    CHECK_FALSE(outcome.ok);
    CHECK(calls == 0);
    CHECK(outcome.error == "deadline exceeded before the first attempt");
  }
  SECTION("cancellation during the backoff stops the retries") {
    clock.cancel_sleeps = true;
    int calls = 0;
    auto attempt = [&](milliseconds) {
      ++calls;
      return Attempt::transient("peer: connection failed");
    };
    auto outcome = call_with_retry(attempt, policy, Deadline(clock.now() + milliseconds(10000)),
                                   milliseconds(1000), clock, rng, on_failure);
    CHECK_FALSE(outcome.ok);
    CHECK(calls == 1);
    CHECK(outcome.error == "cancelled after 1 attempts; last error: peer: connection failed");
  }
}

TEST_CASE("Cancellation wakes a sleeping SteadyClock", "[retry]") {
  Cancellation cancellation;
  SteadyClock clock(cancellation);
  CHECK(clock.sleep_for(milliseconds(1)));
  std::thread canceller([&] { cancellation.cancel(); });
  // An hour-long sleep returns as soon as the other thread cancels.
  CHECK_FALSE(clock.sleep_for(std::chrono::hours(1)));
  canceller.join();
  CHECK(cancellation.cancelled());
  CHECK_FALSE(clock.sleep_for(milliseconds(0)));
}
