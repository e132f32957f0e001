// What a hostile client can do to the portal: nothing that grows its /metrics.
#include <catch2/catch.hpp>

#include "firedrill/hostile_client.hpp"
#include "firedrill/testing.hpp"
#include "portal/portal.hpp"
#include "support.hpp"

using firedrill::testing::HostileClient;
using firedrill::testing::metric_series;

TEST_CASE("hostile methods, paths and headers leave the portal's /metrics series unchanged",
          "[hostile][metrics]") {
  firedrill::Service service("portal", firedrill::testing::test_settings(true));
  portal::testing::RecordingSleeper sleeper;
  portal::PortalConfig config;
  config.seed = 42;
  portal::Portal p(service, std::move(config), sleeper, [](int) { std::abort(); });
  firedrill::testing::RunningService running(service);

  // Both listeners: the API, and the ops listener with the probes and the admin routes.
  HostileClient api(service.api_port(),
                    {"/", "/api/items", "/api/items/1", "/api/orders", "/api/work"}, 16001);
  HostileClient ops(service.ops_port(),
                    {"/healthz", "/readyz", "/metrics", "/admin/faults", "/admin/crash"}, 16002);
  api.warm_up();
  ops.warm_up();
  const auto before = metric_series(service.metrics().serialize());
  api.send_random(200);
  ops.send_random(200);
  CHECK(metric_series(service.metrics().serialize()) == before);
}
