// The kit's request limits and request deadline (src/request_guard.cpp), against a real server
// over raw sockets.
#include <poll.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "firedrill/hostile_client.hpp"
#include "firedrill/testing.hpp"

using firedrill::Service;
using firedrill::testing::raw_exchange;
using firedrill::testing::RawConnection;
using firedrill::testing::RunningService;
using firedrill::testing::test_settings;

namespace {

void add_routes(Service& svc) {
  svc.api().get("/hello", [](const firedrill::http::Request&, httplib::Response& res) {
    res.set_content("hello", "text/plain");
  });
  svc.api().post("/echo", [](const firedrill::http::Request& req, httplib::Response& res) {
    res.set_content(req.body(), "text/plain");
  });
}

std::string status_line(const std::string& raw) { return raw.substr(0, raw.find("\r\n")); }

std::string error_of(const std::string& raw) {
  auto pos = raw.find("\r\n\r\n");
  if (pos == std::string::npos) return "no body in: " + raw.substr(0, 200);
  auto body = nlohmann::json::parse(raw.substr(pos + 4), nullptr, false);
  return body.is_object() ? body.value("error", "no error field") : "not JSON";
}

std::string headers(std::size_t count, std::size_t value_bytes) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    out += "X-H" + std::to_string(i) + ": " + std::string(value_bytes, 'v') + "\r\n";
  }
  return out;
}

/// Sends `start`, then one byte of `trickle` at a time, each after waiting up to `step` for the
/// server to answer; returns the answer and how many bytes of `trickle` were sent before it.
std::pair<std::string, std::size_t> trickle(RawConnection& c, const std::string& start,
                                            const std::string& trickle_bytes, int step_ms) {
  c.send(start);
  std::size_t sent = 0;
  while (sent < trickle_bytes.size()) {
    pollfd p{c.fd(), POLLIN, 0};
    if (::poll(&p, 1, step_ms) > 0) break;  // the server answered (or closed)
    if (!c.send(std::string_view(trickle_bytes).substr(sent, 1))) break;
    ++sent;
  }
  return {c.receive_all(), sent};
}

}  // namespace

TEST_CASE("oversized request heads get 414 or 431 naming the limit", "[http][limits]") {
  Service svc("test", test_settings());
  add_routes(svc);
  RunningService running(svc);
  const int port = svc.api_port();

  SECTION("a request line over 8 KiB") {
    auto raw = raw_exchange(port, "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n");
    CHECK(status_line(raw) == "HTTP/1.1 414 URI Too Long");
    CHECK(error_of(raw) == "request line longer than 8192 bytes");
  }
  SECTION("a request line of 4 MiB is refused without reading it all") {
    RawConnection c(port);
    c.send("GET /" + std::string(4 << 20, 'a'));  // stops when the server closes
    auto raw = c.receive_all();
    CHECK(status_line(raw) == "HTTP/1.1 414 URI Too Long");
  }
  SECTION("a header field over 8 KiB") {
    auto raw =
        raw_exchange(port, "GET /hello HTTP/1.1\r\nX-Big: " + std::string(9000, 'b') + "\r\n\r\n");
    CHECK(status_line(raw) == "HTTP/1.1 431 Request Header Fields Too Large");
    CHECK(error_of(raw) == "header field longer than 8192 bytes");
  }
  SECTION("more than 100 header fields") {
    auto raw = raw_exchange(port, "GET /hello HTTP/1.1\r\n" + headers(101, 4) + "\r\n");
    CHECK(status_line(raw) == "HTTP/1.1 431 Request Header Fields Too Large");
    CHECK(error_of(raw) == "more than 100 header fields");
  }
  SECTION("a head over 32 KiB in fields each under the line limit") {
    auto raw = raw_exchange(port, "GET /hello HTTP/1.1\r\n" + headers(40, 1000) + "\r\n");
    CHECK(status_line(raw) == "HTTP/1.1 431 Request Header Fields Too Large");
    CHECK(error_of(raw) == "request line and header fields longer than 32768 bytes");
  }
  SECTION("at the limits the request is served") {
    auto raw = raw_exchange(
        port, "GET /hello HTTP/1.1\r\nConnection: close\r\n" + headers(99, 200) + "\r\n");
    CHECK(status_line(raw) == "HTTP/1.1 200 OK");
    CHECK(raw.ends_with("hello"));
  }
  SECTION("refusals are counted under unmatched, with a bounded method") {
    raw_exchange(port, "GET /hello HTTP/1.1\r\n" + headers(101, 4) + "\r\n");
    raw_exchange(port, "MADEUP /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n");
    auto text = svc.metrics().serialize();
    CHECK(text.find(R"(http_requests_total{code="431",handler="unmatched",method="GET"} 1)") !=
          std::string::npos);
    CHECK(text.find(R"(http_requests_total{code="414",handler="unmatched",method="other"} 1)") !=
          std::string::npos);
  }
}

