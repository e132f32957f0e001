#include "batch_sync/reconcile.hpp"

#include <catch2/catch.hpp>
#include <mutex>

#include "fake_clock.hpp"
#include "stand_in.hpp"

using namespace batch_sync;
using batch_sync::testing::closed_port;
using batch_sync::testing::FakeClock;
using batch_sync::testing::StandIn;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

json alert(const std::string& fingerprint, const std::string& state = "active") {
  return json{{"fingerprint", fingerprint},
              {"labels", {{"alertname", "A" + fingerprint}}},
              {"annotations", json::object()},
              {"startsAt", "2026-11-21T22:00:00.000Z"},
              {"endsAt", "2026-11-21T23:00:00.000Z"},
              {"updatedAt", "2026-11-21T22:01:00.000Z"},
              {"generatorURL", "http://prometheus/graph"},
              {"receivers", {{{"name", "mock-slack"}}}},
              {"status",
               {{"state", state}, {"silencedBy", json::array()}, {"inhibitedBy", json::array()}}}};
}

json silence(const std::string& id, const std::string& state = "active") {
  return json{
      {"id", id},
      {"status", {{"state", state}}},
      {"updatedAt", "2026-11-21T22:00:00.000Z"},
      {"comment", "maintenance"},
      {"createdBy", "ops"},
      {"startsAt", "2026-11-21T22:00:00.000Z"},
      {"endsAt", "2026-11-21T23:00:00.000Z"},
      {"matchers",
       {{{"name", "alertname"}, {"value", "A" + id}, {"isRegex", false}, {"isEqual", true}}}}};
}

/// Alertmanager and mock-slack stand-ins that record what batch-sync sent.
struct Peers {
  StandIn alertmanager;
  StandIn mock_slack;
  std::mutex mutex;
  json alerts = json::array();
  json silences = json::array();
  int silences_calls = 0;
  std::string alerts_query;
  std::vector<json> sync_bodies;
  std::vector<std::string> auth;
  int retention_calls = 0;
  std::vector<json> sweep_bodies;
  /// Alertmanager's GET /api/v2/status, as the real one answers it (trimmed).
  std::string status =
      R"({"uptime":"2026-11-21T20:00:00.000Z","versionInfo":{"version":"0.25.0"}})";
  int sweep_status = 200;
  std::string sweep_answer = R"({"resolved":2,"incidentsResolved":1})";
  int sync_failures_left = 0;  ///< answer this many sync requests with 503 first
  int sync_status = 200;       ///< then this status

