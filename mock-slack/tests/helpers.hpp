#pragma once
// Shared test fixtures: a temporary directory, an injected clock, a running mock-slack in
// process, and payload builders in Alertmanager's shapes.

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "firedrill/testing.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack/store.hpp"

namespace mock_slack::testing {

using nlohmann::json;
namespace alerting = firedrill::alerting;

/// A directory removed with everything in it at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mock-slack-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The injected clock: tests set it; the store reads it.
inline std::atomic<std::int64_t>& clock_ns() {
  static std::atomic<std::int64_t> now{1795300000LL * 1'000'000'000};  // 2026-11-21T21:46:40Z
  return now;
}
inline alerting::TimePoint test_now() { return alerting::from_unix_ns(clock_ns().load()); }
inline void set_clock(std::string_view rfc3339) {
  clock_ns() = alerting::to_unix_ns(*alerting::parse_time(rfc3339));
}

/// One alert in the webhook's shape.
inline json alert(const std::string& name, const std::string& status, const std::string& starts,
                  const std::string& ends = "0001-01-01T00:00:00Z", json extra_labels = {}) {
  json labels{{"alertname", name},
              {"service", "portal"},
              {"severity", "page"},
              {"instance", "10.0.0.1:8080"}};
  if (extra_labels.is_object()) labels.update(extra_labels);
  alerting::LabelSet ls;
  for (auto& [k, v] : labels.items()) ls[k] = v.get<std::string>();
  return json{{"status", status},
              {"labels", labels},
              {"annotations", {{"summary", name + " summary"}}},
              {"startsAt", starts},
              {"endsAt", ends},
              {"generatorURL", "http://prometheus:9090/graph?g0.expr=up"},
              {"fingerprint", alerting::fingerprint(ls)}};
}

/// A webhook notification (version 4) of `alerts` for the group `group`.
inline json notification(const std::string& group, const std::string& status, json alerts,
                         const std::string& receiver = "team-portal") {
  return json{{"version", "4"},
              {"groupKey", "{}/{service=\"portal\"}:{alertname=\"" + group + "\"}"},
              {"truncatedAlerts", 0},
              {"status", status},
              {"receiver", receiver},
              {"groupLabels", {{"alertname", group}}},
              {"commonLabels", {{"service", "portal"}}},
              {"commonAnnotations", json::object()},
              {"externalURL", "http://alertmanager:9093"},
              {"alerts", std::move(alerts)}};
}

/// One alert in API v2's shape (GET /api/v2/alerts), suppressed by `silenced_by` when not empty.
inline json gettable_alert(const std::string& name, const std::string& starts,
                           std::vector<std::string> silenced_by = {}) {
  json a = alert(name, "firing", starts);
  a.erase("status");
  a["updatedAt"] = starts;
  a["receivers"] = json::array({json{{"name", "team-portal"}}});
  a["status"] = {{"state", silenced_by.empty() ? "active" : "suppressed"},
                 {"silencedBy", std::move(silenced_by)},
                 {"inhibitedBy", json::array()}};
  return a;
}

/// One silence in API v2's shape (GET /api/v2/silences).
inline json silence(const std::string& id, const std::string& state = "active",
                    const std::string& updated = "2026-11-21T22:00:00Z",
                    const std::string& starts = "2026-11-21T22:00:00Z",
                    const std::string& ends = "2026-11-22T02:00:00Z") {
  return json{
      {"id", id},
      {"status", {{"state", state}}},
      {"updatedAt", updated},
      {"comment", "maintenance"},
      {"createdBy", "ops@example.com"},
      {"startsAt", starts},
      {"endsAt", ends},
      {"matchers",
       {{{"name", "alertname"}, {"value", "DiskFull"}, {"isRegex", false}, {"isEqual", true}},
        {{"name", "instance"}, {"value", "10\\..*"}, {"isRegex", true}, {"isEqual", false}}}}};
}

/// mock-slack in process on an ephemeral port, with a fresh database and the test clock.
struct Running {
  TempDir dir;  // first: the store opens a file in it

  explicit Running(ReceiverOptions options = {}, StoreOptions store_options = {},
                   firedrill::CommonSettings settings = firedrill::testing::test_settings())
      : service("mock-slack", settings),
        store(with_path(std::move(store_options), dir), test_now, &service.metrics().registry()),
        receiver(service, store, std::move(options)),
        running(service) {}

  /// A fresh SQLite file in `d`, unless the options name a store already (a PostgreSQL URI).
  static StoreOptions with_path(StoreOptions o, const TempDir& d) {
    if (o.path.empty()) o.path = (d.path() / "mock-slack.db").string();
    return o;
  }
  httplib::Client client() const { return running.api(); }
  httplib::Result post(const std::string& path, const json& body,
                       const httplib::Headers& headers = {}) const {
    auto c = client();
    return c.Post(path.c_str(), headers, body.dump(), "application/json");
  }
  json get(const std::string& path) const {
    auto c = client();
    auto res = c.Get(path.c_str());
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    return json::parse(res->body);
  }

  firedrill::Service service;
  Store store;
  Receiver receiver;
  firedrill::testing::RunningService running;
};

/// At 2026-12-01T12:00:00Z (the test clock), a PortalDown page firing since 11:58 through
/// POST /webhook; returns its incident's id.
inline std::int64_t seed_portal_down(const Running& r) {
  set_clock("2026-12-01T12:00:00Z");
  auto res =
      r.post("/webhook",
             notification("PortalDown", "firing",
                          json::array({alert("PortalDown", "firing", "2026-12-01T11:58:00Z")})));
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return json::parse(res->body)["incident"].get<std::int64_t>();
}

}  // namespace mock_slack::testing
