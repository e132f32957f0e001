// PrometheusClient and with_range() (src/prometheus.cpp).
#include "mock_slack_ui/prometheus.hpp"

#include <catch2/catch.hpp>
#include <cmath>

#include "fake_prometheus.hpp"

using namespace mock_slack::ui;
using mock_slack::ui::testing::FakePrometheus;

namespace {

template <typename T>
const T& ok(const PrometheusResult<T>& r) {
  if (const auto* e = std::get_if<PrometheusError>(&r)) FAIL("Prometheus error: " << e->message);
  return std::get<T>(r);
}

template <typename T>
std::string error_of(const PrometheusResult<T>& r) {
  const auto* e = std::get_if<PrometheusError>(&r);
  return e == nullptr ? std::string("no error") : e->message;
}

}  // namespace

TEST_CASE("with_range rewrites every range outside string literals", "[prometheus]") {
  const std::string rule =
      "(sum(increase(http_requests_total{job=\"portal\",handler=~\"/|/api/[a-z]+\",code=~\"5..\"}"
      "[5s])) or vector(0))\n/\nclamp_min(sum(increase(http_requests_total{job=\"portal\"}[5m])),"
      " 1)";
  const auto [out, n] = with_range(rule, std::chrono::seconds(330));
  CHECK(n == 2);
  CHECK(out ==
        "(sum(increase(http_requests_total{job=\"portal\",handler=~\"/|/api/[a-z]+\",code=~\"5..\"}"
        "[330s])) or vector(0))\n/\nclamp_min(sum(increase(http_requests_total{job=\"portal\"}"
        "[330s])), 1)");
  CHECK(with_range("vector(0.999)", std::chrono::seconds(60)) ==
        std::pair<std::string, int>{"vector(0.999)", 0});
  CHECK(with_range("up{a=\"\\\"[x]\"}[1m]", std::chrono::seconds(5)).first ==
        "up{a=\"\\\"[x]\"}[5s]");
  CHECK(with_range("rate(x[5m]", std::chrono::seconds(5)).second == 1);
  CHECK(with_range("rate(x[5m", std::chrono::seconds(5)).second == 0);  // unterminated: as is
}

TEST_CASE("the Prometheus client reads instant, range and rules answers", "[prometheus]") {
  FakePrometheus prom([](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/prom/api/v1/query") {
      CHECK(req.get_param_value("query") == "up{job=\"a b\"}");
      CHECK(req.get_param_value("time") == "1795298400.500");
      res.set_content(R"x({"status":"success","data":{"resultType":"vector","result":[)x"
                      R"x({"metric":{"job":"a b"},"value":[1795298400.5,"0.25"]},)x"
                      R"x({"metric":{},"value":[1795298400.5,"NaN"]}]}})x",
                      "application/json");
    } else if (req.path == "/prom/api/v1/query_range") {
      CHECK(req.get_param_value("start") == "1795298400.000");
      CHECK(req.get_param_value("end") == "1795298460.000");
      CHECK(req.get_param_value("step") == "30");
      res.set_content(
          R"x({"status":"success","data":{"resultType":"matrix","result":[)x"
          R"x({"metric":{"slo":"x"},"values":[[1795298400,"1"],[1795298430.25,"2"]]}]}})x",
          "application/json");
    } else if (req.path == "/prom/api/v1/rules") {
      res.set_content(
          R"x({"status":"success","data":{"groups":[{"name":"g","rules":[)x"
          R"x({"type":"recording","name":"slo:x","query":"vector(1)","labels":{"slo":"a"}},)x"
          R"x({"type":"alerting","name":"A","query":"x > 1","labels":{"severity":"page"}}]}]}})x",
          "application/json");
    }
  });
  PrometheusClient client(prom.url());
  const auto instant = ok(client.query("up{job=\"a b\"}", 1'795'298'400'500));
  REQUIRE(instant.size() == 2);
  CHECK(instant[0].metric.at("job") == "a b");
  CHECK(instant[0].value == 0.25);
  CHECK(std::isnan(instant[1].value));
  const auto range =
      ok(client.query_range("x", 1'795'298'400'000, 1'795'298'460'000, std::chrono::seconds(30)));
  REQUIRE(range.size() == 1);
  CHECK(range[0].points == std::vector<std::pair<UnixMillis, double>>{{1'795'298'400'000, 1.0},
                                                                      {1'795'298'430'250, 2.0}});
  const auto rules = ok(client.rules());
  REQUIRE(rules.size() == 2);
  CHECK_FALSE(rules[0].alerting);
  CHECK(rules[0].name == "slo:x");
  CHECK(rules[0].labels.at("slo") == "a");
  CHECK(rules[1].alerting);
  CHECK(rules[1].query == "x > 1");
}