  Peers() {
    alertmanager.server().Get("/api/v2/alerts", [this](const httplib::Request& req,
                                                       httplib::Response& res) {
      std::lock_guard lock(mutex);
      alerts_query = req.get_param_value("silenced") + "," + req.get_param_value("inhibited") +
                     "," + req.get_param_value("active") + "," + req.get_param_value("unprocessed");
      res.set_content(alerts.dump(), "application/json");
    });
    alertmanager.server().Get("/api/v2/status",
                              [this](const httplib::Request&, httplib::Response& res) {
                                std::lock_guard lock(mutex);
                                res.set_content(status, "application/json");
                              });
    alertmanager.server().Get("/api/v2/silences",
                              [this](const httplib::Request&, httplib::Response& res) {
                                std::lock_guard lock(mutex);
                                ++silences_calls;
                                res.set_content(silences.dump(), "application/json");
                              });
    mock_slack.server().Post("/api/v1/sync", [this](const httplib::Request& req,
                                                    httplib::Response& res) {
      std::lock_guard lock(mutex);
      auth.push_back(req.get_header_value("Authorization"));
      if (sync_failures_left > 0) {
        --sync_failures_left;
        res.status = 503;
        return;
      }
      if (sync_status != 200) {
        res.status = sync_status;
        res.set_content(R"({"error":"alerts[0].labels: expected an object"})", "application/json");
        return;
      }
      json body = json::parse(req.body);
      sync_bodies.push_back(body);
      // Like mock-slack: the alerts' counts at the top, the silences' under "silences"; here n - 1
      // new and 1 updated of each.
      auto counts = [&body](const char* field) -> json {
        if (!body.contains(field)) return {{"received", 0}, {"new", 0}, {"updated", 0}};
        const auto n = body[field].size();
        return {{"received", n}, {"new", n - 1}, {"updated", 1}};
      };
      json answer = counts("alerts");
      answer["silences"] = counts("silences");
      res.set_content(answer.dump(), "application/json");
    });
    mock_slack.server().Post("/api/v1/sync/sweep",
                             [this](const httplib::Request& req, httplib::Response& res) {
                               std::lock_guard lock(mutex);
                               auth.push_back(req.get_header_value("Authorization"));
                               sweep_bodies.push_back(json::parse(req.body));
                               res.status = sweep_status;
                               res.set_content(sweep_answer, "application/json");
                             });
    mock_slack.server().Post("/api/v1/retention",
                             [this](const httplib::Request& req, httplib::Response& res) {
                               std::lock_guard lock(mutex);
                               auth.push_back(req.get_header_value("Authorization"));
                               ++retention_calls;
                               res.set_content(R"({"pruned":3})", "application/json");
                             });
    alertmanager.start();
    mock_slack.start();
  }

  Settings settings() const {
    Settings s;
    s.alertmanager = alertmanager.peer();
    s.mock_slack = mock_slack.peer();
    s.batch_size = 2;
    s.request_timeout = milliseconds(2000);
    s.backoff.initial = milliseconds(100);
    s.backoff.jitter = 0;
    s.mock_slack_token = "tok";
    return s;
  }
};

/// The wall clock of the harness' runs: 2026-11-21T22:30:00.25Z.
std::chrono::system_clock::time_point listing_time() {
  return std::chrono::system_clock::time_point(
      std::chrono::milliseconds(1795300000LL * 1000 + 200250));
}

struct Harness {
  FakeClock clock;
  Cancellation cancellation;
  std::mt19937_64 rng{1};
  RunCounters counters;
  RunStage stage;
  std::string run(const Settings& s, FaultPlan fault = {}) {
    Reconciler r(s, fault, clock, cancellation, rng, counters, stage, listing_time);
    return r.run(Deadline(clock.now() + milliseconds(60000)));
  }
};

}  // namespace

TEST_CASE("parse_alerts checks each alert and sorts by fingerprint", "[reconcile]") {
  std::string error;
  SECTION("valid alerts are kept as read, in fingerprint order") {
    auto read = parse_alerts(json::array({alert("c"), alert("a"), alert("b")}).dump(), error);
    REQUIRE(read);
    CHECK(read->rejected.empty());
    REQUIRE(read->records.size() == 3);
    CHECK(read->records[0] == alert("a"));  // forwarded exactly as read
    CHECK(read->records[1]["fingerprint"] == "b");
    CHECK(read->records[2]["fingerprint"] == "c");
    CHECK(parse_alerts("[]", error)->records.empty());
  }
  SECTION("a malformed alert is left out with the reason, the others kept") {
    json bad = alert("z");
    bad["startsAt"] = "yesterday";
    auto read = parse_alerts(json::array({alert("b"), bad, 3, alert("a")}).dump(), error);
    REQUIRE(read);
    CHECK(read->records == json::array({alert("a"), alert("b")}));
    REQUIRE(read->rejected.size() == 2);
    CHECK_THAT(read->rejected[0], Catch::StartsWith("alerts[1].startsAt"));
    CHECK_THAT(read->rejected[1], Catch::StartsWith("alerts[2]"));
  }
  SECTION("a body that is not a JSON array fails") {
    CHECK_FALSE(parse_alerts("not json", error));
    CHECK(error == "the alerts response is not JSON");
    CHECK_FALSE(parse_alerts(R"({"alerts":[]})", error));
    CHECK(error == "the alerts response is not a JSON array");
  }
}

