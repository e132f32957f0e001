// The guard rails of Healer, on an injected clock.
#include "auto_healer/decision.hpp"

#include <catch2/catch.hpp>

using namespace auto_healer;
using namespace std::chrono_literals;
using firedrill::alerting::GettableSilence;
using firedrill::alerting::MatchType;
using firedrill::alerting::SilenceMatcher;

namespace {

struct ManualClock {
  TimePoint now = TimePoint(std::chrono::hours(24 * 20000));
  Healer::Clock fn() {
    return [this] { return now; };
  }
};

Policy test_policy() {
  Policy p;
  p.window = 600s;
  p.cooldown = 60s;
  p.max_actions_per_window = 4;
  p.max_attempts = 3;
  p.allowed_namespaces = {"firedrill"};
  return p;
}

Trigger alert(const std::string& name, const std::string& occurrence) {
  Trigger t;
  t.target = Target{"firedrill", name};
  t.workload_labels = {{"app", name}, {"firedrill.io/autoheal", "true"}};
  t.occurrence = occurrence;
  t.alert_labels = {{"alertname", "PortalRestarting"}, {"service", name}};
  return t;
}

// decide(), then a successful record() when it acts: what serve does when the backend works.
Decision run(Healer& h, const Trigger& t, const std::vector<GettableSilence>& silences = {}) {
  Decision d = h.decide(t, silences);
  return h.record(d, true);
}

}  // namespace

TEST_CASE("a first alert occurrence is acted on, and a second delivery is a duplicate",
          "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  auto first = run(h, alert("portal", "fp1@t1"));
  CHECK(first.result == Result::acted);
  CHECK(first.attempt == 1);
  CHECK(first.reason == "restart firedrill/portal, attempt 1");
  // The HA peer's copy of the same notification, a second later.
  clock.now += 1s;
  auto second = run(h, alert("portal", "fp1@t1"));
  CHECK(second.result == Result::duplicate);
  CHECK(h.history().size() == 1);
}

TEST_CASE("the cooldown holds back a second action on the same target", "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  REQUIRE(run(h, alert("portal", "fp1@t1")).result == Result::acted);
  clock.now += 59s;
  auto held = run(h, alert("portal", "fp2@t2"));
  CHECK(held.result == Result::cooldown);
  CHECK(held.reason == "last action on firedrill/portal less than 1m ago");
  // Another target is not held back.
  CHECK(run(h, alert("checkout", "fp3@t3")).result == Result::acted);
  clock.now += 1s;
  CHECK(run(h, alert("portal", "fp2@t2")).result == Result::acted);
  REQUIRE(h.last_action(Target{"firedrill", "portal"}));
  CHECK(*h.last_action(Target{"firedrill", "portal"}) == clock.now);
}

TEST_CASE("the same occurrence still firing after the cooldown is a new attempt", "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  CHECK(run(h, alert("portal", "fp1@t1")).attempt == 1);
  clock.now += 60s;
  auto again = run(h, alert("portal", "fp1@t1"));
  CHECK(again.result == Result::acted);
  CHECK(again.attempt == 2);
}

TEST_CASE("after max attempts within the window the healer gives up and hands over", "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  for (int i = 1; i <= 3; ++i) {
    auto d = run(h, alert("portal", "fp1@t1"));
    REQUIRE(d.result == Result::acted);
    CHECK(d.attempt == i);
    clock.now += 61s;
  }
  auto gave_up = run(h, alert("portal", "fp1@t1"));
  CHECK(gave_up.result == Result::gave_up);
  CHECK(gave_up.reason == "auto-heal gave up on portal after 3 restarts");
  CHECK_FALSE(gave_up.act());
  // Reported once: later triggers find a human has it, even after the window.
  clock.now += 61s;
  CHECK(run(h, alert("portal", "fp1@t1")).result == Result::handed_over);
  clock.now += 3600s;
  CHECK(run(h, alert("portal", "fp9@t9")).result == Result::handed_over);

  SECTION("a resolved alert ends the hand-over and the attempts start again") {
    h.resolved(Target{"firedrill", "portal"});
    auto d = run(h, alert("portal", "fp10@t10"));
    CHECK(d.result == Result::acted);
    CHECK(d.attempt == 1);
  }
}

TEST_CASE("attempts older than the window do not count towards giving up", "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  REQUIRE(run(h, alert("portal", "a@1")).result == Result::acted);
  clock.now += 300s;
  REQUIRE(run(h, alert("portal", "b@2")).result == Result::acted);
  clock.now += 301s;  // the first attempt is now 601 s old, outside the 600 s window
  auto d = run(h, alert("portal", "c@3"));
  CHECK(d.result == Result::acted);
  CHECK(d.attempt == 2);
}

