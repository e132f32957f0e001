#include "batch_sync/http_peer.hpp"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "stand_in.hpp"

using namespace batch_sync;
using batch_sync::testing::closed_port;
using batch_sync::testing::StandIn;
using std::chrono::milliseconds;

TEST_CASE("classify: what is retried", "[http_peer]") {
  auto kind = [](HttpResult r) { return classify(r, "GET http://p:1/x").kind; };
  using K = Attempt::Kind;
  CHECK(kind({httplib::Error::Success, 200, "{}"}) == K::ok);
  CHECK(kind({httplib::Error::Success, 204, ""}) == K::ok);
  CHECK(kind({httplib::Error::Connection, 0, ""}) == K::transient);
  CHECK(kind({httplib::Error::ConnectionTimeout, 0, ""}) == K::transient);
  CHECK(kind({httplib::Error::Read, 0, ""}) == K::transient);
  CHECK(kind({httplib::Error::Write, 0, ""}) == K::transient);
  CHECK(kind({httplib::Error::Success, 500, ""}) == K::transient);
  CHECK(kind({httplib::Error::Success, 503, ""}) == K::transient);
  CHECK(kind({httplib::Error::Success, 400, ""}) == K::permanent);
  CHECK(kind({httplib::Error::Success, 401, ""}) == K::permanent);
  CHECK(kind({httplib::Error::Success, 404, ""}) == K::permanent);
  CHECK(kind({httplib::Error::Success, 429, ""}) == K::permanent);
  CHECK(kind({httplib::Error::Success, 302, ""}) == K::permanent);
  CHECK(kind({httplib::Error::SSLServerVerification, 0, ""}) == K::permanent);

  CHECK(classify({httplib::Error::Connection, 0, ""}, "GET http://p:1/x").error ==
        "GET http://p:1/x: connection failed");
  CHECK(classify({httplib::Error::Success, 400, "{\"error\":\"bad\"}\n"}, "POST http://p:1/s")
            .error == "POST http://p:1/s: answered 400: {\"error\":\"bad\"}");
  CHECK(classify({httplib::Error::Success, 502, std::string(300, 'x')}, "G").error ==
        "G: answered 502: " + std::string(200, 'x') + "...");
}

TEST_CASE("HttpPeer talks to a real HTTP server", "[http_peer]") {
  StandIn peer;
  std::string seen_auth, seen_path, seen_body, seen_type;
  peer.server().Post(R"(/prefix/api/v1/sync)",
                     [&](const httplib::Request& req, httplib::Response& res) {
                       seen_auth = req.get_header_value("Authorization");
                       seen_path = req.path;
                       seen_body = req.body;
                       seen_type = req.get_header_value("Content-Type");
                       res.set_content(R"({"received":1,"new":1,"updated":0})", "application/json");
                     });
  peer.server().Get("/prefix/fail", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("overloaded", "text/plain");
  });
  std::mutex mutex;
  std::condition_variable cv;
  bool release = false;
  peer.server().Get("/prefix/slow", [&](const httplib::Request&, httplib::Response& res) {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return release; });
    res.set_content("late", "text/plain");
  });
  peer.start();

  std::string error;
  PeerUrl url = *parse_peer_url(peer.url() + "/prefix/", error);

  SECTION("the path goes under the base path, with the bearer token and JSON body") {
    HttpPeer p(url, "tok");
    auto r =
        p.post_json("/api/v1/sync", R"({"source":"alertmanager","alerts":[]})", milliseconds(2000));
    CHECK(r.error == httplib::Error::Success);
    CHECK(r.status == 200);
    CHECK(r.body == R"({"received":1,"new":1,"updated":0})");
    CHECK(seen_path == "/prefix/api/v1/sync");
    CHECK(seen_auth == "Bearer tok");
    CHECK(seen_type == "application/json");
    CHECK(seen_body == R"({"source":"alertmanager","alerts":[]})");
    CHECK(p.describe("POST", "/api/v1/sync") == "POST " + peer.url() + "/prefix/api/v1/sync");
  }
  SECTION("no token, no Authorization header") {
    HttpPeer p(url);
    p.post_json("/api/v1/sync", "{}", milliseconds(2000));
    CHECK(seen_auth.empty());
  }
  SECTION("a 5xx is a transient failure with the body in the error") {
    HttpPeer p(url);
    auto a = classify(p.get("/fail", milliseconds(2000)), p.describe("GET", "/fail"));
    CHECK(a.kind == Attempt::Kind::transient);
    CHECK(a.error == "GET " + peer.url() + "/prefix/fail: answered 503: overloaded");
  }
  SECTION("a peer that does not answer in time is a transient read failure") {
    HttpPeer p(url);
    auto r = p.get("/slow", milliseconds(100));
    {
      std::lock_guard lock(mutex);
      release = true;
    }
    cv.notify_all();
    CHECK(r.error == httplib::Error::Read);
    CHECK(classify(r, "GET slow").kind == Attempt::Kind::transient);
  }
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  cv.notify_all();
}

TEST_CASE("HttpPeer: nothing listening is a transient connection failure", "[http_peer]") {
  std::string error;
  HttpPeer p(*parse_peer_url("http://127.0.0.1:" + std::to_string(closed_port()), error));
  auto r = p.get("/api/v2/alerts", milliseconds(1000));
  CHECK(r.error == httplib::Error::Connection);
  CHECK(classify(r, "GET x").kind == Attempt::Kind::transient);
}