TEST_CASE("split_batches", "[reconcile]") {
  json five = json::array({1, 2, 3, 4, 5});
  auto sizes = [](const std::vector<json>& batches) {
    std::vector<std::size_t> out;
    for (const auto& b : batches) out.push_back(b.size());
    return out;
  };
  CHECK(sizes(split_batches(five, 2)) == std::vector<std::size_t>{2, 2, 1});
  CHECK(sizes(split_batches(five, 5)) == std::vector<std::size_t>{5});
  CHECK(sizes(split_batches(five, 500)) == std::vector<std::size_t>{5});
  CHECK(sizes(split_batches(five, 1)) == std::vector<std::size_t>(5, 1));
  CHECK(split_batches(json::array(), 3).empty());
  auto batches = split_batches(five, 2);
  CHECK(batches[0] == json::array({1, 2}));
  CHECK(batches[2] == json::array({5}));
}

TEST_CASE("sync bodies and responses", "[reconcile]") {
  CHECK(json::parse(sync_request_body(RecordKind::alerts, json::array({alert("a")}))) ==
        json{{"source", "alertmanager"}, {"alerts", json::array({alert("a")})}});
  CHECK(json::parse(sync_request_body(RecordKind::silences, json::array({silence("s")}))) ==
        json{{"source", "alertmanager"}, {"silences", json::array({silence("s")})}});
  std::string error;
  auto counts =
      parse_sync_response(R"({"received":5,"new":2,"updated":3})", RecordKind::alerts, error);
  REQUIRE(counts);
  CHECK(counts->received == 5);
  CHECK(counts->new_records == 2);
  CHECK(counts->updated == 3);
  CHECK_FALSE(parse_sync_response(R"({"received":5,"new":2})", RecordKind::alerts, error));
  CHECK(error == "the sync response has no non-negative integer \"updated\"");
  CHECK_FALSE(
      parse_sync_response(R"({"received":-1,"new":2,"updated":0})", RecordKind::alerts, error));
  CHECK(error == "the sync response has no non-negative integer \"received\"");
  CHECK_FALSE(parse_sync_response("[]", RecordKind::alerts, error));
  CHECK(error == "the sync response is not a JSON object");

  const std::string both =
      R"({"received":0,"new":0,"updated":0,"silences":{"received":4,"new":1,"updated":2}})";
  counts = parse_sync_response(both, RecordKind::silences, error);
  REQUIRE(counts);
  CHECK(counts->received == 4);
  CHECK(counts->new_records == 1);
  CHECK(counts->updated == 2);
  CHECK(parse_sync_response(both, RecordKind::alerts, error)->received == 0);
  CHECK_FALSE(
      parse_sync_response(R"({"received":5,"new":2,"updated":3})", RecordKind::silences, error));
  CHECK(error == "the sync response has no \"silences\" object");
  CHECK_FALSE(parse_sync_response(R"({"silences":{"received":1,"new":"1","updated":0}})",
                                  RecordKind::silences, error));
  CHECK(error == "the sync response has no non-negative integer \"silences.new\"");
}

