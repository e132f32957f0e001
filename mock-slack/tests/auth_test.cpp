#include "mock_slack/auth.hpp"

#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("credentials are checked as Alertmanager's http_config sends them", "[auth]") {
  WebhookAuth off(Credentials{});
  CHECK_FALSE(off.enabled());
  CHECK(off.allows(""));

  WebhookAuth bearer(Credentials{"s3cret", ""});
  CHECK(bearer.allows("Bearer s3cret"));
  CHECK(bearer.allows("bearer s3cret"));  // the scheme is case-insensitive
  CHECK_FALSE(bearer.allows("Bearer s3cret2"));
  CHECK_FALSE(bearer.allows("Bearer s3cre"));
  CHECK_FALSE(bearer.allows("Bearer "));
  CHECK_FALSE(bearer.allows(""));
  CHECK_FALSE(bearer.allows("Basic czNjcmV0"));  // basic is not configured

  WebhookAuth basic(Credentials{"", "am:pa:ss"});
  CHECK(basic.allows("Basic YW06cGE6c3M="));  // base64("am:pa:ss")
  CHECK_FALSE(basic.allows("Basic YW06cGE6c3N4"));
  CHECK_FALSE(basic.allows("Basic !!!"));
  CHECK_FALSE(basic.allows("Bearer am:pa:ss"));
}

TEST_CASE("base64 decodes with and without padding", "[auth]") {
  std::string out;
  CHECK(base64_decode("YW06cGE6c3M=", out));
  CHECK(out == "am:pa:ss");
  CHECK(base64_decode("YQ", out));
  CHECK(out == "a");
  CHECK_FALSE(base64_decode("Y", out));
  CHECK_FALSE(base64_decode("Y*==", out));
}

TEST_CASE("the write endpoints answer 401 without the configured credentials", "[auth]") {
  ReceiverOptions o;
  o.credentials = Credentials{"tok", "am:pw"};
  Running r(o);
  auto body = notification("Auth", "firing", {alert("Auth", "firing", "2026-11-21T22:00:00Z")});
  for (const char* path :
       {"/webhook", "/api/v1/sync", "/api/v1/sync/sweep", "/api/v1/retention", "/slack/pages"}) {
    INFO(path);
    auto none = r.post(path, body);
    CHECK(none->status == 401);
    CHECK(json::parse(none->body)["error"] == "missing or invalid credentials");
    CHECK(none->get_header_value("WWW-Authenticate") == "Bearer realm=\"mock-slack\"");
    CHECK(r.post(path, body, {{"Authorization", "Bearer wrong"}})->status == 401);
  }
  CHECK(r.post("/webhook", body, {{"Authorization", "Bearer tok"}})->status == 200);
  CHECK(r.post("/webhook", body, {{"Authorization", "Basic YW06cHc="}})->status == 200);
  CHECK(r.post("/api/v1/retention", json::object(), {{"Authorization", "Bearer tok"}})->status ==
        200);
  const json message{{"text", "FIRING: PortalDown"}};
  CHECK(r.post("/slack/pages", message, {{"Authorization", "Bearer tok"}})->status == 200);
  CHECK(r.post("/slack/pages", message, {{"Authorization", "Basic YW06cHc="}})->status == 200);
  CHECK(r.post("/slack/pages", message, {{"Authorization", "Basic YW06d3Jvbmc="}})->status == 401);
  CHECK(r.get("/api/v1/alerts")["data"].size() == 1);  // reads need no credentials by default
  CHECK(r.get("/api/v1/messages?channel=pages")["data"].size() == 2);
  CHECK(r.service.metrics().serialize().find(
            "mockslack_webhook_rejected_total{reason=\"unauthorized\"} 11") != std::string::npos);
}

TEST_CASE("UI users sign in with basic auth, and the proxy's header names its user", "[auth]") {
  using Users = std::vector<std::pair<std::string, std::string>>;
  CHECK(parse_ui_users("alice:a:b\r\n# comment\n\nbob:x") == Users{{"alice", "a:b"}, {"bob", "x"}});
  CHECK_THROWS_WITH(parse_ui_users("alice:a\n:c\n"), "line 2: expected user:password");
  CHECK_THROWS_WITH(parse_ui_users("alice:\n"), "line 1: expected user:password");
  CHECK_THROWS_WITH(parse_ui_users("al\x01ice:x\n"),
                    "line 1: the user name holds a control character");
  CHECK_THROWS_WITH(parse_ui_users(""), "no user:password line");

  ReadCredentials c;
  c.ui_users = {{"alice", "wonder:land"}, {"bob", "builder"}};
  const ReadAuth basic(c);
  CHECK(basic.enabled());
  CHECK(basic.signs_in_users());
  CHECK(basic.user("Basic YWxpY2U6d29uZGVyOmxhbmQ=", "") == "alice");  // alice:wonder:land
  CHECK(basic.user("basic Ym9iOmJ1aWxkZXI=", "") == "bob");
  CHECK(basic.user("Basic Ym9iOndvbmRlcjpsYW5k", "") == "");  // bob with alice's password
  CHECK(basic.user("Basic !!", "") == "");
  CHECK(basic.user("Bearer x", "") == "");
  CHECK(basic.user("", "alice") == "");  // no header is trusted
  CHECK(basic.allows("Basic Ym9iOmJ1aWxkZXI=", ""));
  CHECK_FALSE(basic.allows("Basic Ym9iOmJ1aWxkZXJ4", ""));
  CHECK(basic.denial().status == 401);
  CHECK(basic.denial().challenge == "Basic realm=\"mock-slack\", charset=\"UTF-8\"");
  CHECK(basic.denial().message ==
        "missing or invalid read credentials: expected a UI user's basic auth "
        "(--ui-basic-auth-file)");

  c.bearer_token = "tok";
  c.trusted_user_header = "X-Forwarded-User";
  const ReadAuth all(c);
  CHECK(all.user("Basic Ym9iOmJ1aWxkZXI=", "carol") == "carol");  // the proxy's user first
  CHECK(all.user("Bearer tok", "") == "");                        // the token names nobody
  CHECK(all.allows("Bearer tok", ""));
  CHECK(all.denial().message ==
        "missing or invalid read credentials: expected the read token (Authorization: Bearer), "
        "a UI user's basic auth (--ui-basic-auth-file) or X-Forwarded-User from the "
        "authenticating proxy");

  const ReadAuth token_only(ReadCredentials{"tok", "", {}});
  CHECK_FALSE(token_only.signs_in_users());
  CHECK(token_only.user("Bearer tok", "") == "");
}
