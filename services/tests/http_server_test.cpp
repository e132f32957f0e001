#include "firedrill/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "firedrill/testing.hpp"

using firedrill::Service;
using firedrill::http::Request;
using firedrill::testing::RunningService;
using firedrill::testing::test_settings;
using nlohmann::json;

namespace {

// Sends raw bytes and returns the raw response, for requests a well-behaved client cannot make.
std::string raw_request(int port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

void add_test_routes(Service& svc) {
  svc.api().get("/hello", [](const Request&, httplib::Response& res) {
    firedrill::http::json_response(res, 200, {{"hello", "world"}});
  });
  svc.api().get("/items/{id}", [](const Request& req, httplib::Response& res) {
    firedrill::http::json_response(res, 200, {{"id", req.params.at(0)}});
  });
  svc.api().post("/echo", [](const Request& req, httplib::Response& res) {
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) return firedrill::http::error_response(res, 400, "body is not JSON");
    firedrill::http::json_response(res, 200, body);
  });
  svc.api().post("/files/{path*}", [](const Request& req, httplib::Response& res) {
    firedrill::http::json_response(res, 200, {{"path", req.params.at(0)}});
  });
  svc.api().get("/throw", [](const Request&, httplib::Response&) -> void {
    throw std::runtime_error("secret internal detail");
  });
}

}  // namespace

TEST_CASE("every status path answers JSON", "[http]") {
  auto settings = test_settings();
  settings.max_body_bytes = 1024;
  Service svc("test", settings);
  add_test_routes(svc);
  RunningService running(svc);
  auto client = running.api();

  SECTION("200 with path parameters") {
    auto res = client.Get("/items/42");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(json::parse(res->body) == json{{"id", "42"}});
    CHECK(res->get_header_value("Content-Type") == "application/json");
  }
  SECTION("rest-of-path parameter") {
    auto res = client.Post("/files/T000/B000/xyz", "{}", "application/json");
    REQUIRE(res);
    CHECK(json::parse(res->body) == json{{"path", "T000/B000/xyz"}});
  }
  SECTION("400 from a handler names the problem") {
    auto res = client.Post("/echo", "{not json", "application/json");
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(json::parse(res->body) == json{{"error", "body is not JSON"}});
  }
  SECTION("400 for a request cpp-httplib cannot route (unknown method)") {
    // Only the request line: cpp-httplib answers before reading headers, and unread bytes at
    // close would turn the close into a reset that discards the response.
    auto raw = raw_request(svc.api_port(), "BREW / HTTP/1.1\r\n");
    INFO(raw);
    CHECK(raw.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(raw.find(R"({"error":"bad request"})") != std::string::npos);
  }
  SECTION("404 for an unknown path") {
    auto res = client.Get("/nope");
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(json::parse(res->body) == json{{"error", "no route for GET /nope"}});
  }
  SECTION("405 with Allow for a known path and wrong method") {
    auto res = client.Delete("/hello");
    REQUIRE(res);
    CHECK(res->status == 405);
    CHECK(res->get_header_value("Allow") == "GET, HEAD");
    CHECK(json::parse(res->body) == json{{"error", "method DELETE not allowed on /hello"}});
  }
  SECTION("413 over the body limit") {
    auto res = client.Post("/echo", std::string(2048, 'x'), "application/json");
    REQUIRE(res);
    CHECK(res->status == 413);
    CHECK(json::parse(res->body) == json{{"error", "request body larger than 1024 bytes"}});
  }
  SECTION("500 from a throwing handler leaks nothing") {
    auto res = client.Get("/throw");
    REQUIRE(res);
    CHECK(res->status == 500);
    CHECK(json::parse(res->body) == json{{"error", "internal server error"}});
    for (const auto& [name, value] : res->headers) {
      CHECK(value.find("secret") == std::string::npos);
    }
    CHECK(res->body.find("secret") == std::string::npos);
  }
  SECTION("request id is echoed, or generated") {
    auto res = client.Get("/hello", {{"X-Request-Id", "abc-123"}});
    REQUIRE(res);
    CHECK(res->get_header_value("X-Request-Id") == "abc-123");
    auto generated = client.Get("/hello", {{"X-Request-Id", "bad id with spaces"}});
    REQUIRE(generated);
    CHECK(generated->get_header_value("X-Request-Id").size() == 16);
  }
  SECTION("HEAD is served by GET routes") {
    auto res = client.Head("/hello");
    REQUIRE(res);
    CHECK(res->status == 200);
  }
}

TEST_CASE("listen addresses parse", "[http]") {
  using firedrill::http::parse_listen_address;
  CHECK(parse_listen_address("127.0.0.1:8080")->port == 8080);
  CHECK(parse_listen_address(":9")->host == "0.0.0.0");
  CHECK(parse_listen_address("[::1]:80")->host == "::1");
  CHECK(parse_listen_address("[::1]:80")->to_string() == "[::1]:80");
  for (const char* bad : {"", "8080", "host:", "host:99999", "::1:80", "host:8x"}) {
    INFO(bad);
    CHECK_FALSE(parse_listen_address(bad).has_value());
  }
}

TEST_CASE("a taken port is a clear error naming the address", "[http]") {
  Service first("test", test_settings());
  RunningService running(first);
  auto settings = test_settings();
  settings.listen = "127.0.0.1:" + std::to_string(first.api_port());
  Service second("test", settings);
  CHECK_THROWS_WITH(second.start(),
                    "cannot listen on " + settings.listen + ": Address already in use");
}

TEST_CASE("HTML escaping covers content and quoted attributes", "[http]") {
  CHECK(firedrill::http::html_escape("<a href=\"x\" title='y'>&amp;</a>") ==
        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  CHECK(firedrill::http::html_escape("plain text, ünïcode") == "plain text, ünïcode");
  std::string out = "kept:";
  firedrill::http::append_html_escaped(out, "<");
  CHECK(out == "kept:&lt;");
}

TEST_CASE("a server lists the routes registered on it, in their order", "[http]") {
  Service svc("test", test_settings());
  using Key = firedrill::http::Server::RouteKey;
  // No ops listener in test_settings(): the probes and /metrics share the API listener.
  const std::vector<Key> kit{{"GET", "/healthz"}, {"GET", "/readyz"}, {"GET", "/metrics"}};
  CHECK(svc.api().routes() == kit);
  add_test_routes(svc);
  std::vector<Key> all = kit;
  for (Key k : {Key{"GET", "/hello"}, Key{"GET", "/items/{id}"}, Key{"POST", "/echo"},
                Key{"POST", "/files/{path*}"}, Key{"GET", "/throw"}}) {
    all.push_back(k);
  }
  CHECK(svc.api().routes() == all);
}
