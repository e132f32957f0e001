// Restart counting across passes: increases, pod replacement, the window, the annotation.
#include "auto_healer/restart_ledger.hpp"

#include <catch2/catch.hpp>

using namespace auto_healer;
using namespace std::chrono_literals;

namespace {
const TimePoint kLedgerNow = TimePoint(std::chrono::hours(24 * 20000));
}

TEST_CASE("the increase since the last pass is the signal, not the cumulative count",
          "[restart_ledger]") {
  RestartLedger first;
  first.last_seen = {{"pod-a", 40}};
  auto pass = observe(first, {PodRestarts{"pod-a", 42, kLedgerNow - 86400s}}, kLedgerNow, 600s);
  CHECK(pass.increase == 2);
  CHECK(pass.in_window == 2);
  CHECK(pass.ledger.last_seen.at("pod-a") == 42);
  REQUIRE(pass.ledger.increases.size() == 1);
  CHECK(pass.ledger.increases[0] == RestartIncrease{kLedgerNow, 2});

  auto next =
      observe(pass.ledger, {PodRestarts{"pod-a", 43, kLedgerNow - 86400s}}, kLedgerNow + 60s, 600s);
  CHECK(next.increase == 1);
  CHECK(next.in_window == 3);
}

TEST_CASE("a replaced pod starts from zero and its own restarts count", "[restart_ledger]") {
  RestartLedger previous;
  previous.last_seen = {{"old-pod", 7}};
  // The old pod is gone; the new one was created 2 minutes ago and restarted once.
  auto pass = observe(previous, {PodRestarts{"new-pod", 1, kLedgerNow - 120s}}, kLedgerNow, 600s);
  CHECK(pass.increase == 1);
  CHECK(pass.ledger.last_seen.count("old-pod") == 0);
  CHECK(pass.ledger.last_seen.at("new-pod") == 1);
}

TEST_CASE("a pod first seen but older than the window is only a baseline", "[restart_ledger]") {
  auto pass = observe({}, {PodRestarts{"pod-a", 250, kLedgerNow - 86400s}}, kLedgerNow, 600s);
  CHECK(pass.increase == 0);
  CHECK(pass.in_window == 0);
  CHECK(pass.ledger.increases.empty());
  CHECK(pass.ledger.last_seen.at("pod-a") == 250);
}

TEST_CASE("a count that went down counts in full", "[restart_ledger]") {
  RestartLedger previous;
  previous.last_seen = {{"pod-a", 5}};
  CHECK(observe(previous, {PodRestarts{"pod-a", 2, kLedgerNow - 86400s}}, kLedgerNow, 600s)
            .increase == 2);
}

TEST_CASE("increases older than the window drop out", "[restart_ledger]") {
  RestartLedger previous;
  previous.last_seen = {{"pod-a", 4}};
  previous.increases = {RestartIncrease{kLedgerNow - 700s, 2},
                        RestartIncrease{kLedgerNow - 300s, 2}};
  auto pass = observe(previous, {PodRestarts{"pod-a", 4, kLedgerNow - 86400s}}, kLedgerNow, 600s);
  CHECK(pass.increase == 0);
  CHECK(pass.in_window == 2);
  CHECK(pass.ledger.increases.size() == 1);
}

TEST_CASE("the ledger round-trips through its annotation, and a foreign value is refused",
          "[restart_ledger]") {
  RestartLedger ledger;
  ledger.last_seen = {{"0b1c-uid", 3}};
  ledger.increases = {RestartIncrease{TimePoint(std::chrono::seconds(1764590400)), 3}};
  const std::string text = serialize_ledger(ledger);
  CHECK(text == R"({"increases":[["2025-12-01T12:00:00Z",3]],"pods":{"0b1c-uid":3}})");
  std::string error;
  auto back = parse_ledger(text, error);
  REQUIRE(back);
  CHECK(*back == ledger);

  CHECK_FALSE(parse_ledger("3", error));
  CHECK(error == "not a JSON object");
  CHECK_FALSE(parse_ledger(R"({"pods":{"a":-1},"increases":[]})", error));
  CHECK(error == "pods.a: expected a non-negative integer");
  CHECK_FALSE(parse_ledger(R"({"pods":{},"increases":[["yesterday",1]]})", error));
  CHECK(error == "increases: invalid time \"yesterday\"");
}
