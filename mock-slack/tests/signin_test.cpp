// GET /signin (src/signin.cpp) and --anonymous-read on a real listener and a real SQLite file:
// anonymous readers read everything and are offered a sign-in link, /signin challenges them and
// sends them back, a wrong credential is still refused, and /signin sends nobody to another site.
#include <regex>

#include "helpers.hpp"

namespace mock_slack::testing {
namespace {

const std::string kAlice = "Basic " + std::string("YWxpY2U6d29uZGVyOmxhbmQ=");  // alice:wonder:land
const std::string kWrong = "Basic " + std::string("YWxpY2U6bm9wZQ==");          // alice:nope

ReceiverOptions anonymous_options() {
  ReceiverOptions o;
  o.read.ui_users = {{"alice", "wonder:land"}};
  o.read.anonymous_read = true;
  return o;
}

struct SigninFixture : Running {
  using Running::Running;
  std::int64_t incident = 0;

  void seed() { incident = seed_portal_down(*this); }
  std::string page_path() const { return "/incidents/" + std::to_string(incident); }
  httplib::Result fetch(const std::string& path, const httplib::Headers& h = {}) const {
    auto c = client();
    auto res = c.Get(path.c_str(), h);
    REQUIRE(res);
    return res;
  }
};

}  // namespace

TEST_CASE("with --anonymous-read anyone reads, and the incident page offers a sign-in link",
          "[signin][read]") {
  SigninFixture f(anonymous_options());
  f.seed();
  for (const std::string path : {"/", "/channels", "/api/v1/alerts", "/api/v1/incidents",
                                 "/search?q=PortalDown", "/api/v1/search?q=PortalDown"}) {
    INFO(path);
    CHECK(f.fetch(path)->status == 200);
  }
  auto page = f.fetch(f.page_path());
  REQUIRE(page->status == 200);
  CHECK(page->body.find("Sign in to acknowledge, add notes or mark mitigation. <a "
                        "class=\"signin\" href=\"/signin?next=%2Fincidents%2F" +
                        std::to_string(f.incident) + "\">Sign in</a>") != std::string::npos);
  CHECK(page->body.find("name=\"csrf\"") == std::string::npos);
  CHECK(page->get_header_value("Set-Cookie").empty());

  // Signed in, the same page offers the forms, signed with her name.
  auto signed_in = f.fetch(f.page_path(), {{"Authorization", kAlice}});
  REQUIRE(signed_in->status == 200);
  CHECK(signed_in->body.find("Signed in as <strong>alice</strong>") != std::string::npos);
  CHECK(signed_in->body.find("name=\"csrf\"") != std::string::npos);
  CHECK(signed_in->body.find("class=\"signin\"") == std::string::npos);

  // A credential that is sent must be right: a mistyped password is asked for again, on the
  // pages and the API alike, and the read token is still not a user.
  for (const std::string& path : {f.page_path(), std::string("/api/v1/alerts")}) {
    INFO(path);
    auto wrong = f.fetch(path, {{"Authorization", kWrong}});
    CHECK(wrong->status == 401);
    CHECK(wrong->get_header_value("WWW-Authenticate") ==
          "Basic realm=\"mock-slack\", charset=\"UTF-8\"");
  }
  CHECK(f.fetch("/api/v1/alerts", {{"Authorization", "Bearer guess"}})->status == 401);

  // An anonymous form post stores nothing and says how to sign in.
  auto c = f.client();
  auto post = c.Post((f.page_path() + "/events").c_str(),
                     {{"Origin", "http://127.0.0.1:" + std::to_string(f.service.api_port())}},
                     "kind=note&text=hi", "application/x-www-form-urlencoded");
  REQUIRE(post);
  CHECK(post->status == 403);
  CHECK(post->body.find("Sign in to post: open /signin") != std::string::npos);
  auto events = f.fetch("/api/v1/incidents/" + std::to_string(f.incident) + "/events");
  CHECK(json::parse(events->body)["events"].empty());
}

TEST_CASE("GET /signin challenges an anonymous browser, then sends it back to next", "[signin]") {
  SigninFixture f(anonymous_options());
  f.seed();
  const std::string link = "/signin?next=%2Fincidents%2F" + std::to_string(f.incident);
  auto challenge = f.fetch(link);
  CHECK(challenge->status == 401);
  CHECK(challenge->get_header_value("WWW-Authenticate") ==
        "Basic realm=\"mock-slack\", charset=\"UTF-8\"");
  CHECK(challenge->get_header_value("Content-Type").starts_with("text/html"));
  CHECK(challenge->body.find("Sign in as a UI user") != std::string::npos);
  CHECK(challenge->get_header_value("Cache-Control") == "no-store");

  auto back = f.fetch(link, {{"Authorization", kAlice}});
  CHECK(back->status == 303);
  CHECK(back->get_header_value("Location") == f.page_path());
  CHECK(f.fetch("/signin", {{"Authorization", kAlice}})->get_header_value("Location") == "/");
  CHECK(f.fetch(link, {{"Authorization", kWrong}})->status == 401);
}

TEST_CASE("GET /signin sends nobody to another site", "[signin][hostile]") {
  SigninFixture f(anonymous_options());
  const httplib::Headers alice{{"Authorization", kAlice}};
  for (const std::string next :
       {"http%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example", "%2F%5Cevil.example", "evil.example",
        "%2Fa%0D%0ASet-Cookie%3A%20x%3D1", "%2Fa%20b", "%2F%C3%A9", "javascript%3Aalert(1)", ""}) {
    INFO(next);
    auto res = f.fetch("/signin?next=" + next, alice);
    CHECK(res->status == 400);
    CHECK(res->get_header_value("Location").empty());
    CHECK(res->body.find("next: ") != std::string::npos);
  }
  auto long_next = f.fetch("/signin?next=/" + std::string(3000, 'a'), alice);
  CHECK(long_next->status == 400);
  CHECK(long_next->body.find("next: longer than 2048 bytes") != std::string::npos);
  // A path with its own query comes back whole.
  auto query = f.fetch("/signin?next=%2F%3Fservice%3Dportal%26range%3D7d", alice);
  CHECK(query->status == 303);
  CHECK(query->get_header_value("Location") == "/?service=portal&range=7d");
}

TEST_CASE("GET /signin without UI users: the proxy signs in, or nobody does", "[signin]") {
  ReceiverOptions proxy;
  proxy.read.trusted_user_header = "X-Forwarded-User";
  proxy.read.anonymous_read = true;
  SigninFixture p(proxy);
  auto unsigned_request = p.fetch("/signin?next=%2F");
  CHECK(unsigned_request->status == 403);
  CHECK(unsigned_request->get_header_value("WWW-Authenticate").empty());
  CHECK(unsigned_request->body.find("does not carry X-Forwarded-User") != std::string::npos);
  CHECK(p.fetch("/signin?next=%2F", {{"X-Forwarded-User", "bob"}})->status == 303);

  SigninFixture open{ReceiverOptions{}};
  auto none = open.fetch("/signin");
  CHECK(none->status == 404);
  CHECK(none->body.find("--ui-basic-auth-file or --trusted-user-header") != std::string::npos);
}

TEST_CASE("without --anonymous-read, /signin is behind the read credentials like every page",
          "[signin][read]") {
  ReceiverOptions closed;
  closed.read.ui_users = {{"alice", "wonder:land"}};
  SigninFixture f(closed);
  auto none = f.fetch("/signin?next=%2F");
  CHECK(none->status == 401);
  CHECK(none->body.find("missing or invalid read credentials") != std::string::npos);
  CHECK(f.fetch("/", {})->status == 401);
  CHECK(f.fetch("/signin?next=%2F", {{"Authorization", kAlice}})->status == 303);
}

}  // namespace mock_slack::testing
