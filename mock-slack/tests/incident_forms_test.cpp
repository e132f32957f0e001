// POST /incidents/{id}/events (src/incident_forms.cpp) on a real listener and a real SQLite file:
// the incident page's forms, the signed-in author, CSRF (session token and Origin), bad input.
#include <regex>

#include "helpers.hpp"
#include "mock_slack/incident_events.hpp"

namespace mock_slack::testing {
namespace {

/// A random source that counts, so that the secret and session ids are known to the test.
RandomBytes counting_random() {
  return [n = std::make_shared<unsigned char>(0)](unsigned char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out[i] = (*n)++;
  };
}

ReceiverOptions proxy_options() {
  ReceiverOptions o;
  o.read.trusted_user_header = "X-Forwarded-User";
  o.random = counting_random();
  return o;
}

ReceiverOptions basic_options() {
  ReceiverOptions o;
  o.read.ui_users = {{"alice", "wonder:land"}, {"bob", "builder"}};
  o.random = counting_random();
  return o;
}

/// A signed-in browser: its headers, its cookie jar of one session, the token of its last page.
struct Browser {
  httplib::Headers identity;  // the proxy's header, or basic auth
  std::string cookie;         // "mockslack_session=..."
  std::string token;
};

struct FormsFixture : Running {
  using Running::Running;
  std::int64_t incident = 0;

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(service.api_port()); }

  void seed() { incident = seed_portal_down(*this); }
  std::string page_path() const { return "/incidents/" + std::to_string(incident); }

  /// Loads the incident page as `b`, keeping the cookie it sets and the form's token.
  httplib::Result load(Browser& b) const {
    auto c = client();
    httplib::Headers h = b.identity;
    if (!b.cookie.empty()) h.emplace("Cookie", b.cookie);
    auto res = c.Get(page_path().c_str(), h);
    REQUIRE(res);
    if (auto set = res->get_header_value("Set-Cookie"); !set.empty()) {
      b.cookie = set.substr(0, set.find(';'));
    }
    std::smatch m;
    if (std::regex_search(res->body, m, std::regex("name=\"csrf\" value=\"([^\"]+)\""))) {
      b.token = m[1];
    }
    return res;
  }
  /// Posts `body` as a form from `b`, with its cookie and an Origin (this site unless given).
  httplib::Result submit(const Browser& b, const std::string& body, std::string from = {},
                         const std::string& path = {}) const {
    auto c = client();
    httplib::Headers h = b.identity;
    if (!b.cookie.empty()) h.emplace("Cookie", b.cookie);
    if (from.empty()) from = origin();
    if (from != "none") h.emplace("Origin", from);
    auto res = c.Post((path.empty() ? page_path() + "/events" : path).c_str(), h, body,
                      "application/x-www-form-urlencoded");
    REQUIRE(res);
    return res;
  }
  json events() const {
    return get("/api/v1/incidents/" + std::to_string(incident) + "/events",
               {{"X-Forwarded-User", "reader"}})["events"];
  }
  json get(const std::string& path, const httplib::Headers& h) const {
    auto c = client();
    auto res = c.Get(path.c_str(), h);
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    return json::parse(res->body);
  }
};

Browser alice_via_proxy() { return {{{"X-Forwarded-User", "alice@example.com"}}, "", ""}; }

}  // namespace

