#pragma once
// A Clock whose time moves only when the code under test sleeps (or the test advances it).

#include <vector>

#include "batch_sync/retry.hpp"

namespace batch_sync::testing {

class FakeClock final : public Clock {
 public:
  SteadyTime now() override { return now_; }
  bool sleep_for(std::chrono::milliseconds d) override {
    sleeps.push_back(d);
    now_ += d;
    return !cancel_sleeps;
  }
  void advance(std::chrono::milliseconds d) { now_ += d; }

  std::vector<std::chrono::milliseconds> sleeps;
  bool cancel_sleeps = false;

 private:
  SteadyTime now_{std::chrono::hours(1)};
};

}  // namespace batch_sync::testing
