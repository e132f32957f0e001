#pragma once
// Both back ends of the store for one test: `GENERATE(db::Dialect::sqlite, db::Dialect::postgres)`
// picks one, and Backend opens it (a SQLite file in a temporary folder, or a scratch PostgreSQL
// server of the test's own, tests/pg-server), so that one test body checks both.

#include <SQLiteCpp/SQLiteCpp.h>

#include <memory>
#include <optional>

#include "../../src/store/db/db.hpp"
#include "../../src/store/pg/connection.hpp"
#include "../helpers.hpp"
#include "pg_server.hpp"

namespace mock_slack::testing {

inline const char* name_of(db::Dialect d) {
  return d == db::Dialect::sqlite ? "sqlite" : "postgres";
}

class Backend {
 public:
  explicit Backend(db::Dialect d) {
    if (d == db::Dialect::sqlite) {
      sqlite_.emplace((dir_.path() / "db.sqlite").string(),
                      SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      connection_ = db::over(*sqlite_);
    } else {
      server_ = std::make_unique<PgServer>();
      pg_.emplace(server_->uri());
      connection_ = db::over(*pg_);
    }
  }
  db::Connection& db() { return *connection_; }
  /// The store's location: the SQLite file, or the PostgreSQL URI.
  std::string location() const {
    return server_ ? server_->uri() : (dir_.path() / "db.sqlite").string();
  }
  /// A second connection to the same database, as another replica would open.
  std::unique_ptr<db::Connection> another() {
    if (server_) {
      others_pg_.push_back(std::make_unique<pg::Connection>(server_->uri()));
      return db::over(*others_pg_.back());
    }
    others_sqlite_.push_back(std::make_unique<SQLite::Database>(
        (dir_.path() / "db.sqlite").string(), SQLite::OPEN_READWRITE));
    others_sqlite_.back()->setBusyTimeout(5000);
    return db::over(*others_sqlite_.back());
  }
  PgServer* server() { return server_.get(); }

 private:
  TempDir dir_;
  std::optional<SQLite::Database> sqlite_;
  std::unique_ptr<PgServer> server_;
  std::optional<pg::Connection> pg_;
  std::vector<std::unique_ptr<pg::Connection>> others_pg_;
  std::vector<std::unique_ptr<SQLite::Database>> others_sqlite_;
  std::unique_ptr<db::Connection> connection_;
};

}  // namespace mock_slack::testing
