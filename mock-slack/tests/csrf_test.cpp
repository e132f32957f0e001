// The forms' CSRF token, session cookie and Origin check (src/csrf.cpp).
#include "mock_slack/csrf.hpp"

#include <catch2/catch.hpp>

namespace {

using mock_slack::cross_origin_reason;
using mock_slack::CsrfGuard;
namespace alerting = firedrill::alerting;

mock_slack::RandomBytes filled_with(unsigned char byte) {
  return [byte](unsigned char* out, std::size_t size) { std::fill(out, out + size, byte); };
}

const alerting::TimePoint kNow = *alerting::parse_time("2026-12-01T12:00:00Z");

}  // namespace

TEST_CASE("a token is good for one session, one user, one secret and twelve hours", "[csrf]") {
  const CsrfGuard guard(filled_with(1));
  const std::string session = guard.new_session();
  std::string ones;
  for (int i = 0; i < 32; ++i) ones += "01";
  CHECK(session == ones);  // 32 bytes from the injected source, hex
  CHECK(CsrfGuard::valid_session(session));
  const std::string token = guard.token(session, "alice", kNow);
  CHECK(token.starts_with("1796126400."));
  CHECK(token.size() == 11 + 64);
  CHECK(guard.check(token, session, "alice", kNow) == "");
  CHECK(guard.check(token, session, "alice", kNow + std::chrono::hours(12)) == "");

  const std::string other = std::string(64, 'b');
  CHECK(guard.check(token, other, "alice", kNow) ==
        "the form's CSRF token does not belong to this session and user");
  CHECK(guard.check(token, session, "alic", kNow) ==
        "the form's CSRF token does not belong to this session and user");
  CHECK(guard.check(token, session, "alice\n", kNow) ==
        "the form's CSRF token does not belong to this session and user");
  CHECK(CsrfGuard(filled_with(2)).check(token, session, "alice", kNow) ==
        "the form's CSRF token does not belong to this session and user");
  CHECK(guard.check(token, session, "alice",
                    kNow + std::chrono::hours(12) + std::chrono::seconds(1)) ==
        "the form has expired: reload the page and send it again");
  CHECK(guard.check(token, session, "alice", kNow - std::chrono::seconds(1)) ==
        "the form has expired: reload the page and send it again");
  // Moving the issue time forward breaks the MAC.
  std::string later = token;
  later[9] = static_cast<char>(later[9] + 1);
  CHECK(guard.check(later, session, "alice", kNow + std::chrono::hours(1)) ==
        "the form's CSRF token does not belong to this session and user");
  CHECK(guard.check("", session, "alice", kNow) == "the form carries no CSRF token");
  for (const char* bad : {"abc", ".abc", "-1.abc", "9999999999999.abc", "1e9.abc"}) {
    INFO(bad);
    CHECK(guard.check(bad, session, "alice", kNow) == "the form's CSRF token is malformed");
  }
  CHECK(guard.check(token.substr(0, token.size() - 1), session, "alice", kNow) ==
        "the form's CSRF token does not belong to this session and user");
}

TEST_CASE("the session cookie is set strict and read back only when well formed", "[csrf]") {
  const std::string s(64, 'c');
  CHECK(CsrfGuard::session_cookie(s) ==
        "mockslack_session=" + s + "; HttpOnly; SameSite=Strict; Path=/");
  CHECK(CsrfGuard::session_cookie(s, true) ==
        "mockslack_session=" + s + "; HttpOnly; SameSite=Strict; Path=/; Secure");
  CHECK(CsrfGuard::session_of("mockslack_session=" + s) == s);
  CHECK(CsrfGuard::session_of("a=1; mockslack_session=" + s + "; b=2") == s);
  CHECK(CsrfGuard::session_of("xmockslack_session=" + s) == std::nullopt);
  CHECK(CsrfGuard::session_of("mockslack_session=" + std::string(63, 'c')) == std::nullopt);
  CHECK(CsrfGuard::session_of("mockslack_session=" + std::string(64, 'C')) == std::nullopt);
  CHECK(CsrfGuard::session_of("") == std::nullopt);
  CHECK_FALSE(CsrfGuard::valid_session(std::string(64, 'g')));
  // Two sessions from the same source differ.
  const CsrfGuard guard(mock_slack::system_random_bytes);
  CHECK(guard.new_session() != guard.new_session());
}

TEST_CASE("a form is accepted only from a page of the host it was sent to", "[csrf]") {
  CHECK(cross_origin_reason("http://127.0.0.1:8090", "", "127.0.0.1:8090") == "");
  CHECK(cross_origin_reason("https://Mock-Slack.example", "", "mock-slack.example") == "");
  CHECK(cross_origin_reason("", "http://127.0.0.1:8090/incidents/3", "127.0.0.1:8090") == "");
  CHECK(cross_origin_reason("", "http://127.0.0.1:8090?x", "127.0.0.1:8090") == "");
  CHECK(cross_origin_reason("http://evil.example", "http://127.0.0.1:8090/", "127.0.0.1:8090") ==
        "Origin \"http://evil.example\" is not this site (127.0.0.1:8090): forms are accepted "
        "from mock-slack's own pages only");
  CHECK(cross_origin_reason("", "http://evil.example/x", "127.0.0.1:8090") ==
        "Referer \"http://evil.example/x\" is not this site (127.0.0.1:8090): forms are accepted "
        "from mock-slack's own pages only");
  for (const char* origin :
       {"null", "http://127.0.0.1:8091", "http://127.0.0.1", "ftp://127.0.0.1:8090",
        "http://user@127.0.0.1:8090", "http://127.0.0.1:8090.evil.example", "http://"}) {
    INFO(origin);
    CHECK_FALSE(cross_origin_reason(origin, "", "127.0.0.1:8090").empty());
  }
  CHECK(cross_origin_reason("", "", "127.0.0.1:8090") ==
        "the request has neither an Origin nor a Referer header: forms are accepted from "
        "mock-slack's own pages only");
  CHECK(cross_origin_reason("http://127.0.0.1:8090", "", "") == "the request has no Host header");
}
