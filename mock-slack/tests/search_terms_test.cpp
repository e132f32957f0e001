// The dictionary of search terms (search_terms.hpp, schema migration 10) on a real listener and a
// real SQLite file: a long prefix is searched as the OR of the terms it starts and finds exactly
// what FTS5's own prefix search finds, whatever the case; one that starts too many terms, or is
// not one ASCII token, is left to FTS5; the indexer adds the terms of new and changed rows; and
// migration 10 fills the dictionary from an index that exists.
#include "../src/search_terms.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <set>

#include "helpers.hpp"
#include "mock_slack/search.hpp"
#include "mock_slack_ui/html.hpp"
#include "schema_at.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

/// Posts one firing notification of alerts named `names`, with `summary` as their summary.
void post_alerts(const Running& r, const std::vector<std::string>& names,
                 const std::string& summary = "a summary") {
  json alerts = json::array();
  for (const auto& n : names) {
    json a = alert(n, "firing", "2026-12-01T11:00:00Z", "0001-01-01T00:00:00Z",
                   {{"instance", "host-" + n}});
    a["annotations"]["summary"] = summary;
    alerts.push_back(std::move(a));
  }
  auto res = r.post("/webhook", notification("G", "firing", std::move(alerts)));
  REQUIRE(res);
  REQUIRE(res->status == 200);
}

/// The ids of the alerts GET /api/v1/search?q= finds.
std::set<std::int64_t> found(const Running& r, const std::string& q) {
  const json j = r.get("/api/v1/search?q=" + ui::url_encode(q) + "&limit=200");
  std::set<std::int64_t> ids;
  for (const auto& h : j["data"]) {
    if (h["type"] == "alert") ids.insert(h["id"].get<std::int64_t>());
  }
  return ids;
}

/// What FTS5's own prefix search finds for `expression`, on the file itself.
std::set<std::int64_t> fts5_finds(const Running& r, const std::string& expression) {
  SQLite::Database db(r.store.options().path, SQLite::OPEN_READONLY);
  SQLite::Statement s(db, "SELECT rowid FROM search_occurrences WHERE search_occurrences MATCH ?");
  s.bind(1, expression);
  std::set<std::int64_t> ids;
  while (s.executeStep()) ids.insert(s.getColumn(0).getInt64());
  return ids;
}

/// expand_prefixes() of what a user typed, on the store's read connection.
std::string expanded(const Running& r, const std::string& typed) {
  std::string out;
  r.store.read_db(
      [&](db::Connection& c) { out = search_terms::expand_prefixes(c, fts_query(typed)); });
  return out;
}

}  // namespace

TEST_CASE("a long prefix is searched as the OR of the terms it starts, and finds what FTS5 finds",
          "[search]") {
  Running r;
  set_clock("2026-12-01T12:00:00Z");
  post_alerts(r, {"Alert1", "Alert10", "ALERT11b", "Alert2", "Alerting", "Ålert1x", "alert1-eu"},
              "see alert1's runbook");
  post_alerts(r, {"Other"}, "nothing to see");
  REQUIRE(index_pending(r.store) == 8);

  // The terms it starts, folded as the index folds them (case, diacritics), in order.
  CHECK(expanded(r, "Alert1*") == "(\"alert1\" OR \"alert10\" OR \"alert11b\" OR \"alert1x\")");
  CHECK(expanded(r, "aLeRt1* runbook") ==
        "(\"alert1\" OR \"alert10\" OR \"alert11b\" OR \"alert1x\") AND \"runbook\"");
  // It finds what FTS5's prefix search finds: the names, "alert1" in a summary and in a label
  // value ("alert1-eu" is two tokens), the one whose Å the index folded.
  const auto ids = found(r, "Alert1*");
  CHECK(ids.size() == 7);  // every one with the summary
  CHECK(ids == fts5_finds(r, "\"alert1\"*"));
  CHECK(found(r, "alert10*") == fts5_finds(r, "\"alert10\"*"));
  CHECK(found(r, "alert10*").size() == 1);
  CHECK(found(r, "Alerti*") == fts5_finds(r, "\"alerti\"*"));
  CHECK(found(r, "Alerti*").size() == 1);
  CHECK(found(r, "alert1* nothing").empty());
  CHECK(found(r, "other* nothing").size() == 1);

  // Left to FTS5: 2 and 3 characters (its prefix index), a prefix of no term, a word of several
  // tokens, one that is not ASCII, one that starts with a digit.
  for (const std::string typed : {"Al*", "Ale*", "Alertz*", "alert1-e*", "Ålert*", "1alert*"}) {
    CAPTURE(typed);
    CHECK(expanded(r, typed) == fts_query(typed));
  }
  CHECK(found(r, "Ålert*") == fts5_finds(r, "\"ålert\"*"));
  CHECK(found(r, "alert1-e*").size() == 1);
}

