#include "firedrill/metrics.hpp"

#include <catch2/catch.hpp>
#include <regex>

#include "firedrill/hostile_client.hpp"
#include "firedrill/testing.hpp"

using firedrill::Service;
using firedrill::testing::RunningService;
using firedrill::testing::test_settings;

namespace {

// The value of one sample line, or -1 when the line is absent.
double sample(const std::string& text, const std::string& series) {
  auto pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return -1;
  pos += series.size() + 2;
  return std::stod(text.substr(pos, text.find('\n', pos) - pos));
}

}  // namespace

TEST_CASE("requests are counted by route template, method and code", "[metrics]") {
  Service svc("test", test_settings());
  svc.api().get("/items/{id}", [](const firedrill::http::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  RunningService running(svc);
  auto client = running.api();
  for (int i = 0; i < 3; ++i) REQUIRE(client.Get("/items/" + std::to_string(i)));
  REQUIRE(client.Post("/items/1", "", "text/plain"));

  SECTION("by template, never by raw path") {
    auto text = svc.metrics().serialize();
    CHECK(sample(text, R"(http_requests_total{code="200",handler="/items/{id}",method="GET"})") ==
          3);
    // No route serves POST: the method is counted as "other".
    CHECK(sample(text, R"(http_requests_total{code="405",handler="/items/{id}",method="other"})") ==
          1);
    CHECK(text.find("/items/1\"") == std::string::npos);
    CHECK(sample(text,
                 R"(http_request_duration_seconds_count{handler="/items/{id}",method="GET"})") ==
          3);
    for (const char* le : {"0.05", "0.1", "0.25", "0.5", "1"}) {
      INFO(le);
      CHECK(
          text.find(
              std::string(
                  R"(http_request_duration_seconds_bucket{handler="/items/{id}",method="GET",le=")") +
              le + "\"}") != std::string::npos);
    }
  }
  SECTION("unknown paths fold into one handler value") {
    for (int i = 0; i < 50; ++i) REQUIRE(client.Get("/random/" + std::to_string(i)));
    auto text = svc.metrics().serialize();
    CHECK(sample(text, R"(http_requests_total{code="404",handler="unmatched",method="GET"})") ==
          50);
    CHECK(text.find("/random/") == std::string::npos);
  }
  SECTION("process and build metrics are present") {
    auto text = svc.metrics().serialize();
    for (const char* name :
         {"process_start_time_seconds", "process_resident_memory_bytes",
          "process_cpu_seconds_total", "process_open_fds", "firedrill_build_info{"}) {
      INFO(name);
      CHECK(text.find(std::string("\n") + name) != std::string::npos);
    }
    CHECK(sample(text, "process_resident_memory_bytes") > 1e6);
    CHECK(sample(text, "process_open_fds") > 2);
  }
}

TEST_CASE("an idle service exposes its routes' request series from the first scrape", "[metrics]") {
  Service svc("test", test_settings());
  svc.api().get("/items/{id}", [](const firedrill::http::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  svc.api().post(
      "/orders", [](const firedrill::http::Request&, httplib::Response& res) { res.status = 201; },
      201);
  RunningService running(svc);
  // No request has been made: each route's success series is there, at zero.
  auto text = svc.metrics().serialize();
  CHECK(sample(text, R"(http_requests_total{code="200",handler="/items/{id}",method="GET"})") == 0);
  CHECK(sample(text, R"(http_requests_total{code="201",handler="/orders",method="POST"})") == 0);
  CHECK(sample(text, R"(http_requests_total{code="200",handler="/orders",method="POST"})") == -1);
  CHECK(sample(text, R"(http_request_duration_seconds_count{handler="/orders",method="POST"})") ==
        0);
}

TEST_CASE("hostile methods, paths and headers leave the /metrics series unchanged", "[metrics]") {
  Service svc("test", test_settings());
  svc.api().get("/items/{id}", [](const firedrill::http::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  svc.api().post("/echo", [](const firedrill::http::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  RunningService running(svc);
  firedrill::testing::HostileClient hostile(svc.api_port(), {"/items/1", "/echo", "/metrics"},
                                            20261201);
  hostile.warm_up();
  const auto before = firedrill::testing::metric_series(svc.metrics().serialize());
  hostile.send_random(300);
  const auto after = firedrill::testing::metric_series(svc.metrics().serialize());
  CHECK(after == before);

  SECTION("made-up methods count as one value, routed methods as themselves") {
    auto text = svc.metrics().serialize();
    CHECK(text.find(R"(code="400",handler="unmatched",method="other")") != std::string::npos);
    CHECK(text.find(R"(code="404",handler="unmatched",method="POST")") != std::string::npos);
    CHECK(text.find(R"(code="405",handler="/echo",method="other")") != std::string::npos);
    for (const auto& series : after) {
      auto pos = series.find("method=\"");
      if (pos == std::string::npos) continue;
      auto method = series.substr(pos + 8, series.find('"', pos + 8) - pos - 8);
      INFO(series);
      CHECK((method == "GET" || method == "HEAD" || method == "POST" || method == "other"));
    }
  }
}

TEST_CASE("/metrics passes promtool check metrics", "[metrics][promtool]") {
  Service svc("test", test_settings());
  RunningService running(svc);
  auto client = running.api();
  REQUIRE(client.Get("/healthz"));
  REQUIRE(client.Get("/nope"));
  auto res = client.Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == firedrill::kMetricsContentType);
  auto [status, output] = firedrill::testing::promtool_check_metrics(PROMTOOL, res->body);
  INFO(output);
  CHECK(status == 0);
  CHECK(output.empty());
}
