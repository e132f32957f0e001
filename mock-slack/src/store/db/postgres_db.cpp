// db.hpp's statements on PostgreSQL, through the store's libpq connection (pg/connection.hpp).
#include <vector>

#include "../pg/connection.hpp"
#include "db.hpp"

namespace mock_slack::db {

namespace {

Error from_pg(const pg::Error& e) {
  if (e.transient()) return {e.what(), Error::Kind::transient};
  if (e.sqlstate().starts_with("23")) return {e.what(), Error::Kind::constraint};
  return {e.what(), Error::Kind::other};
}

template <typename F>
auto pg_guarded(F&& f) {
  try {
    return f();
  } catch (const pg::Error& e) {
    throw from_pg(e);
  }
}

class PostgresStatement final : public Statement {
 public:
  PostgresStatement(pg::Connection& c, std::string_view sql)
      : c_(c), sql_(postgres_placeholders(sql)) {}
  void bind(int index, std::int64_t value) override { slot(index) = std::to_string(value); }
  void bind(int index, std::string_view value) override { slot(index) = std::string(value); }
  void bind(int index) override { slot(index) = std::nullopt; }
  bool executeStep() override {
    if (!ran_) {
      run();
      row_ = -1;
    }
    return ++row_ < result_.rows();
  }
  std::int64_t exec() override {
    run();
    const auto n = result_.affected();
    reset();
    return n;
  }
  void reset() override {
    result_ = pg::Result();
    ran_ = false;
  }
  void clearBindings() override {
    for (auto& v : params_) v = std::nullopt;
  }
  bool isNull(int column) const override { return result_.null(row_, column); }
  std::int64_t getInt64(int column) const override {
    // A boolean expression reads as SQLite's 0 or 1.
    const std::string_view t = result_.text(row_, column);
    if (t == "t") return 1;
    if (t == "f") return 0;
    return pg_guarded([&] { return result_.int64(row_, column); });
  }
  std::string getString(int column) const override {
    return std::string(result_.text(row_, column));
  }

 private:
  std::optional<std::string>& slot(int index) {
    if (index < 1) throw Error("parameter index " + std::to_string(index), Error::Kind::other);
    const auto i = static_cast<std::size_t>(index);
    if (params_.size() < i) params_.resize(i);
    return params_[i - 1];
  }
  void run() {
    pg::Params p;
    for (const auto& v : params_) {
      if (v) {
        p.add(std::string_view(*v));
      } else {
        p.add_null();
      }
    }
    result_ = pg_guarded([&] { return c_.run(sql_, p); });
    ran_ = true;
  }

  pg::Connection& c_;
  std::string sql_;
  std::vector<std::optional<std::string>> params_;
  pg::Result result_;
  bool ran_ = false;
  int row_ = -1;
};

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(pg::Connection& c) : c_(c) {}
  Dialect dialect() const override { return Dialect::postgres; }
  std::unique_ptr<Statement> prepare(const Sql& sql) override {
    return std::make_unique<PostgresStatement>(c_, sql.postgres);
  }
  void exec(const Sql& sql) override {
    pg_guarded([&] { c_.exec(sql.postgres); });
  }
  void begin() override { exec("BEGIN"); }
  void commit() override { exec("COMMIT"); }
  void rollback() override {
    try {
      c_.exec("ROLLBACK");
    } catch (const pg::Error&) {
      // A broken connection rolled back with its session; the next call reconnects.
    }
  }

 private:
  pg::Connection& c_;
};

}  // namespace

std::unique_ptr<Connection> over(pg::Connection& c) {
  return std::make_unique<PostgresConnection>(c);
}

std::string postgres_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  std::size_t i = 0;
  auto copy_until = [&](std::string_view end) {
    const std::size_t stop = sql.find(end, i);
    const std::size_t to = stop == std::string_view::npos ? sql.size() : stop + end.size();
    out.append(sql.substr(i, to - i));
    i = to;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      // A quoted string or identifier; a doubled quote inside it is one quote, and copying up to
      // each next quote handles that as two adjacent quoted parts.
      out += c;
      ++i;
      copy_until(std::string_view(&c, 1));
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      copy_until("\n");
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      out += "/*";
      i += 2;
      copy_until("*/");
    } else if (c == '?') {
      ++i;
      std::size_t j = i;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
      int n = 0;
      if (j > i) {
        n = std::stoi(std::string(sql.substr(i, j - i)));
        highest = std::max(highest, n);
      } else {
        n = ++highest;
      }
      out += '$' + std::to_string(n);
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace mock_slack::db
