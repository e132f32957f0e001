#pragma once
// The statements of mock-slack's store, whichever database runs them: SQLite (a file) or
// PostgreSQL (a server shared by replicas). The store's rooms write their logic once against
// this, with SQLiteCpp's names (bind, executeStep, exec, reset, getInt64, getString, isNull), so
// that both back ends have the same semantics by construction; only a statement whose SQL differs
// between the dialects (JSON functions, string aggregates) carries a text for each (Sql).
// Placeholders are SQLite's: `?` in order, or `?N`; PostgreSQL's statements get `$N`.
// Internal to mock-slack's store.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace SQLite {
class Database;
}  // namespace SQLite

namespace mock_slack::pg {
class Connection;
}  // namespace mock_slack::pg

namespace mock_slack::db {

enum class Dialect { sqlite, postgres };

/// A statement's text in each dialect; most statements have one text for both.
struct Sql {
  std::string_view sqlite;
  std::string_view postgres;
  constexpr Sql(const char* both) : sqlite(both), postgres(both) {}  // NOLINT: implicit
  constexpr Sql(std::string_view s, std::string_view p) : sqlite(s), postgres(p) {}
  std::string_view in(Dialect d) const { return d == Dialect::sqlite ? sqlite : postgres; }
};

/// A database error, from either back end.
class Error : public std::runtime_error {
 public:
  enum class Kind {
    transient,   ///< may pass (lock, busy, I/O, full disk, lost connection, failover): retry
    constraint,  ///< a UNIQUE, CHECK or NOT NULL constraint refused the row
    other,       ///< a mistake in the statement or the data
  };
  Error(const std::string& message, Kind kind) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }
  bool transient() const { return kind_ == Kind::transient; }

 private:
  Kind kind_;
};

/// A prepared statement. Columns are numbered from 0, parameters from 1. Throws Error.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual void bind(int index, std::int64_t value) = 0;
  virtual void bind(int index, std::string_view value) = 0;  ///< copied
  void bind(int index, const std::string& value) { bind(index, std::string_view(value)); }
  void bind(int index, const char* value) { bind(index, std::string_view(value)); }
  virtual void bind(int index) = 0;  ///< NULL
  void bind(int index, const std::optional<std::int64_t>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind(index);
    }
  }
  /// Runs the statement (on the first call) and moves to its next row; false after the last.
  virtual bool executeStep() = 0;
  /// Runs a statement that returns no rows to its end; returns the rows it changed.
  virtual std::int64_t exec() = 0;
  /// Makes the statement ready to run again, keeping its bindings; frees what it read.
  virtual void reset() = 0;
  /// Sets every parameter to NULL.
  virtual void clearBindings() = 0;
  virtual bool isNull(int column) const = 0;
  virtual std::int64_t getInt64(int column) const = 0;
  virtual std::string getString(int column) const = 0;
  std::optional<std::int64_t> optionalInt64(int column) const {
    if (isNull(column)) return std::nullopt;
    return getInt64(column);
  }
};

/// One connection. Not thread-safe: one owner at a time. Throws Error.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  virtual std::unique_ptr<Statement> prepare(const Sql& sql) = 0;
  /// Runs statements without parameters or results (DDL, BEGIN).
  virtual void exec(const Sql& sql) = 0;
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;  ///< never throws
};

/// The store's statements on an open SQLite database, which must outlive the connection.
std::unique_ptr<Connection> over(SQLite::Database& db);
/// The store's statements on an open PostgreSQL connection, which must outlive this one.
std::unique_ptr<Connection> over(pg::Connection& c);

/// `sql` with SQLite's placeholders (`?`, `?N`) written as PostgreSQL's (`$N`), outside quoted
/// strings, identifiers and comments.
std::string postgres_placeholders(std::string_view sql);

/// Resets a cached statement when entering and leaving scope, so that it never holds a read
/// snapshot (SQLite) or a result (PostgreSQL) between uses.
class Use {
 public:
  explicit Use(Statement& s) : s_(s) { s_.reset(); }
  ~Use() { s_.reset(); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  Statement* operator->() { return &s_; }

 private:
  Statement& s_;
};

/// A transaction: begin() now, rollback() unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) { c_.begin(); }
  ~Transaction() {
    if (!done_) c_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    done_ = true;
    c_.commit();
  }

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace mock_slack::db
