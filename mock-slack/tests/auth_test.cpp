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