TEST_CASE("a run reads every alert and syncs it in batches, then applies retention",
          "[reconcile]") {
  Peers peers;
  peers.alerts =
      json::array({alert("e"), alert("d", "suppressed"), alert("c"), alert("b"), alert("a")});
  Harness h;

  SECTION("success") {
    CHECK(h.run(peers.settings()) == "");
    CHECK(peers.alerts_query == "true,true,true,true");
    CHECK(peers.silences_calls == 0);  // not asked for
    REQUIRE(peers.sync_bodies.size() == 3);
    CHECK(peers.sync_bodies[0]["source"] == "alertmanager");
    CHECK(peers.sync_bodies[0]["alerts"] == json::array({alert("a"), alert("b")}));
    CHECK(peers.sync_bodies[1]["alerts"] == json::array({alert("c"), alert("d", "suppressed")}));
    CHECK(peers.sync_bodies[2]["alerts"] == json::array({alert("e")}));
    CHECK(peers.retention_calls == 1);
    // After the last batch, the sweep, with the time of the listing and the grace.
    REQUIRE(peers.sweep_bodies.size() == 1);
    CHECK(peers.sweep_bodies[0] == json{{"source", "alertmanager"},
                                        {"listedAt", "2026-11-21T22:30:00.25Z"},
                                        {"graceSeconds", 600}});
    CHECK(h.counters.records_resolved == 2);
    CHECK(peers.auth == std::vector<std::string>(5, "Bearer tok"));
    CHECK(h.counters.alerts_read == 5);
    CHECK(h.counters.records_processed == 5);
    CHECK(h.counters.records_new == 2);  // the stand-in reports n - 1 new per batch
    CHECK(h.counters.records_updated == 3);
    CHECK(h.counters.records_pruned == 3);
    CHECK(h.counters.errors == 0);
    CHECK(h.clock.sleeps.empty());
  }
  SECTION("a malformed alert is skipped and counted, the rest synced") {
    json bad = alert("x");
    bad["labels"] = "not an object";
    peers.alerts.push_back(bad);
    CHECK(h.run(peers.settings()) == "");
    CHECK(h.counters.alerts_read == 6);
    CHECK(h.counters.records_processed == 5);
    CHECK(h.counters.errors == 1);
    // The left-out alert would look resolved: no sweep.
    CHECK(peers.sweep_bodies.empty());
    CHECK(h.counters.sweep_skipped.load());
    CHECK(peers.retention_calls == 1);
  }
  SECTION("a 503 is retried after backoff and counted as an error") {
    peers.sync_failures_left = 2;
    CHECK(h.run(peers.settings()) == "");
    CHECK(peers.sync_bodies.size() == 3);
    CHECK(h.clock.sleeps == std::vector<milliseconds>{milliseconds(100), milliseconds(200)});
    CHECK(h.counters.errors == 2);
    CHECK(h.counters.records_processed == 5);
  }
  SECTION("a 4xx is not retried and fails the run") {
    peers.sync_status = 400;
    auto error = h.run(peers.settings());
    CHECK(error == "POST " + peers.mock_slack.url() +
                       "/api/v1/sync: answered 400: {\"error\":\"alerts[0].labels: expected an "
                       "object\"}");
    CHECK(peers.auth.size() == 1);
    CHECK(peers.retention_calls == 0);
    CHECK(peers.sweep_bodies.empty());  // a failed batch: nothing is resolved
    CHECK(h.counters.errors == 1);
    CHECK(h.clock.sleeps.empty());
  }
  SECTION("an injected error stops the run after the first batch") {
    auto error = h.run(peers.settings(), FaultPlan{true, FailMode::error});
    CHECK(error == "injected failure (--fail-mode error)");
    CHECK(peers.sync_bodies.size() == 1);
    CHECK(peers.retention_calls == 0);
    CHECK(peers.sweep_bodies.empty());
    CHECK(h.counters.records_processed == 2);
    CHECK(h.counters.errors == 1);
  }
  SECTION("an injected hang waits until the run is cancelled") {
    h.cancellation.cancel();  // as the deadline's watchdog would
    auto error = h.run(peers.settings(), FaultPlan{true, FailMode::hang});
    CHECK(error == "injected hang (--fail-mode hang), cut by the deadline");
    CHECK(h.stage.get() == "injected hang");
    CHECK(peers.retention_calls == 0);
  }
}

