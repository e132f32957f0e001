#include "batch_sync/report.hpp"

#include <prometheus/text_serializer.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "stand_in.hpp"

using namespace batch_sync;
using batch_sync::testing::closed_port;
using batch_sync::testing::StandIn;
using std::chrono::milliseconds;

namespace {

RunReport sample(bool success) {
  RunReport r;
  r.success = success;
  r.finished_unix_seconds = 1795300000.5;
  r.duration_seconds = 1.25;
  r.records_processed = 12;
  r.records_new = 3;
  r.errors = success ? 0 : 2;
  return r;
}

std::string text(const RunReport& r) {
  return prometheus::TextSerializer().Serialize(report_registry(r)->Collect());
}

BackoffPolicy fast_backoff() {
  BackoffPolicy b;
  b.initial = milliseconds(10);
  b.max = milliseconds(20);
  return b;
}

/// A Pushgateway stand-in that records each push.
struct FakePushgateway {
  StandIn server;
  std::mutex mutex;
  std::vector<std::string> methods, paths, bodies;
  std::vector<int> statuses;  ///< answers to give, in order; 200 after they run out

  FakePushgateway() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      methods.push_back(req.method);
      paths.push_back(req.path);
      bodies.push_back(req.body);
      if (!statuses.empty()) {
        res.status = statuses.front();
        statuses.erase(statuses.begin());
      }
    };
    server.server().Post(".*", handler);
    server.server().Put(".*", handler);
    server.start();
  }
};

}  // namespace

TEST_CASE("the report's gauges", "[report]") {
  SECTION("a successful run reports its success timestamp") {
    const auto t = text(sample(true));
    CHECK_THAT(t, Catch::Contains("batch_sync_last_success_timestamp_seconds 1795300000.5\n"));
    CHECK_THAT(t, Catch::Contains("batch_sync_last_run_timestamp_seconds 1795300000.5\n"));
    CHECK_THAT(t, Catch::Contains("batch_sync_last_run_duration_seconds 1.25\n"));
    CHECK_THAT(t, Catch::Contains("batch_sync_last_run_success 1\n"));
    CHECK_THAT(t, Catch::Contains("batch_sync_records_processed 12\n"));
    CHECK_THAT(t, Catch::Contains("batch_sync_records_new 3\n"));
    CHECK_THAT(t, Catch::Contains("batch_sync_errors 0\n"));
    CHECK_THAT(t, Catch::Contains("# TYPE batch_sync_last_run_success gauge"));
  }
  SECTION("a failed run leaves the success timestamp out") {
    const auto t = text(sample(false));
    CHECK_THAT(t, !Catch::Contains("batch_sync_last_success_timestamp_seconds"));
    CHECK_THAT(t, Catch::Contains("batch_sync_last_run_success 0\n"));
    CHECK_THAT(t, Catch::Contains("batch_sync_errors 2\n"));
  }
  SECTION("no labels at all: the grouping key is the only label the Pushgateway adds") {
    CHECK_THAT(text(sample(true)), !Catch::Contains("{"));
  }
}

TEST_CASE("push_report sends POST to /metrics/job/batch-sync only", "[report]") {
  FakePushgateway pg;
  auto outcome =
      push_report(sample(false), pg.server.peer(), milliseconds(5000), fast_backoff(), 1);
  CHECK(outcome.ok);
  CHECK_FALSE(outcome.abandoned);
  REQUIRE(pg.methods.size() == 1);
  // POST replaces only the pushed metric names, so the last success timestamp of an earlier run
  // survives this failed run's report. PUT (PushAdd in prometheus-cpp 1.0) would erase it.
  CHECK(pg.methods[0] == "POST");
  CHECK(pg.paths[0] == "/metrics/job/batch-sync");
  CHECK(pg.bodies[0] == text(sample(false)));
}

TEST_CASE("push_report retries 5xx, not 4xx", "[report]") {
  FakePushgateway pg;
  SECTION("5xx then success") {
    pg.statuses = {503, 500};
    auto outcome =
        push_report(sample(true), pg.server.peer(), milliseconds(5000), fast_backoff(), 1);
    CHECK(outcome.ok);
    CHECK(pg.methods.size() == 3);
  }
  SECTION("4xx fails at once") {
    pg.statuses = {400};
    auto outcome =
        push_report(sample(true), pg.server.peer(), milliseconds(5000), fast_backoff(), 1);
    CHECK_FALSE(outcome.ok);
    CHECK(pg.methods.size() == 1);
    CHECK(outcome.error == "push to the Pushgateway at " + pg.server.url() + ": answered 400");
  }
}

TEST_CASE("push_report: an unreachable Pushgateway fails with its address", "[report]") {
  std::string error;
  const auto url = *parse_peer_url("http://127.0.0.1:" + std::to_string(closed_port()), error);
  // 3 s: a refused connection answers at once, but a loaded CI machine may not schedule the
  // first attempt within a shorter deadline (300 ms was abandoned there).
  auto outcome = push_report(sample(true), url, milliseconds(3000), fast_backoff(), 1);
  CHECK_FALSE(outcome.ok);
  CHECK_FALSE(outcome.abandoned);
  CHECK_THAT(outcome.error, Catch::StartsWith("deadline exceeded after ") &&
                                Catch::Contains("last error: push to the Pushgateway at " +
                                                url.to_string() + ": no response (curl error 7)"));
}

TEST_CASE("push_report gives up on a Pushgateway that never answers", "[report]") {
  StandIn pg;
  std::mutex mutex;
  std::condition_variable cv;
  bool release = false;
  pg.server().Post(".*", [&](const httplib::Request&, httplib::Response&) {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return release; });
  });
  pg.start();
  auto outcome = push_report(sample(true), pg.peer(), milliseconds(200), fast_backoff(), 1);
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.abandoned);
  CHECK(outcome.error ==
        "push to the Pushgateway at " + pg.url() + ": no answer within the push timeout");
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  cv.notify_all();
}