TEST_CASE("a signed-in user's form post is stored with their name and redirects back",
          "[incident_forms]") {
  FormsFixture f(proxy_options());
  f.seed();
  Browser alice = alice_via_proxy();
  auto page = f.load(alice);
  REQUIRE(page->status == 200);
  const std::string set_cookie = page->get_header_value("Set-Cookie");
  CHECK(std::regex_match(set_cookie,
                         std::regex("mockslack_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; "
                                    "Path=/")));
  CHECK(page->get_header_value("Cache-Control") == "no-store");
  CHECK(page->body.find("Signed in as <strong>alice@example.com</strong>") != std::string::npos);
  REQUIRE_FALSE(alice.token.empty());

  set_clock("2026-12-01T12:03:00Z");
  auto ack = f.submit(alice, "csrf=" + alice.token + "&kind=acknowledged&text=");
  CHECK(ack->status == 303);
  CHECK(ack->get_header_value("Location") == f.page_path());
  set_clock("2026-12-01T12:04:00Z");
  auto note = f.submit(alice,
                       "kind=note&text=restarted+the+pod%0D%0Asee+%3Cb%3Elogs%3C%2Fb%3E"
                       "&csrf=" +
                           alice.token);
  CHECK(note->status == 303);

  const json events = f.events();
  REQUIRE(events.size() == 2);
  CHECK(events[0]["kind"] == "acknowledged");
  CHECK(events[0]["author"] == "alice@example.com");
  CHECK(events[0]["text"] == "acknowledged");
  CHECK(events[0]["time"] == "2026-12-01T12:03:00Z");
  CHECK(events[0]["details"] == json{{"via", "incident page"}});
  CHECK(events[1]["text"] == "restarted the pod\nsee <b>logs</b>");

  // The page afterwards: who acknowledged, and the note in the timeline, escaped.
  page = f.load(alice);
  CHECK(page->get_header_value("Set-Cookie").empty());  // the session is kept
  CHECK(page->body.find("<dt>Acknowledged</dt><dd>by <strong class=\"author\">alice@example.com"
                        "</strong> at 2026-12-01 12:03:00Z</dd>") != std::string::npos);
  CHECK(page->body.find("<td>note</td><td>alice@example.com</td><td class=\"text\">restarted the "
                        "pod\nsee &lt;b&gt;logs&lt;/b&gt;</td>") != std::string::npos);

  SECTION("a Referer of this site stands in for a missing Origin") {
    auto c = f.client();
    auto res =
        c.Post(f.page_path() + "/events",
               {{"X-Forwarded-User", "alice@example.com"},
                {"Cookie", alice.cookie},
                {"Referer", f.origin() + f.page_path()}},
               "csrf=" + alice.token + "&kind=mitigated", "application/x-www-form-urlencoded");
    REQUIRE(res);
    CHECK(res->status == 303);
    CHECK(f.events().size() == 3);
  }
  SECTION("a user with basic auth signs with the user name") {
    FormsFixture g(basic_options());
    g.seed();
    Browser bob{{{"Authorization", "Basic Ym9iOmJ1aWxkZXI="}}, "", ""};  // bob:builder
    REQUIRE(g.load(bob)->status == 200);
    CHECK(g.submit(bob, "csrf=" + bob.token + "&kind=mitigated&text=drained")->status == 303);
    const json stored = g.get("/api/v1/incidents/" + std::to_string(g.incident) + "/events",
                              {{"Authorization", "Basic Ym9iOmJ1aWxkZXI="}})["events"];
    REQUIRE(stored.size() == 1);
    CHECK(stored[0]["author"] == "bob");
    CHECK(stored[0]["kind"] == "mitigated");
    // A wrong password is not signed in: the browser is asked for basic auth.
    Browser mallory{{{"Authorization", "Basic Ym9iOmJ1aWxkZXJ4"}}, "", ""};
    auto refused = g.load(mallory);
    CHECK(refused->status == 401);
    CHECK(refused->get_header_value("WWW-Authenticate") ==
          "Basic realm=\"mock-slack\", charset=\"UTF-8\"");
  }
}

TEST_CASE("a form post without a valid token or from another origin is refused, storing nothing",
          "[incident_forms]") {
  FormsFixture f(proxy_options());
  f.seed();
  Browser alice = alice_via_proxy();
  REQUIRE(f.load(alice)->status == 200);
  const std::string good = "csrf=" + alice.token + "&kind=note&text=hello";
  auto refused = [&](const httplib::Result& res, const std::string& why) {
    INFO(res->body);
    CHECK(res->status == 403);
    CHECK(res->get_header_value("Content-Type").starts_with("text/html"));
    CHECK(res->body.find(why) != std::string::npos);
  };

  refused(f.submit(alice, "kind=note&text=hello"), "the form carries no CSRF token");
  refused(f.submit(alice, "csrf=1795300000.00&kind=note&text=hello"),
          "the form&apos;s CSRF token does not belong to this session and user");
  refused(f.submit(alice, "csrf=x" + alice.token + "&kind=note&text=hello"),
          "the form&apos;s CSRF token is malformed");
  refused(f.submit(alice, good, "http://evil.example"),
          "Origin &quot;http://evil.example&quot; is not this site");
  refused(f.submit(alice, good, "null"), "Origin &quot;null&quot; is not this site");
  refused(f.submit(alice, good, "none"), "neither an Origin nor a Referer");
  refused(f.submit(alice, good, "http://127.0.0.1:" + std::to_string(f.service.api_port() + 1)),
          "is not this site");

  Browser no_cookie = alice;
  no_cookie.cookie.clear();
  refused(f.submit(no_cookie, good), "carries no session cookie");
  Browser other_session = alice;
  other_session.cookie = "mockslack_session=" + std::string(64, 'a');
  refused(f.submit(other_session, good), "does not belong to this session and user");
  // A token is the user's: another signed-in user cannot replay it in the same session.
  Browser bob = alice;
  bob.identity = {{"X-Forwarded-User", "bob"}};
  refused(f.submit(bob, good), "does not belong to this session and user");

  SECTION("a token expires") {
    set_clock("2026-12-02T00:00:01Z");  // 12 h and a second after the page was loaded
    refused(f.submit(alice, good), "the form has expired: reload the page");
  }
  SECTION("a restarted mock-slack has a new secret: old tokens are refused") {
    ReceiverOptions o = proxy_options();
    o.random = [](unsigned char* out, std::size_t size) { std::fill(out, out + size, 7); };
    FormsFixture g(o);
    g.seed();
    refused(g.submit(alice, good), "does not belong to this session and user");
  }
  CHECK(f.events().empty());
}