TEST_CASE("with --silences a run also reads silences and syncs them in batches of their own",
          "[reconcile]") {
  Peers peers;
  peers.alerts = json::array({alert("b"), alert("a", "suppressed")});
  peers.silences = json::array({silence("s3"), silence("s1", "expired"), silence("s2")});
  Settings settings = peers.settings();
  settings.silences = true;
  Harness h;

  SECTION("success") {
    CHECK(h.run(settings) == "");
    CHECK(peers.silences_calls == 1);
    REQUIRE(peers.sync_bodies.size() == 3);
    CHECK(peers.sync_bodies[0] ==
          json{{"source", "alertmanager"},
               {"alerts", json::array({alert("a", "suppressed"), alert("b")})}});
    CHECK(peers.sync_bodies[1] ==
          json{{"source", "alertmanager"},
               {"silences", json::array({silence("s1", "expired"), silence("s2")})}});
    CHECK(peers.sync_bodies[2] ==
          json{{"source", "alertmanager"}, {"silences", json::array({silence("s3")})}});
    CHECK(peers.retention_calls == 1);
    CHECK(h.counters.alerts_read == 2);
    CHECK(h.counters.silences_read == 3);
    CHECK(h.counters.records_processed == 5);
    CHECK(h.counters.records_new == 2);  // n - 1 per batch
    CHECK(h.counters.records_updated == 3);
    CHECK(h.counters.errors == 0);
  }
  SECTION("a malformed silence is skipped and counted, the rest synced") {
    json bad = silence("s0");
    bad["matchers"][0].erase("name");
    peers.silences.push_back(bad);
    CHECK(h.run(settings) == "");
    CHECK(h.counters.silences_read == 4);
    CHECK(h.counters.records_processed == 5);
    CHECK(h.counters.errors == 1);
  }
  SECTION("silences that are not a JSON array fail the run before anything is synced") {
    peers.silences = json::object();
    CHECK(h.run(settings) == "GET " + peers.alertmanager.url() +
                                 "/api/v2/silences: the silences response is not a JSON array");
    CHECK(peers.sync_bodies.empty());
    CHECK(h.counters.errors == 1);
  }
}

TEST_CASE("parse_silences checks each silence and sorts by id", "[reconcile]") {
  std::string error;
  json bad = silence("z");
  bad["status"]["state"] = "deleted";
  auto read = parse_silences(json::array({silence("b"), bad, silence("a")}).dump(), error);
  REQUIRE(read);
  CHECK(read->records == json::array({silence("a"), silence("b")}));
  REQUIRE(read->rejected.size() == 1);
  CHECK_THAT(read->rejected[0], Catch::StartsWith("silences[1].status.state"));
  CHECK_FALSE(parse_silences("<html>", error));
  CHECK(error == "the silences response is not JSON");
}

TEST_CASE("a run with no alerts still applies retention, or fails when told to", "[reconcile]") {
  Peers peers;
  Harness h;
  CHECK(h.run(peers.settings()) == "");
  CHECK(peers.sync_bodies.empty());
  CHECK(peers.retention_calls == 1);

  Harness h2;
  CHECK(h2.run(peers.settings(), FaultPlan{true, FailMode::error}) ==
        "injected failure (--fail-mode error)");
  CHECK(peers.retention_calls == 1);
}

TEST_CASE("an unreachable Alertmanager fails the run once the deadline leaves no retry",
          "[reconcile]") {
  Peers peers;
  Settings s = peers.settings();
  std::string error;
  s.alertmanager = *parse_peer_url("http://127.0.0.1:" + std::to_string(closed_port()), error);
  Harness h;
  Reconciler r(s, {}, h.clock, h.cancellation, h.rng, h.counters, h.stage);
  // 100 + 200 + 400 + 800 = 1500 ms of backoff fit in 2 s; the next (1600 ms) does not.
  auto run_error = r.run(Deadline(h.clock.now() + milliseconds(2000)));
  CHECK(run_error ==
        "GET " + s.alertmanager.to_string() +
            "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true: "
            "deadline exceeded after 5 attempts; last error: GET " +
            s.alertmanager.to_string() +
            "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true: "
            "connection failed");
  CHECK(h.counters.errors == 5);
  CHECK(peers.sync_bodies.empty());
}

