// How PostgreSQL plans search() (search_sql.hpp) on a history it has statistics of: a word or
// prefix few rows hold is read from the GIN index; a common one from the newest rows, which stop
// at the page. Before migration 11 a rare prefix read the whole history newest first (13.7 s on
// 200,000 occurrences); the time is bench/receiver.sh's, the plan is checked here.
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

/// EXPLAIN of the alert search for `words` (postgres_words()' JSON), planned with its values, as
/// the store's sessions plan it (plan_cache_mode = force_custom_plan).
std::string alert_plan(pg::Connection& c, const char* words) {
  const pg::Result r = c.exec("EXPLAIN " + postgres_text(search_sql::kAlertsSql),
                              pg::Params().add(words).add(std::int64_t{50}));
  std::string plan;
  for (int row = 0; row < r.rows(); ++row) plan += std::string(r.text(row, 0)) + "\n";
  return plan;
}

}  // namespace

TEST_CASE(
    "search on PostgreSQL reads the index for a rare word and the newest rows for a common one",
    "[search][pg]") {
  Backend b(db::Dialect::postgres);
  StoreOptions o;
  o.path = b.location();
  set_clock("2026-11-21T22:01:00Z");
  Store s(o, test_now);
  // 20,000 occurrences, as mock_slack_bench populate writes them: 10 alert names, 10 services,
  // 2,560 addresses; each summary has its own number.
  pg::Connection c(b.location());
  c.exec(
      "INSERT INTO occurrences (fingerprint, starts_at, status, alertname, severity, service, "
      "labels, annotations, generator_url, receiver, times_notified, suppressed_state, "
      "silenced_by, inhibited_by, source) SELECT to_hex(x), x, 'firing', 'Bench' || (x % 10), "
      "'page', 'svc' || (x % 10), json_build_object('instance', '10.1.' || (x % 256) || '.' || "
      "(x % 10), 'service', 'svc' || (x % 10))::text, json_build_object('summary', "
      "'bench alert ' || x)::text, '', 'bench', 1, 'active', '[]', '[]', 'webhook' "
      "FROM generate_series(1, 20000) x");
  c.exec("VACUUM ANALYZE occurrences");  // as autovacuum leaves it: the GIN pending list merged

  const std::string rare_prefix = alert_plan(c, R"([{"t":"1234","p":true}])");
  CAPTURE(rare_prefix);
  CHECK(rare_prefix.find("Bitmap Index Scan on occurrences_search") != std::string::npos);
  const std::string rare_word = alert_plan(c, R"([{"t":"12345","p":false}])");
  CAPTURE(rare_word);
  CHECK(rare_word.find("Bitmap Index Scan on occurrences_search") != std::string::npos);
  for (const char* common : {R"([{"t":"Bench3","p":false}])", R"([{"t":"Bench","p":true}])",
                             R"([{"t":"svc3","p":false},{"t":"10.1","p":false}])"}) {
    const std::string plan = alert_plan(c, common);
    CAPTURE(common, plan);
    CHECK(plan.find("Index Scan Backward using occurrences_pkey") != std::string::npos);
  }

  // And the store finds them: 1234 and 12340-12349.
  const auto hits = search(s, fts_query("1234*"), 50);
  CHECK(hits.size() == 11);
  CHECK(search(s, fts_query("Bench3"), 50).size() == 50);
}