TEST_CASE("a client that trickles bytes is cut off at the request timeout", "[http][timeout]") {
  auto settings = test_settings();
  settings.request_timeout = std::chrono::milliseconds(500);
  Service svc("test", settings);
  add_routes(svc);
  RunningService running(svc);
  // One byte every 100 ms: each read is well within the timeout, the request never is. The
  // whole request would take 800 s to arrive.
  SECTION("in the head") {
    RawConnection c(svc.api_port());
    auto [raw, sent] = trickle(c, "GET /hello HTTP/1.1\r\nX-Slow: ", std::string(8000, 's'), 100);
    CHECK(status_line(raw) == "HTTP/1.1 408 Request Timeout");
    CHECK(error_of(raw) == "request not received within 500 ms");
    CHECK(sent < 8000);
  }
  SECTION("in the body") {
    RawConnection c(svc.api_port());
    auto [raw, sent] = trickle(c, "POST /echo HTTP/1.1\r\nContent-Length: 8000\r\n\r\n",
                               std::string(8000, 'b'), 100);
    CHECK(status_line(raw) == "HTTP/1.1 408 Request Timeout");
    CHECK(sent < 8000);
  }
  SECTION("a prompt client on the same server is served") {
    auto raw = raw_exchange(svc.api_port(), "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n");
    CHECK(status_line(raw) == "HTTP/1.1 200 OK");
  }
}

TEST_CASE("probes keep answering while tricklers hold every API worker", "[http][probes]") {
  auto settings = test_settings(true);
  settings.threads = 4;
  settings.request_timeout = std::chrono::milliseconds(1500);
  Service svc("test", settings);
  add_routes(svc);
  RunningService running(svc);

  // Six slow clients for four workers: the API is saturated until the deadline cuts them off.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 6; ++i) {
    slow.push_back(std::make_unique<RawConnection>(svc.api_port()));
    slow.back()->send("GET /hello HTTP/1.1\r\nX-Slow: ");
  }
  auto ops = RunningService::client(svc.ops_port());
  ops.set_read_timeout(2);
  std::vector<bool> answered(slow.size(), false);
  int probes = 0;
  for (int step = 0; step < 300; ++step) {
    auto health = ops.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    ++probes;
    bool all = true;
    for (std::size_t i = 0; i < slow.size(); ++i) {
      if (answered[i]) continue;
      pollfd p{slow[i]->fd(), POLLIN, 0};
      if (::poll(&p, 1, 0) > 0) {
        answered[i] = true;
        continue;
      }
      all = false;
      slow[i]->send("s");
    }
    if (all) break;
    // The pace of the trickle: wait up to 50 ms for the next slow client's answer.
    for (std::size_t i = 0; i < slow.size(); ++i) {
      if (answered[i]) continue;
      pollfd p{slow[i]->fd(), POLLIN, 0};
      ::poll(&p, 1, 50);
      break;
    }
  }
  CHECK(probes > 5);  // the probes answered while the tricklers were held
  for (std::size_t i = 0; i < slow.size(); ++i) {
    INFO(i);
    CHECK(answered[i]);
    CHECK(status_line(slow[i]->receive_all()) == "HTTP/1.1 408 Request Timeout");
  }
  auto api = running.api();
  auto res = api.Get("/hello");
  REQUIRE(res);
  CHECK(res->status == 200);
}
