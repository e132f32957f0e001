// SliCache (src/sli_cache.cpp) with an injected clock and a counting fetch: one fetch within the
// time to live, again after it or once the incident's end changes, failures kept as well, and at
// most its entries. Against a real Prometheus: tests/pages_sli_test.cpp.
#include "mock_slack/sli_cache.hpp"

#include <catch2/catch.hpp>

namespace mock_slack::testing {
namespace {

struct Counted {
  TimePoint now = TimePoint(std::chrono::hours(24 * 365 * 56));
  int fetches = 0;
  std::string error;  // what the next fetch says went wrong, if anything
  SliCache cache;

  explicit Counted(std::chrono::milliseconds ttl, std::size_t max = 8)
      : cache(ttl, max, [this] { return now; }) {}

  std::shared_ptr<const ui::IncidentSli> get(const ui::IncidentView& incident) {
    return cache.get(incident, [&] {
      ++fetches;
      ui::IncidentSli sli;
      sli.error = error;
      sli.impact_end_ms = fetches;  // which fetch answered
      return sli;
    });
  }
};

ui::IncidentView incident(std::int64_t id) {
  ui::IncidentView v;
  v.id = id;
  v.started_at_ms = 1'000'000;
  v.first_notified_at_ms = 1'030'000;
  v.services = {"portal"};
  return v;
}

}  // namespace

TEST_CASE("the SLI is fetched once within the time to live", "[sli_cache]") {
  Counted c(std::chrono::seconds(10));
  const auto seven = incident(7);
  CHECK(c.get(seven)->impact_end_ms == 1);
  c.now += std::chrono::milliseconds(9999);
  CHECK(c.get(seven)->impact_end_ms == 1);  // the page's <img>, a reload
  CHECK(c.fetches == 1);
  c.now += std::chrono::milliseconds(1);
  CHECK(c.get(seven)->impact_end_ms == 2);
  CHECK(c.get(incident(8))->impact_end_ms == 3);  // another incident is its own
  CHECK(c.fetches == 3);
}

TEST_CASE("a resolution or a reopening fetches the SLI again", "[sli_cache]") {
  Counted c(std::chrono::seconds(10));
  auto view = incident(7);
  c.get(view);
  view.events.push_back({1'100'000, "alice", "resolved", "by hand", nlohmann::json::object()});
  c.get(view);
  CHECK(c.fetches == 2);
  // Reopened: firing again, as at the first fetch, whose answer (up to its time) is still fresh.
  view.events.push_back({1'200'000, "bob", "reopened", "not yet", nlohmann::json::object()});
  CHECK(c.get(view)->impact_end_ms == 1);
  view.resolved_at_ms = 1'300'000;  // Alertmanager resolves it
  CHECK(c.get(view)->impact_end_ms == 3);
  CHECK(c.get(view)->impact_end_ms == 3);
  CHECK(c.fetches == 3);
}

TEST_CASE("a failed fetch is kept too, so that a down Prometheus is not asked by every view",
          "[sli_cache]") {
  Counted c(std::chrono::seconds(10));
  c.error = "connection refused";
  CHECK(c.get(incident(7))->error == "connection refused");
  c.error.clear();
  CHECK(c.get(incident(7))->error == "connection refused");
  CHECK(c.fetches == 1);
  c.now += std::chrono::seconds(10);
  CHECK(c.get(incident(7))->error.empty());
}

TEST_CASE("the cache holds at most its entries, the oldest fetch going first", "[sli_cache]") {
  Counted c(std::chrono::minutes(1), 2);
  c.get(incident(1));
  c.now += std::chrono::seconds(1);
  c.get(incident(2));
  c.now += std::chrono::seconds(1);
  c.get(incident(3));  // 1 goes
  CHECK(c.fetches == 3);
  c.get(incident(2));
  c.get(incident(3));
  CHECK(c.fetches == 3);
  c.get(incident(1));
  CHECK(c.fetches == 4);
}

TEST_CASE("with a time to live of 0 every view fetches", "[sli_cache]") {
  Counted c(std::chrono::milliseconds(0));
  c.get(incident(7));
  c.get(incident(7));
  CHECK(c.fetches == 2);
}

}  // namespace mock_slack::testing
