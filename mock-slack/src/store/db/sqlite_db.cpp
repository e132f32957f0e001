// db.hpp's statements on SQLite, through SQLiteCpp.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "../sqlite.hpp"
#include "db.hpp"

namespace mock_slack::db {

namespace {

Error from_sqlite(const SQLite::Exception& e) {
  if (sqlite::transient(e)) return {e.what(), Error::Kind::transient};
  if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) return {e.what(), Error::Kind::constraint};
  return {e.what(), Error::Kind::other};
}

template <typename F>
auto sqlite_guarded(F&& f) {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    throw from_sqlite(e);
  }
}

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(SQLite::Database& db, std::string_view sql)
      : s_(sqlite_guarded([&] { return SQLite::Statement(db, std::string(sql)); })) {}
  void bind(int index, std::int64_t value) override {
    sqlite_guarded([&] { s_.bind(index, static_cast<int64_t>(value)); });
  }
  void bind(int index, std::string_view value) override {
    sqlite_guarded(
        [&] { s_.bind(index, std::string(value)); });  // as TEXT (a pointer binds a BLOB)
  }
  void bind(int index) override {
    sqlite_guarded([&] { s_.bind(index); });
  }
  bool executeStep() override {
    // Past the last row it stays there, as on PostgreSQL, until reset.
    if (s_.isDone()) return false;
    return sqlite_guarded([&] { return s_.executeStep(); });
  }
  std::int64_t exec() override {
    s_.tryReset();
    const auto n = sqlite_guarded([&] { return static_cast<std::int64_t>(s_.exec()); });
    s_.tryReset();
    return n;
  }
  void reset() override { s_.tryReset(); }
  void clearBindings() override { s_.clearBindings(); }
  bool isNull(int column) const override {
    return sqlite_guarded([&] { return s_.getColumn(column).isNull(); });
  }
  std::int64_t getInt64(int column) const override {
    return sqlite_guarded(
        [&] { return static_cast<std::int64_t>(s_.getColumn(column).getInt64()); });
  }
  std::string getString(int column) const override {
    return sqlite_guarded([&] { return s_.getColumn(column).getString(); });
  }

 private:
  SQLite::Statement s_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(SQLite::Database& db) : db_(db) {}
  Dialect dialect() const override { return Dialect::sqlite; }
  std::unique_ptr<Statement> prepare(const Sql& sql) override {
    return std::make_unique<SqliteStatement>(db_, sql.sqlite);
  }
  void exec(const Sql& sql) override {
    sqlite_guarded([&] { db_.exec(std::string(sql.sqlite)); });
  }
  void begin() override { exec("BEGIN IMMEDIATE"); }
  void commit() override { exec("COMMIT"); }
  void rollback() override {
    try {
      db_.exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
      // Nothing to roll back: SQLite already did, after the error that brought us here.
    }
  }

 private:
  SQLite::Database& db_;
};

}  // namespace

std::unique_ptr<Connection> over(SQLite::Database& db) {
  return std::make_unique<SqliteConnection>(db);
}

}  // namespace mock_slack::db
