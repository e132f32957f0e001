#pragma once
// One libpq connection to PostgreSQL, for mock-slack's PostgreSQL store: parameterised queries
// (text in, text out), statements prepared once per connection, and errors that say whether they
// may pass (a lost connection, a failover, a deadlock: answer 503 and retry) or are the request's
// fault. A connection that breaks is reopened by the next call. Not thread-safe: one owner at a
// time. Internal to mock-slack's store.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace mock_slack::pg {

/// A libpq connection URI or key=value string with its password replaced by "***", for logs and
/// errors.
std::string redact(std::string_view conninfo);

/// Whether an error with this SQLSTATE may pass, so that the request should be retried: the
/// connection (class 08), a server shutting down or starting (57P01-57P03), a serialization
/// failure or deadlock (40001, 40P01), a lock not available (55P03), a read-only transaction (a
/// standby after a failover, 25006), insufficient resources (class 53) or a system error (58).
/// An empty SQLSTATE is an error libpq raised itself (no server answer): transient.
bool transient_sqlstate(std::string_view sqlstate);

/// An error from the server or the connection.
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, std::string sqlstate)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool transient() const { return transient_sqlstate(sqlstate_); }

 private:
  std::string sqlstate_;
};

/// A query's result: rows of text columns.
class Result {
 public:
  Result() = default;
  explicit Result(pg_result* r);
  int rows() const;
  int columns() const;
  bool null(int row, int column) const;
  std::string_view text(int row, int column) const;
  std::int64_t int64(int row, int column) const;  ///< throws Error when not an integer
  std::optional<std::int64_t> optional_int64(int row, int column) const;
  /// Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;

 private:
  struct Free {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Free> r_;
};

/// Parameters of a query, in order ($1, $2, ...), sent as text.
class Params {
 public:
  Params& add(std::int64_t v);
  Params& add(std::string_view v);
  Params& add(const char* v) { return add(std::string_view(v)); }
  Params& add(const std::optional<std::int64_t>& v);
  Params& add_null();
  std::size_t size() const { return values_.size(); }
  const std::optional<std::string>& operator[](std::size_t i) const { return values_[i]; }

 private:
  std::vector<std::optional<std::string>> values_;
};

class Connection {
 public:
  /// Connects; throws Error (transient when the server cannot be reached) naming the server,
  /// without its password.
  explicit Connection(std::string conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs `sql` (one statement, or several without parameters). Throws Error.
  Result exec(std::string_view sql, const Params& params = {});
  /// Runs the statement `sql`, prepared on this connection the first time it runs this text.
  Result run(std::string_view sql, const Params& params = {});
  /// Whether the connection is open and idle outside a transaction.
  bool healthy() const;
  /// Closes a broken connection and opens a new one. Throws Error.
  void reconnect();
  const std::string& conninfo() const { return conninfo_; }

 private:
  void open();
  /// Checks a result; closes the connection when it broke. Throws Error.
  Result check(pg_result* r, std::string_view what);
  std::string conninfo_;
  pg_conn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  ///< text to name
};

/// A transaction on a connection: BEGIN now, ROLLBACK unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace mock_slack::pg
