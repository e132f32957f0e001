// Read credentials (--read-token, --trusted-user-header) on the pages, the JSON API's GET routes
// and /runbooks, through the real HTTP server.
#include "helpers.hpp"
#include "mock_slack/pages.hpp"

namespace mock_slack::testing {
namespace {

/// mock-slack in process with the pages, the read API and the given read credentials.
struct WithReadAuth {
  explicit WithReadAuth(ReadCredentials read)
      : store(Running::with_path({}, dir), test_now, &service.metrics().registry()),
        receiver(service, store, receiver_options(read)),
        running(service) {}

  static ReceiverOptions receiver_options(ReadCredentials read) {
    ReceiverOptions o;
    o.read = std::move(read);
    return o;
  }
  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) const {
    auto c = running.api();
    auto res = c.Get(path.c_str(), headers);
    REQUIRE(res);
    return res;
  }

  TempDir dir;
  firedrill::Service service{"mock-slack", firedrill::testing::test_settings()};
  Store store;
  Receiver receiver;
  firedrill::testing::RunningService running;
};

const std::vector<std::string> kReadRoutes{
    "/",
    "/channels",
    "/channels/pages",
    "/incidents/1",
    "/incidents/1/postmortem.md",
    "/api/v1/alerts",
    "/api/v1/incidents",
    "/api/v1/incidents/1",
    "/api/v1/messages",
    "/api/v1/channels",
    "/api/v1/silences",
    "/runbooks/PortalDown",
};

std::string error_of(const httplib::Result& res) {
  auto body = json::parse(res->body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"].get<std::string>() : res->body;
}

}  // namespace

TEST_CASE("reads are open when no read credential is set", "[auth][read]") {
  WithReadAuth m({});
  for (const auto& path : kReadRoutes) {
    INFO(path);
    auto res = m.get(path);
    CHECK(res->status != 401);
    CHECK(res->status != 403);
  }
  CHECK(m.get("/api/v1/alerts")->status == 200);
}

TEST_CASE("a read token guards the pages, the read API and the runbooks", "[auth][read]") {
  WithReadAuth m({"read-tok", "", {}});
  for (const auto& path : kReadRoutes) {
    INFO(path);
    auto none = m.get(path);
    CHECK(none->status == 401);
    CHECK(none->get_header_value("WWW-Authenticate") == "Bearer realm=\"mock-slack\"");
    CHECK(none->body.find(
              "missing or invalid read credentials: expected the read token (Authorization: "
              "Bearer)") != std::string::npos);
    CHECK(m.get(path, {{"Authorization", "Bearer wrong"}})->status == 401);
    CHECK(m.get(path, {{"Authorization", "Basic cmVhZC10b2s="}})->status == 401);
    // No header is trusted unless --trusted-user-header names it.
    CHECK(m.get(path, {{"X-Forwarded-User", "alice"}})->status == 401);
    auto ok = m.get(path, {{"Authorization", "Bearer read-tok"}});
    CHECK(ok->status != 401);
    CHECK(ok->status != 403);
  }
  CHECK(error_of(m.get("/api/v1/alerts")) ==
        "missing or invalid read credentials: expected the read token (Authorization: Bearer)");
  CHECK(m.get("/api/v1/alerts", {{"Authorization", "Bearer read-tok"}})->status == 200);
  SECTION("probes, metrics, the stylesheet and the writes do not take the read token") {
    CHECK(m.get("/healthz")->status == 200);
    CHECK(m.get("/metrics")->status == 200);
    CHECK(m.get("/static/style.css")->status == 200);
    auto c = m.running.api();
    auto res =
        c.Post("/webhook",
               notification("R", "firing", {alert("R", "firing", "2026-11-21T22:00:00Z")}).dump(),
               "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);  // no webhook credentials are set here
  }
}

TEST_CASE("a trusted proxy header grants reads only when the flag names it", "[auth][read]") {
  WithReadAuth m({"", "X-Forwarded-User", {}});
  for (const auto& path : kReadRoutes) {
    INFO(path);
    auto none = m.get(path);
    CHECK(none->status == 403);
    CHECK(none->body.find("reads need X-Forwarded-User from the authenticating proxy") !=
          std::string::npos);
    CHECK(m.get(path, {{"X-Forwarded-Email", "alice@example.com"}})->status == 403);
    CHECK(m.get(path, {{"X-Forwarded-User", ""}})->status == 403);
    CHECK(m.get(path, {{"Authorization", "Bearer anything"}})->status == 403);
    auto ok = m.get(path, {{"X-Forwarded-User", "alice"}});
    CHECK(ok->status != 401);
    CHECK(ok->status != 403);
  }
  CHECK(m.get("/api/v1/alerts", {{"x-forwarded-user", "alice"}})->status == 200);
}

TEST_CASE("with a read token and a trusted header, either one is enough", "[auth][read]") {
  WithReadAuth m({"read-tok", "X-Forwarded-Email", {}});
  auto none = m.get("/api/v1/alerts");
  CHECK(none->status == 401);
  CHECK(error_of(none) ==
        "missing or invalid read credentials: expected the read token (Authorization: Bearer) or "
        "X-Forwarded-Email from the authenticating proxy");
  CHECK(m.get("/api/v1/alerts", {{"Authorization", "Bearer read-tok"}})->status == 200);
  CHECK(m.get("/api/v1/alerts", {{"X-Forwarded-Email", "alice@example.com"}})->status == 200);
  CHECK(m.get("/", {{"X-Forwarded-Email", "alice@example.com"}})->status == 200);
  CHECK(m.get("/api/v1/alerts", {{"X-Forwarded-User", "alice"}})->status == 401);
}

}  // namespace mock_slack::testing
