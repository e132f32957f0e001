// /readyz follows the store's write probe (store_readiness.cpp) on a real SQLite file.
#include "mock_slack/store_readiness.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("/readyz answers 503 while the store cannot write, 200 once it can", "[readiness]") {
  StoreOptions so;
  so.busy_timeout_ms = 20;
  Running r({}, so);
  StoreReadiness readiness(r.store, r.service.probes(), std::chrono::milliseconds(0),
                           &r.service.metrics().registry());
  auto ready = [&r] {
    auto res = r.running.ops().Get("/readyz");
    REQUIRE(res);
    return res->status;
  };
  auto writable = [&r] {
    auto res = r.running.ops().Get("/metrics");
    REQUIRE(res);
    const auto at = res->body.find("\nmockslack_store_writable ");
    REQUIRE(at != std::string::npos);
    return res->body.substr(at + 26, 2) == "1\n";
  };
  CHECK(readiness.probe());
  CHECK(ready() == 200);
  CHECK(writable());
  {
    // Another process holds the write lock: the probe cannot commit.
    SQLite::Database other(r.store.options().path, SQLite::OPEN_READWRITE);
    SQLite::Transaction lock(other, SQLite::TransactionBehavior::IMMEDIATE);
    CHECK_FALSE(readiness.probe());
    CHECK(ready() == 503);
    CHECK_FALSE(writable());
    CHECK(r.store.probe_write().find("database is locked") != std::string::npos);
  }
  CHECK(readiness.probe());
  CHECK(ready() == 200);
  CHECK(writable());
}

TEST_CASE("the write probe really writes: a read-only database file fails it", "[readiness]") {
  Running r;
  CHECK(r.store.probe_write().empty());
  SQLite::Database check(r.store.options().path, SQLite::OPEN_READONLY);
  CHECK(check.execAndGet("SELECT count(*) FROM store_probe").getInt() == 1);
}
