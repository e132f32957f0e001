// What a hostile client can do to mock-slack: nothing that grows its /metrics.
#include "firedrill/hostile_client.hpp"
#include "helpers.hpp"

using namespace mock_slack::testing;
using firedrill::testing::HostileClient;
using firedrill::testing::metric_series;

TEST_CASE("hostile methods, paths and headers leave mock-slack's /metrics series unchanged",
          "[hostile][metrics]") {
  Running r;
  HostileClient hostile(
      r.service.api_port(),
      {"/webhook", "/api/v1/sync", "/api/v1/sync/sweep", "/api/v1/retention", "/slack/pages",
       "/api/v1/alerts", "/api/v1/incidents", "/api/v1/incidents/1", "/api/v1/messages",
       "/api/v1/channels", "/api/v1/silences", "/api/v1/alerts/export", "/api/v1/incidents/export",
       "/api/v1/search", "/search", "/runbooks/PortalDown", "/metrics", "/healthz"},
      16003);
  hostile.warm_up();
  const auto before = metric_series(r.service.metrics().serialize());
  hostile.send_random(300);
  CHECK(metric_series(r.service.metrics().serialize()) == before);
}