TEST_CASE("the sweep follows only a complete run, and its failures fail the run", "[reconcile]") {
  Peers peers;
  peers.alerts = json::array({alert("b"), alert("a")});
  Harness h;
  Settings settings = peers.settings();

  SECTION("a batch that fails after its retries: no sweep, no retention") {
    peers.sync_status = 503;
    settings.deadline = milliseconds(1000);
    CHECK_FALSE(h.run(settings).empty());
    CHECK(peers.sweep_bodies.empty());
    CHECK(peers.retention_calls == 0);
    CHECK(h.counters.records_resolved == 0);
  }
  SECTION("the grace is sent as set") {
    settings.resolve_grace = std::chrono::seconds(12);
    CHECK(h.run(settings) == "");
    REQUIRE(peers.sweep_bodies.size() == 1);
    CHECK(peers.sweep_bodies[0]["graceSeconds"] == 12);
  }
  SECTION("an Alertmanager started less than the grace before the listing: no sweep") {
    // Restarted at 22:25, listed at 22:30: Prometheus may not have resent every firing alert.
    peers.status = R"({"uptime":"2026-11-21T22:25:00.000Z"})";
    CHECK(h.run(settings) == "");
    CHECK(peers.sweep_bodies.empty());
    CHECK(h.counters.sweep_skipped.load());
    CHECK(peers.retention_calls == 1);
    CHECK(h.counters.errors == 0);
  }
  SECTION("a status without its start time fails the run before the sweep") {
    peers.status = R"({"cluster":{}})";
    CHECK(h.run(settings) == "GET " + peers.alertmanager.url() +
                                 "/api/v2/status: the status response has no RFC 3339 "
                                 "\"uptime\" (when Alertmanager started)");
    CHECK(peers.sweep_bodies.empty());
    CHECK(peers.retention_calls == 0);
  }
  SECTION("--resolve-grace 0 turns the sweep off") {
    settings.resolve_grace = milliseconds(0);
    CHECK(h.run(settings) == "");
    CHECK(peers.sweep_bodies.empty());
    CHECK(peers.retention_calls == 1);
  }
  SECTION("a refused sweep fails the run before retention") {
    peers.sweep_status = 400;
    peers.sweep_answer = R"({"error":"graceSeconds: expected a number"})";
    CHECK(h.run(settings) == "POST " + peers.mock_slack.url() +
                                 "/api/v1/sync/sweep: answered 400: {\"error\":\"graceSeconds: "
                                 "expected a number\"}");
    CHECK(peers.retention_calls == 0);
  }
  SECTION("an answer without a count fails the run") {
    peers.sweep_answer = R"({"resolved":-1})";
    CHECK(h.run(settings) == "POST " + peers.mock_slack.url() +
                                 "/api/v1/sync/sweep: the sweep response has no non-negative "
                                 "integer \"resolved\"");
    CHECK(h.counters.errors == 1);
  }
}

TEST_CASE("sweep bodies and responses", "[reconcile]") {
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1795300000));
  CHECK(json::parse(sweep_request_body(t, std::chrono::minutes(10))) ==
        json{{"source", "alertmanager"},
             {"listedAt", "2026-11-21T22:26:40Z"},
             {"graceSeconds", 600}});
  std::string error;
  CHECK(parse_sweep_response(R"({"resolved":3,"incidentsResolved":1})", error) == 3u);
  CHECK_FALSE(parse_sweep_response("[]", error));
  CHECK(error == "the sweep response is not a JSON object");
  CHECK_FALSE(parse_sweep_response(R"({"resolved":"3"})", error));
  CHECK(error == "the sweep response has no non-negative integer \"resolved\"");
}
