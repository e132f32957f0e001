// How PostgreSQL runs search() (search_sql.hpp): without statistics no plan reads the whole
// history; with them, a word or prefix few rows hold is read from the GIN index, and a common one
// from the newest rows, which stop at the page. Before, a rare prefix read the whole history
// newest first (13.7 s on 200,000 occurrences); the times are bench/receiver.sh's, the plans and
// the rows they read are checked here.
#include <catch2/catch.hpp>

#include "../src/search_sql.hpp"
#include "mock_slack/search.hpp"
#include "store/backends.hpp"
#include "store/store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

/// The statement's PostgreSQL text with libpq's placeholders ($1 for ?1).
std::string postgres_text(const db::Sql& sql) {
  std::string out(sql.postgres);
  for (std::size_t at = out.find('?'); at != std::string::npos; at = out.find('?', at)) {
    out[at] = '$';
  }
  return out;
}

/// EXPLAIN (ANALYZE) of the alert search for `words` (postgres_words()' JSON), planned with its
/// values, as the store's sessions plan it (plan_cache_mode = force_custom_plan).
std::string alert_plan(pg::Connection& c, const char* words) {
  const pg::Result r =
      c.exec("EXPLAIN (ANALYZE, TIMING OFF) " + postgres_text(search_sql::kAlertsSql),
             pg::Params().add(words).add(std::int64_t{50}));
  std::string plan;
  for (int row = 0; row < r.rows(); ++row) plan += std::string(r.text(row, 0)) + "\n";
  return plan;
}

/// The most rows one node of `plan` read and threw away.
long most_removed(const std::string& plan) {
  long most = 0;
  const std::string key = "Rows Removed by Filter: ";
  for (auto at = plan.find(key); at != std::string::npos; at = plan.find(key, at + 1)) {
    most = std::max(most, std::stol(plan.substr(at + key.size())));
  }
  return most;
}

}  // namespace

TEST_CASE("search on PostgreSQL never reads the whole history, whatever the planner knows",
          "[search][pg]") {
  Backend b(db::Dialect::postgres);
  StoreOptions o;
  o.path = b.location();
  set_clock("2026-11-21T22:01:00Z");
  Store s(o, test_now);
  // 30,000 occurrences, as mock_slack_bench populate writes them: 10 alert names, 10 services,
  // 2,560 addresses; each summary has its own number. Autovacuum stays away: the planner has no
  // statistics until the test gathers them.
  pg::Connection c(b.location());
  c.exec("ALTER TABLE occurrences SET (autovacuum_enabled = false)");
  c.exec(
      "INSERT INTO occurrences (fingerprint, starts_at, status, alertname, severity, service, "
      "labels, annotations, generator_url, receiver, times_notified, suppressed_state, "
      "silenced_by, inhibited_by, source) SELECT to_hex(x), x, 'firing', 'Bench' || (x % 10), "
      "'page', 'svc' || (x % 10), json_build_object('instance', '10.1.' || (x % 256) || '.' || "
      "(x % 10), 'service', 'svc' || (x % 10))::text, json_build_object('summary', "
      "'bench alert ' || x)::text, '', 'bench', 1, 'active', '[]', '[]', 'webhook' "
      "FROM generate_series(1, 30000) x");
  const char* rare_prefix = R"([{"t":"1234","p":true}])";
  const char* rare_word = R"([{"t":"12345","p":false}])";
  const std::vector<const char*> common{R"([{"t":"Bench3","p":false}])",
                                        R"([{"t":"Bench","p":true}])",
                                        R"([{"t":"svc3","p":false},{"t":"10.1","p":false}])"};

  SECTION("without statistics, a rare word reads at most the newest 10,000 rows") {
    // Before, the planner's default estimate (2% for a prefix) read all 30,000 newest first.
    for (const char* words : {rare_prefix, rare_word, common[0], common[1], common[2]}) {
      const std::string plan = alert_plan(c, words);
      CAPTURE(words, plan);
      CHECK(most_removed(plan) <= 10000);
    }
  }
  SECTION("with statistics, a rare word is read from the index, a common one newest first") {
    c.exec("VACUUM ANALYZE occurrences");  // as autovacuum leaves it: the GIN pending list merged
    for (const char* words : {rare_prefix, rare_word}) {
      const std::string plan = alert_plan(c, words);
      CAPTURE(words, plan);
      CHECK(plan.find("Bitmap Index Scan on occurrences_search") != std::string::npos);
      CHECK(most_removed(plan) < 100);
    }
    for (const char* words : common) {
      const std::string plan = alert_plan(c, words);
      CAPTURE(words, plan);
      CHECK(plan.find("Index Scan Backward using occurrences_pkey") != std::string::npos);
      CHECK(most_removed(plan) < 1000);
    }
  }

  // The store finds them, newest first, across the two steps: 1234 and 12340-12349 are older
  // than the newest 10,000 rows; of 2000 and 20000-20009, nine are among them.
  CHECK(search(s, fts_query("1234*"), 50).size() == 11);
  std::vector<std::int64_t> ids;
  for (const auto& h : search(s, fts_query("2000*"), 50)) ids.push_back(h.id);
  CHECK(ids == std::vector<std::int64_t>{20009, 20008, 20007, 20006, 20005, 20004, 20003, 20002,
                                         20001, 20000, 2000});
  CHECK(search(s, fts_query("Bench3"), 50).size() == 50);
}