TEST_CASE("without a way to sign users in, the forms are not offered and a post is refused",
          "[incident_forms]") {
  SECTION("no credentials at all") {
    FormsFixture f(ReceiverOptions{});
    f.seed();
    Browser anyone;
    auto page = f.load(anyone);
    REQUIRE(page->status == 200);
    CHECK(page->body.find("<form") == std::string::npos);
    CHECK(page->body.find("These forms need a signed-in user to sign what is posted: start "
                          "mock-slack with --trusted-user-header") != std::string::npos);
    CHECK(page->get_header_value("Set-Cookie").empty());
    auto res = f.submit(anyone, "kind=note&text=hello");
    CHECK(res->status == 403);
    CHECK(res->body.find("The incident page&apos;s forms need a signed-in user") !=
          std::string::npos);
    CHECK(f.get("/api/v1/incidents/1/events", {})["events"].empty());
  }
  SECTION("the read token names nobody") {
    ReceiverOptions o = proxy_options();
    o.read.bearer_token = "read-tok";
    FormsFixture f(o);
    f.seed();
    Browser reader{{{"Authorization", "Bearer read-tok"}}, "", ""};
    auto page = f.load(reader);
    REQUIRE(page->status == 200);
    CHECK(page->body.find("<form") == std::string::npos);
    CHECK(page->body.find("the read token names nobody") != std::string::npos);
    CHECK(f.submit(reader, "kind=note&text=hello")->status == 403);
    CHECK(f.events().empty());
  }
}

TEST_CASE("bad form input gets a clear 400 or 404 page and stores nothing", "[incident_forms]") {
  FormsFixture f(proxy_options());
  f.seed();
  Browser alice = alice_via_proxy();
  REQUIRE(f.load(alice)->status == 200);
  const std::string csrf = "csrf=" + alice.token;
  auto bad = [&](const httplib::Result& res, int status, const std::string& why) {
    INFO(res->body);
    CHECK(res->status == status);
    CHECK(res->get_header_value("Content-Type").starts_with("text/html"));
    CHECK(res->body.find(why) != std::string::npos);
  };
  bad(f.submit(alice, csrf + "&kind=deleted&text=x"), 400,
      "kind: &quot;deleted&quot; is not one of acknowledged, note, mitigated, resolved, reopened");
  bad(f.submit(alice, csrf + "&kind=auto_heal&text=x"), 400, "is not one of");
  bad(f.submit(alice, csrf + "&text=x"), 400, "kind: &quot;&quot; is not one of");
  bad(f.submit(alice, csrf + "&kind=note&text=+%0A+"), 400, "text: a note cannot be empty");
  bad(f.submit(alice, csrf + "&kind=note"), 400, "text: a note cannot be empty");
  bad(f.submit(alice, csrf + "&kind=note&text=" + std::string(kMaxEventTextBytes + 1, 'x')), 400,
      "text: longer than 4096 bytes");
  bad(f.submit(alice, csrf + "&kind=note&text=%C3%28"), 400, "text: not valid UTF-8");
  bad(f.submit(alice, csrf + "&kind=note&text=a%00b"), 400, "text: holds a control character");
  bad(f.submit(alice, csrf + "&kind=note&text=50%"), 400, "not valid form encoding");
  bad(f.submit(alice, csrf + "&kind=note&text=a&text=b"), 400,
      "gives the field &quot;text&quot; more than once");
  bad(f.submit(alice, csrf + "&kind=note&text=a&author=mallory"), 400,
      "unexpected field &quot;author&quot;: the author is the signed-in user");
  bad(f.submit(alice, csrf + "&kind=note&text=hi", "", "/incidents/abc/events"), 400,
      "&quot;abc&quot; is not an incident id");
  bad(f.submit(alice, csrf + "&kind=note&text=hi", "", "/incidents/0/events"), 400,
      "is not an incident id");
  bad(f.submit(alice, csrf + "&kind=note&text=hi", "", "/incidents/999/events"), 404,
      "There is no incident 999.");
  {
    auto c = f.client();
    auto res = c.Post(f.page_path() + "/events",
                      {{"X-Forwarded-User", "alice@example.com"},
                       {"Cookie", alice.cookie},
                       {"Origin", f.origin()}},
                      json{{"kind", "note"}, {"text", "x"}}.dump(), "application/json");
    REQUIRE(res);
    bad(res, 415, "Expected Content-Type application/x-www-form-urlencoded");
  }
  {
    Browser control = alice;
    control.identity = {{"X-Forwarded-User", std::string(kMaxEventAuthorBytes + 1, 'u')}};
    REQUIRE(f.load(control)->status == 200);
    bad(f.submit(control, "kind=note&text=x"), 400, "The signed-in user&apos;s name is empty");
  }
  CHECK(f.events().empty());
  // A text at the limit is fine.
  CHECK(f.submit(alice, csrf + "&kind=note&text=" + std::string(kMaxEventTextBytes, 'x'))->status ==
        303);
  CHECK(f.events().size() == 1);
}

}  // namespace mock_slack::testing
