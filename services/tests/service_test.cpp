#include "firedrill/service.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>

#include "firedrill/cli.hpp"
#include "firedrill/testing.hpp"

using firedrill::Service;
using firedrill::testing::RunningService;
using firedrill::testing::test_settings;
using nlohmann::json;

TEST_CASE("probes answer and can be flipped", "[probes]") {
  Service svc("test", test_settings(true));
  RunningService running(svc);
  auto ops = running.ops();

  CHECK(ops.Get("/healthz")->status == 200);
  CHECK(ops.Get("/readyz")->status == 200);
  svc.probes().set_ready(false);
  auto res = ops.Get("/readyz");
  CHECK(res->status == 503);
  CHECK(json::parse(res->body) == json{{"status", "not ready"}});
  svc.probes().set_healthy(false);
  CHECK(ops.Get("/healthz")->status == 503);

  SECTION("/metrics says what /readyz answers") {
    CHECK(ops.Get("/metrics")->body.find("\nfiredrill_ready 0\n") != std::string::npos);
    svc.probes().set_ready(true);
    CHECK(ops.Get("/readyz")->status == 200);
    CHECK(ops.Get("/metrics")->body.find("\nfiredrill_ready 1\n") != std::string::npos);
  }
  SECTION("probes live on the ops listener only when one is configured") {
    CHECK(svc.api_port() != svc.ops_port());
    CHECK(running.api().Get("/healthz")->status == 404);
  }
}

TEST_CASE("shutdown drains an in-flight request", "[shutdown]") {
  Service svc("test", test_settings());
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  svc.api().get("/slow", [&](const firedrill::http::Request&, httplib::Response& res) {
    entered.set_value();
    released.wait();
    res.set_content("finished", "text/plain");
  });
  svc.start();

  auto in_flight = std::async(std::launch::async, [&] {
    auto client = RunningService::client(svc.api_port());
    return client.Get("/slow");
  });
  entered.get_future().wait();
  auto stopping = std::async(std::launch::async, [&] { svc.stop(); });
  while (!svc.probes().draining()) std::this_thread::yield();
  CHECK_FALSE(svc.probes().ready());
  release.set_value();

  auto res = in_flight.get();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "finished");
  stopping.get();
  // The listener is closed after the stop.
  auto after = RunningService::client(svc.api_port()).Get("/slow");
  CHECK_FALSE(after);
}

TEST_CASE("bad settings exit 2 with one line naming the setting", "[config]") {
  auto parse = [](std::vector<std::string> args, std::string& err) {
    firedrill::CommonSettings s;
    CLI::App app{"test service", "portal"};
    firedrill::add_common_options(app, s, "PORTAL");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    auto code = firedrill::parse_command_line(app, static_cast<int>(argv.size()), argv.data());
    std::cerr.rdbuf(old);
    err = captured.str();
    return code;
  };
  std::string err;
  CHECK(parse({"portal", "--listen", "nowhere"}, err) == 2);
  CHECK(err ==
        "portal: --listen: expected host:port, [ipv6]:port or :port (port 0-65535) (see --help)\n");
  CHECK(parse({"portal", "--drain-delay", "soon"}, err) == 2);
  CHECK(err.find("--drain-delay") != std::string::npos);
  CHECK(err.find("expected a duration") != std::string::npos);
  CHECK(parse({"portal", "--threads", "0"}, err) == 2);
  CHECK(err.find("--threads") != std::string::npos);
  CHECK(parse({"portal", "--log-level", "loud"}, err) == 2);
  CHECK(parse({"portal", "--listen", "127.0.0.1:1", "--drain-delay", "2s"}, err) == std::nullopt);

  SECTION("environment variables are read") {
    ::setenv("PORTAL_DRAIN_DELAY", "forever", 1);
    CHECK(parse({"portal"}, err) == 2);
    CHECK(err.find("--drain-delay") != std::string::npos);
    ::unsetenv("PORTAL_DRAIN_DELAY");
  }
}