TEST_CASE("a prefix that starts more terms than the dictionary replaces is left to FTS5",
          "[search]") {
  Running r;
  set_clock("2026-12-01T12:00:00Z");
  std::vector<std::string> names;
  for (std::size_t i = 0; i <= search_terms::kMaxTerms; ++i)
    names.push_back("Many" + std::to_string(i));
  post_alerts(r, names);
  CHECK(expanded(r, "Many*") == fts_query("Many*"));
  CHECK(found(r, "Many*").size() == search_terms::kMaxTerms + 1);
  // One fewer is replaced, and finds the same.
  CHECK(expanded(r, "Many1*").starts_with("(\"many1\" OR \"many10\""));
  CHECK(found(r, "Many1*") == fts5_finds(r, "\"many1\"*"));
}

TEST_CASE("the indexer adds the terms of new and changed occurrences", "[search]") {
  Running r;
  set_clock("2026-12-01T12:00:00Z");
  post_alerts(r, {"Zebra"}, "striped");
  CHECK(found(r, "strip*").size() == 1);  // a search indexes what waits first
  // The same occurrence, reworded: queued by the update trigger, indexed with its new terms.
  post_alerts(r, {"Zebra"}, "spotted");
  CHECK(found(r, "spott*").size() == 1);
  CHECK(found(r, "strip*").empty());
  CHECK(expanded(r, "spott*") == "(\"spotted\")");
  SQLite::Database db(r.store.options().path, SQLite::OPEN_READONLY);
  // The old word's term stays in the dictionary, and matches nothing.
  CHECK(db.execAndGet("SELECT count(*) FROM search_terms WHERE term = 'striped'").getInt() == 1);
  // Short terms and numbers are not kept.
  CHECK(db.execAndGet("SELECT count(*) FROM search_terms WHERE length(term) < 4 OR term < 'a'")
            .getInt() == 0);
}

TEST_CASE("migration 10 fills the dictionary from the index a version 9 database holds",
          "[search][store]") {
  TempDir dir;
  StoreOptions o;
  o.path = (dir.path() / "db.sqlite").string();
  {
    SQLite::Database db(o.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    migrate_by_hand(db, 9);
    db.exec(
        "INSERT INTO occurrences (id, fingerprint, starts_at, status, alertname, severity, "
        "service, labels, annotations, generator_url, receiver, times_notified, "
        "suppressed_state, silenced_by, inhibited_by, source) VALUES (42, 'fp', "
        "1795300000000000000, 'firing', 'CertificateExpiring', 'ticket', 'edge', "
        "'{\"alertname\":\"CertificateExpiring\",\"host\":\"Edge-Proxy\"}', "
        "'{\"summary\":\"renew it\"}', '', 'team', 1, 'active', '[]', '[]', 'webhook')");
    // What schema 9's indexer did with it.
    db.exec(
        "INSERT INTO search_occurrences (rowid, alertname, labels, annotations) SELECT id, "
        "alertname, labels, annotations FROM search_occurrence_text");
    db.exec("UPDATE search_watermark SET occurrences_through = 42");
  }
  Store store(o, test_now);
  CHECK(store.schema_version() == kSchemaVersion);
  std::vector<std::string> terms;
  {
    SQLite::Database db(o.path, SQLite::OPEN_READONLY);
    SQLite::Statement s(db, "SELECT term FROM search_terms ORDER BY term");
    while (s.executeStep()) terms.push_back(s.getColumn(0).getString());
  }
  CHECK(terms == std::vector<std::string>{"certificateexpiring", "edge", "proxy", "renew"});
  std::string expression;
  store.read_db([&](db::Connection& c) {
    expression = search_terms::expand_prefixes(c, fts_query("Certif*"));
  });
  CHECK(expression == "(\"certificateexpiring\")");
  CHECK(search(store, fts_query("Certif*"), 10).size() == 1);
}