TEST_CASE("the Prometheus client says why there is no answer", "[prometheus]") {
  SECTION("an error status with Prometheus' error text") {
    FakePrometheus prom([](const httplib::Request&, httplib::Response& res) {
      res.status = 400;
      res.set_content(R"x({"status":"error","errorType":"bad_data","error":"parse error at 3"})x",
                      "application/json");
    });
    PrometheusClient client(prom.url());
    CHECK(error_of(client.query("x{", 0)) == "HTTP 400: parse error at 3");
  }
  SECTION("HTTP 503 without JSON, a body that is not JSON, a non-success status") {
    FakePrometheus prom([](const httplib::Request& req, httplib::Response& res) {
      if (req.path == "/prom/api/v1/query") {
        res.status = 503;
        res.set_content("unavailable", "text/plain");
      } else if (req.path == "/prom/api/v1/rules") {
        res.set_content("<html>", "text/html");
      } else {
        res.set_content(R"x({"status":"error"})x", "application/json");
      }
    });
    PrometheusClient client(prom.url());
    CHECK(error_of(client.query("x", 0)) == "HTTP 503");
    CHECK(error_of(client.rules()) == "answer is not JSON");
    CHECK(error_of(client.query_range("x", 0, 1000, std::chrono::seconds(1))) ==
          "status is not success");
  }
  SECTION("a malformed answer") {
    FakePrometheus prom([](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"x({"status":"success","data":{"resultType":"vector","result":[)x"
                      R"x({"metric":{},"value":[1,"twelve"]}]}})x",
                      "application/json");
    });
    PrometheusClient client(prom.url());
    CHECK(error_of(client.query("x", 0)) == "malformed vector answer");
    CHECK(error_of(client.query_range("x", 0, 1, std::chrono::seconds(1))) ==
          "malformed matrix answer");
  }
  SECTION("fields of the wrong type are errors, never exceptions") {
    FakePrometheus prom([](const httplib::Request& req, httplib::Response& res) {
      if (req.path == "/prom/api/v1/rules") {
        res.set_content(R"x({"status":"success","data":{"groups":[{"rules":[)x"
                        R"x({"type":5,"name":"n","query":"q","labels":[1]}]}]}})x",
                        "application/json");
      } else if (req.path == "/prom/api/v1/query_range") {
        res.set_content(R"x({"status":"success","data":{"resultType":7,"result":[]}})x",
                        "application/json");
      } else {
        res.set_content(R"x({"status":1,"data":{}})x", "application/json");
      }
    });
    PrometheusClient client(prom.url());
    CHECK(error_of(client.query("x", 0)) == "status is not success");
    CHECK(error_of(client.query_range("x", 0, 1, std::chrono::seconds(1))) ==
          "malformed matrix answer");
    const auto rules = ok(client.rules());  // a rule of no known type is a recording rule
    REQUIRE(rules.size() == 1);
    CHECK_FALSE(rules[0].alerting);
    CHECK(rules[0].labels.empty());
  }
  SECTION("unreachable, and not an http(s) URL") {
    int port = 0;
    {
      FakePrometheus gone([](const httplib::Request&, httplib::Response&) {});
      port = gone.port();
    }
    PrometheusClient client("http://127.0.0.1:" + std::to_string(port),
                            std::chrono::milliseconds(500));
    CHECK(error_of(client.rules()) != "no error");
    PrometheusClient bad("javascript:alert(1)");
    CHECK(error_of(bad.rules()) == "not an http(s) URL");
  }
}
