
#include <random>
#include <sstream>

#include "backends.hpp"
#include "mock_slack/repair_command.hpp"
#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

/// One alert of the churn: its labels, and the start of its current firing (empty: not firing).
struct Identity {
  json labels;
  std::string starts;
};

std::string at(std::int64_t minute) {
  return alerting::format_time(
      alerting::from_unix_ns((1795300000LL + minute * 60) * 1'000'000'000));
}

json webhook_alert(const Identity& id, const std::string& status, const std::string& ends) {
  alerting::LabelSet ls;
  for (auto& [k, v] : id.labels.items()) ls[k] = v.get<std::string>();
  return json{{"status", status},
              {"labels", id.labels},
              {"annotations", {{"summary", "churn"}}},
              {"startsAt", id.starts},
              {"endsAt", ends},
              {"generatorURL", "http://prometheus:9090/graph"},
              {"fingerprint", alerting::fingerprint(ls)}};
}

using Summary = std::tuple<std::int64_t, std::int64_t, std::string, std::vector<std::string>,
                           std::vector<std::string>, std::string>;

std::map<std::int64_t, Summary> summaries(const Store& s) {
  AlertFilter f;
  f.limit = 1000;
  std::map<std::int64_t, Summary> out;
  for (const auto& i : s.incidents(f).items) {
    out[i.id] = {i.alert_count, i.firing_count, i.severity, i.alertnames, i.services, i.status};
  }
  return out;
}

}  // namespace

TEST_CASE("the incremental incident summary equals the full recompute after churn",
          "[store][summary][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend b(dialect);
  TempDir dir;
  StoreOptions o;
  o.path = b.location();
  o.retention = std::chrono::hours(8);
  clock_ns() = 1795300000LL * 1'000'000'000;
  Store s(o, test_now);

  std::mt19937 rng(18);  // seeded: the same churn every run
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> names{"DiskFull", "Latency", "Errors"};
  // Alertmanager leaves out a label without a value: "" stands for no label here.
  const std::vector<std::string> severities{"critical", "page", "warning", "info", "custom", ""};
  const std::vector<std::string> services{"web", "db", ""};
  std::vector<std::vector<Identity>> groups(8);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (int k = 0; k < 5; ++k) {
      json labels{{"alertname", names[static_cast<std::size_t>(pick(3))]},
                  {"instance", "10.0." + std::to_string(g) + "." + std::to_string(k)}};
      if (auto sev = severities[static_cast<std::size_t>(pick(6))]; !sev.empty()) {
        labels["severity"] = sev;
      }
      if (auto svc = services[static_cast<std::size_t>(pick(3))]; !svc.empty()) {
        labels["service"] = svc;
      }
      groups[g].push_back({labels, ""});
    }
  }
  std::int64_t minute = 0;
  for (int step = 0; step < 400; ++step) {
    minute += 1 + pick(3);
    clock_ns() = (1795300000LL + minute * 60) * 1'000'000'000;
    const auto g = static_cast<std::size_t>(pick(8));
    if (step % 37 == 36) {
      // batch-sync reads an alert Alertmanager has resolved (its end has passed).
      json listed = json::array();
      for (auto& id : groups[g]) {
        if (id.starts.empty() || pick(3) != 0) continue;
        json a = webhook_alert(id, "firing", at(minute - 1));
        a.erase("status");
        a["updatedAt"] = at(minute - 1);
        a["receivers"] = json::array({json{{"name", "team"}}});
        a["status"] = {
            {"state", "active"}, {"silencedBy", json::array()}, {"inhibitedBy", json::array()}};
        listed.push_back(a);
        id.starts.clear();
      }
      s.sync(alerting::parse_gettable_alerts(listed, "alerts", {}));
      continue;
    }
    if (step % 97 == 96) s.apply_retention();
    json alerts = json::array();
    bool any_firing = false;
    const bool close_group = pick(12) == 0;  // the group's last alerts resolve together
    for (auto& id : groups[g]) {
      if (close_group) {
        if (id.starts.empty()) continue;
        alerts.push_back(webhook_alert(id, "resolved", at(minute)));
        id.starts.clear();
        continue;
      }
      if (pick(3) != 0) continue;
      if (!id.starts.empty() && pick(2) == 0) {
        alerts.push_back(webhook_alert(id, "resolved", at(minute)));
        id.starts.clear();
      } else {
        if (id.starts.empty()) id.starts = at(minute);
        alerts.push_back(webhook_alert(id, "firing", "0001-01-01T00:00:00Z"));
        any_firing = true;
      }
    }
    if (alerts.empty()) continue;
    // Alertmanager's status is the group's: resolved once nothing in it fires.
    any_firing =
        std::ranges::any_of(groups[g], [](const Identity& id) { return !id.starts.empty(); });
    const auto n = alerting::parse_webhook_json(
        notification("G" + std::to_string(g), any_firing ? "firing" : "resolved", alerts));
    s.ingest(n, "h");
    if (pick(5) == 0) s.ingest(n, "h");  // a redelivery (retry, HA pair)
  }

  const auto kept = summaries(s);
  REQUIRE(kept.size() > 10);
  // The churn reached the cases that matter: incidents partly resolved, and of mixed severity.
  CHECK(std::ranges::any_of(kept, [](const auto& kv) {
    return std::get<1>(kv.second) > 0 && std::get<1>(kv.second) < std::get<0>(kv.second);
  }));
  CHECK(
      std::ranges::any_of(kept, [](const auto& kv) { return std::get<3>(kv.second).size() > 1; }));

  const auto repair = s.repair_summaries();
  CHECK(repair.incidents == static_cast<std::int64_t>(kept.size()));
  CHECK(repair.corrected == 0);
  CHECK(summaries(s) == kept);

  SECTION("a summary that went wrong is corrected by the repair") {
    {
      auto other = b.another();
      other->exec(
          "UPDATE incidents SET firing_count = firing_count + 3, alertnames = '[\"Bogus\"]', "
          "severity = 'info' WHERE id = (SELECT min(id) FROM incidents)");
    }
    CHECK(summaries(s) != kept);
    const auto fixed = s.repair_summaries();
    CHECK(fixed.corrected == 1);
    CHECK(summaries(s) == kept);
  }
  SECTION("through `mock-slack repair-summaries`") {
    std::ostringstream out, err;
    CHECK(run_repair_command({o.path}, out, err) == 0);
    CHECK(out.str() == "repaired 0 of " + std::to_string(kept.size()) + " incidents\n");
    CHECK(err.str().empty());
    CHECK(run_repair_command({(dir.path() / "missing.sqlite").string()}, out, err) == 2);
    CHECK(err.str().find("--db: no database at") != std::string::npos);
  }
}
