// The libpq connection of the PostgreSQL store (src/store/pg/connection.hpp), against a real
// server: parameters and NULLs, errors and which of them may pass, a server that goes away and
// comes back, and passwords kept out of messages.
#include <catch2/catch.hpp>
#include <limits>

#include "../../src/store/pg/connection.hpp"
#include "pg_server.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("pg: parameters and results round-trip as text, NULL included", "[pg]") {
  PgServer server;
  pg::Connection c(server.uri());
  const auto big = std::numeric_limits<std::int64_t>::max();
  const auto r = c.exec("SELECT $1::bigint, $2::text, $3::bigint, $4::bigint",
                        pg::Params()
                            .add(big)
                            .add("it's \"quoted\"; DROP TABLE x; -- ünïcödé")
                            .add_null()
                            .add(std::optional<std::int64_t>(-1)));
  REQUIRE(r.rows() == 1);
  CHECK(r.int64(0, 0) == big);
  CHECK(r.text(0, 1) == "it's \"quoted\"; DROP TABLE x; -- ünïcödé");
  CHECK(r.null(0, 2));
  CHECK_FALSE(r.optional_int64(0, 2).has_value());
  CHECK(r.optional_int64(0, 3) == -1);
  SECTION("a prepared statement runs again with other parameters") {
    for (std::int64_t i = 0; i < 3; ++i) {
      CHECK(c.run("SELECT $1::bigint * 2", pg::Params().add(i)).int64(0, 0) == 2 * i);
    }
  }
  SECTION("affected rows") {
    c.exec("CREATE TABLE t (id BIGINT PRIMARY KEY)");
    CHECK(c.exec("INSERT INTO t SELECT generate_series(1, 5)").affected() == 5);
    CHECK(c.exec("DELETE FROM t WHERE id > $1", pg::Params().add(std::int64_t{3})).affected() == 2);
  }
}

TEST_CASE("pg: errors carry their SQLSTATE, and say whether they may pass", "[pg]") {
  PgServer server;
  pg::Connection c(server.uri());
  c.exec("CREATE TABLE t (id BIGINT PRIMARY KEY)");
  c.exec("INSERT INTO t VALUES (1)");
  auto error_of = [&](const char* sql) {
    try {
      c.exec(sql);
    } catch (const pg::Error& e) {
      return e;
    }
    FAIL("no error from " << sql);
    return pg::Error("", "");
  };
  const auto unique = error_of("INSERT INTO t VALUES (1)");
  CHECK(unique.sqlstate() == "23505");
  CHECK_FALSE(unique.transient());
  const auto syntax = error_of("SELEC 1");
  CHECK(syntax.sqlstate() == "42601");
  CHECK_FALSE(syntax.transient());
  CHECK(std::string(syntax.what()).find("syntax error") != std::string::npos);
  // The connection is still usable after a statement's error.
  CHECK(c.exec("SELECT count(*) FROM t").int64(0, 0) == 1);
  SECTION("a transaction rolls back unless committed") {
    {
      pg::Transaction tx(c);
      c.exec("INSERT INTO t VALUES (2)");
    }
    CHECK(c.exec("SELECT count(*) FROM t").int64(0, 0) == 1);
    {
      pg::Transaction tx(c);
      c.exec("INSERT INTO t VALUES (2)");
      tx.commit();
    }
    CHECK(c.exec("SELECT count(*) FROM t").int64(0, 0) == 2);
    CHECK(c.healthy());
  }
  SECTION("a read-only transaction refuses writes as a standby would: transient") {
    pg::Transaction tx(c);
    c.exec("SET TRANSACTION READ ONLY");
    const auto ro = error_of("INSERT INTO t VALUES (3)");
    CHECK(ro.sqlstate() == "25006");
    CHECK(ro.transient());
  }
}

TEST_CASE("pg: a server that goes away is a transient error, and the connection comes back",
          "[pg]") {
  PgServer server;
  pg::Connection c(server.uri());
  CHECK(c.exec("SHOW plan_cache_mode").text(0, 0) == "force_custom_plan");
  c.exec("CREATE TABLE t (id BIGINT)");
  c.run("INSERT INTO t VALUES ($1)", pg::Params().add(std::int64_t{1}));
  server.stop();
  try {
    c.exec("SELECT 1");
    FAIL("the stopped server answered");
  } catch (const pg::Error& e) {
    CHECK(e.transient());
  }
  CHECK_FALSE(c.healthy());
  // While it is down, each call fails fast with a transient error rather than hanging.
  try {
    c.exec("SELECT 1");
    FAIL("the stopped server answered");
  } catch (const pg::Error& e) {
    CHECK(e.transient());
    CHECK(std::string(e.what()).find("cannot connect to PostgreSQL") != std::string::npos);
  }
  server.start();
  // The next call reconnects by itself; statements are prepared again on the new session.
  c.run("INSERT INTO t VALUES ($1)", pg::Params().add(std::int64_t{2}));
  CHECK(c.exec("SELECT count(*) FROM t").int64(0, 0) == 2);
  CHECK(c.healthy());
  // The new session plans each run for its values, as the first did.
  CHECK(c.exec("SHOW plan_cache_mode").text(0, 0) == "force_custom_plan");
}

TEST_CASE("pg: a connection string that is wrong says so, without its password", "[pg]") {
  PgServer server;
  try {
    pg::Connection c(server.uri() + "&dbname=nosuchdb&password=hunter2");
    FAIL("connected");
  } catch (const pg::Error& e) {
    const std::string what = e.what();
    CHECK(what.find("nosuchdb") != std::string::npos);
    CHECK(what.find("hunter2") == std::string::npos);
  }
  try {
    pg::Connection c("postgresql://nobody:hunter2@/firedrill?host=/nonexistent-dir");
    FAIL("connected");
  } catch (const pg::Error& e) {
    CHECK(e.transient());
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }
}

TEST_CASE("pg: redact hides passwords in URIs and key=value strings", "[pg]") {
  CHECK(pg::redact("postgresql://app:s3cr%40t@db.example:5432/hist?sslmode=require") ==
        "postgresql://app:***@db.example:5432/hist?sslmode=require");
  CHECK(pg::redact("postgres://db/hist?user=app&password=s3cret&sslmode=require") ==
        "postgres://db/hist?user=app&password=***&sslmode=require");
  CHECK(pg::redact("host=db user=app password='a b\\'c' dbname=hist") ==
        "host=db user=app password=*** dbname=hist");
  CHECK(pg::redact("host=db password = s3cret") == "host=db password = ***");
  CHECK(pg::redact("postgresql://app@db/hist") == "postgresql://app@db/hist");
  CHECK(pg::redact("host=db user=mypassword") == "host=db user=mypassword");
}
