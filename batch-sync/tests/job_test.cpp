#include "batch_sync/job.hpp"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "stand_in.hpp"

using namespace batch_sync;
using batch_sync::testing::StandIn;
using std::chrono::milliseconds;

TEST_CASE("run_with_deadline", "[job]") {
  auto stage = [] { return std::string("syncing batch 2/3"); };
  SECTION("a run that finishes in time reports its own result") {
    auto ok = run_with_deadline([](Cancellation&) { return std::string(); }, milliseconds(10000),
                                milliseconds(1000), stage);
    CHECK(ok.success);
    CHECK(ok.error.empty());
    CHECK_FALSE(ok.cut_by_deadline);

    auto failed = run_with_deadline([](Cancellation&) { return std::string("boom"); },
                                    milliseconds(10000), milliseconds(1000), stage);
    CHECK_FALSE(failed.success);
    CHECK(failed.error == "boom");
  }
  SECTION("an exception is a failed run, not a crash") {
    auto r = run_with_deadline(
        [](Cancellation&) -> std::string { throw std::runtime_error("bad alloc somewhere"); },
        milliseconds(10000), milliseconds(1000), stage);
    CHECK_FALSE(r.success);
    CHECK(r.error == "unexpected error: bad alloc somewhere");
  }
  SECTION("a hang is cut by the deadline and cancelled") {
    auto r = run_with_deadline(
        [](Cancellation& c) {
          c.wait();
          return std::string("cancelled");
        },
        milliseconds(50), milliseconds(5000), stage);
    CHECK_FALSE(r.success);
    CHECK(r.cut_by_deadline);
    CHECK_FALSE(r.worker_abandoned);
    CHECK(r.error == "deadline exceeded (50ms) while syncing batch 2/3");
  }
  SECTION("a run that ignores cancellation is abandoned after the grace") {
    auto gate = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
    auto open = std::make_shared<bool>(false);
    auto r = run_with_deadline(
        [gate, open](Cancellation&) {
          std::unique_lock lock(gate->first);
          gate->second.wait(lock, [&] { return *open; });
          return std::string();
        },
        milliseconds(50), milliseconds(50), stage);
    CHECK_FALSE(r.success);
    CHECK(r.cut_by_deadline);
    CHECK(r.worker_abandoned);
    {
      std::lock_guard lock(gate->first);
      *open = true;
    }
    gate->second.notify_all();
  }
}

TEST_CASE("exit codes", "[job]") {
  RunResult ok{true, "", false, false};
  RunResult failed{false, "boom", false, false};
  PushOutcome pushed{true, false, ""};
  PushOutcome not_pushed{false, false, "push to the Pushgateway at x: no response"};
  CHECK(exit_code(ok, pushed) == kExitSuccess);
  CHECK(exit_code(ok, not_pushed) == kExitRunFailed);
  CHECK(exit_code(failed, pushed) == kExitRunFailed);
  CHECK(exit_code(failed, not_pushed) == kExitRunFailed);
  CHECK(kExitBadConfiguration == 2);
}

TEST_CASE("run_job end to end against stand-ins", "[job]") {
  StandIn alertmanager, mock_slack, pushgateway;
  alertmanager.server().Get("/api/v2/alerts", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"([{"fingerprint":"f1","labels":{"alertname":"X"},"annotations":{},
        "startsAt":"2026-11-21T22:00:00.000Z","endsAt":"2026-11-21T23:00:00.000Z",
        "updatedAt":"2026-11-21T22:00:00.000Z","generatorURL":"","receivers":[{"name":"r"}],
        "status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}])",
                    "application/json");
  });
  mock_slack.server().Post("/api/v1/sync", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"received":1,"new":1,"updated":0})", "application/json");
  });
  alertmanager.server().Get("/api/v2/status", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"uptime":"2026-01-01T00:00:00.000Z"})", "application/json");
  });
  mock_slack.server().Post(
      "/api/v1/sync/sweep", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"resolved":4,"incidentsResolved":1})", "application/json");
      });
  mock_slack.server().Post("/api/v1/retention",
                           [](const httplib::Request&, httplib::Response& res) {
                             res.set_content(R"({"pruned":0})", "application/json");
                           });
  std::mutex mutex;
  std::vector<std::string> pushed;
  pushgateway.server().Post("/metrics/job/batch-sync",
                            [&](const httplib::Request& req, httplib::Response&) {
                              std::lock_guard lock(mutex);
                              pushed.push_back(req.body);
                            });
  alertmanager.start();
  mock_slack.start();
  pushgateway.start();

  Settings s;
  s.alertmanager = alertmanager.peer();
  s.mock_slack = mock_slack.peer();
  s.pushgateway = pushgateway.peer();
  s.deadline = milliseconds(10000);
  s.seed = 1;
  bool must_exit = true;

  SECTION("success exits 0 and pushes the success timestamp") {
    CHECK(run_job(s, must_exit) == kExitSuccess);
    CHECK_FALSE(must_exit);
    REQUIRE(pushed.size() == 1);
    CHECK_THAT(pushed[0], Catch::Contains("batch_sync_last_run_success 1\n") &&
                              Catch::Contains("batch_sync_records_new 1\n") &&
                              Catch::Contains("batch_sync_records_resolved 4\n") &&
                              Catch::Contains("batch_sync_last_success_timestamp_seconds"));
  }
  SECTION("an injected error exits 1 and pushes success 0 without a success timestamp") {
    s.fail_rate = 1;
    CHECK(run_job(s, must_exit) == kExitRunFailed);
    CHECK_FALSE(must_exit);
    REQUIRE(pushed.size() == 1);
    CHECK_THAT(pushed[0], Catch::Contains("batch_sync_last_run_success 0\n") &&
                              Catch::Contains("batch_sync_errors 1\n") &&
                              !Catch::Contains("batch_sync_last_success_timestamp_seconds"));
  }
  SECTION("an injected hang is cut by the deadline, then reported") {
    s.fail_rate = 1;
    s.fail_mode = FailMode::hang;
    s.deadline = milliseconds(200);
    CHECK(run_job(s, must_exit) == kExitRunFailed);
    CHECK_FALSE(must_exit);  // the hang honours cancellation, so nothing was abandoned
    REQUIRE(pushed.size() == 1);
    CHECK_THAT(pushed[0], Catch::Contains("batch_sync_last_run_success 0\n") &&
                              Catch::Contains("batch_sync_errors 1\n"));
  }
}