TEST_CASE("the cap in total stops actions on every target until the window moves on",
          "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  for (const char* name : {"a", "b", "c", "d"}) {
    REQUIRE(run(h, alert(name, std::string(name) + "@1")).result == Result::acted);
    clock.now += 10s;
  }
  auto capped = run(h, alert("e", "e@1"));
  CHECK(capped.result == Result::cap);
  CHECK(capped.reason == "4 actions within 10m, the cap in total");
  clock.now += 600s - 40s + 1s;  // the first action leaves the window
  CHECK(run(h, alert("e", "e@1")).result == Result::acted);

  SECTION("a resolved alert does not give back room under the cap") {
    h.resolved(Target{"firedrill", "b"});
    CHECK(run(h, alert("f", "f@1")).result == Result::cap);
  }
}

TEST_CASE("a matching active silence blocks the action; others do not", "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  GettableSilence silence;
  silence.id = "s1";
  silence.state = "active";
  silence.starts_at = clock.now - 60s;
  silence.ends_at = clock.now + 3600s;
  silence.matchers = {SilenceMatcher{"alertname", "PortalRestarting", MatchType::equal},
                      SilenceMatcher{"service", "port.*", MatchType::regex}};
  CHECK(run(h, alert("portal", "fp@1"), {silence}).result == Result::silenced);

  GettableSilence other = silence;
  other.matchers = {SilenceMatcher{"service", "checkout", MatchType::equal}};
  GettableSilence expired = silence;
  expired.state = "expired";
  expired.ends_at = clock.now - 1s;
  CHECK(run(h, alert("portal", "fp@1"), {other, expired}).result == Result::acted);
}

TEST_CASE("namespace allow-list, selector label and remediation are required", "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  auto t = alert("portal", "fp@1");
  t.target.namespace_name = "kube-system";
  auto d = run(h, t);
  CHECK(d.result == Result::not_allowed);
  CHECK(d.reason == "namespace kube-system is not in --namespaces");

  t = alert("portal", "fp@1");
  t.workload_labels.erase("firedrill.io/autoheal");
  CHECK(run(h, t).reason == "firedrill/portal does not carry the label firedrill.io/autoheal=true");
  t.workload_labels["firedrill.io/autoheal"] = "false";
  CHECK(run(h, t).result == Result::not_allowed);

  t = alert("portal", "fp@1");
  t.remediation = "scale-up";
  CHECK(run(h, t).reason == "remediation \"scale-up\" is not one the auto-healer performs");
  CHECK(h.history().empty());
}

TEST_CASE("dry run decides as if it acted, and counts against the rails", "[decision]") {
  ManualClock clock;
  auto policy = test_policy();
  policy.dry_run = true;
  Healer h(policy, clock.fn());
  auto d = run(h, alert("portal", "fp@1"));
  CHECK(d.result == Result::dry_run);
  CHECK(d.act());
  CHECK(d.reason == "would restart firedrill/portal (dry run), attempt 1");
  clock.now += 1s;
  CHECK(run(h, alert("portal", "fp2@2")).result == Result::cooldown);
}

TEST_CASE("a failed action counts nothing, so the alert's retry may try again", "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  auto d = h.decide(alert("portal", "fp@1"), {});
  REQUIRE(d.result == Result::acted);
  auto failed = h.record(d, false, "409 Conflict");
  CHECK(failed.result == Result::failed);
  CHECK(failed.reason == "restart of firedrill/portal failed: 409 Conflict");
  CHECK(h.history().empty());
  CHECK(run(h, alert("portal", "fp@1")).result == Result::acted);
}

TEST_CASE("scan triggers need the threshold of restarts within the window", "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  Trigger t = alert("portal", "");
  t.alert_labels.clear();
  t.restarts_in_window = 2;
  auto d = run(h, t);
  CHECK(d.result == Result::below_threshold);
  CHECK(d.reason == "2 restarts within 10m, below the threshold of 3");
  t.restarts_in_window = 3;
  CHECK(run(h, t).result == Result::acted);
}

TEST_CASE("history restored from annotations keeps cooldown and attempts", "[decision]") {
  ManualClock clock;
  Healer h(test_policy(), clock.fn());
  const Target portal{"firedrill", "portal"};
  h.restore({ActionRecord{portal, clock.now - 700s, ""}, ActionRecord{portal, clock.now - 200s, ""},
             ActionRecord{portal, clock.now - 30s, ""}});
  CHECK(h.history().size() == 2);  // the 700 s old one is outside the window
  Trigger t = alert("portal", "");
  t.alert_labels.clear();
  t.restarts_in_window = 5;
  CHECK(run(h, t).result == Result::cooldown);
  clock.now += 31s;
  auto d = run(h, t);
  CHECK(d.result == Result::acted);
  CHECK(d.attempt == 3);
}
