// One libpq connection (connection.hpp).
#include "connection.hpp"

#include <libpq-fe.h>

#include <array>
#include <charconv>

#include "firedrill/text.hpp"

namespace mock_slack::pg {

namespace {

/// What follows `key=` in a key=value connection string, quoted or not: [begin, end).
std::pair<std::size_t, std::size_t> value_span(std::string_view s, std::size_t begin) {
  while (begin < s.size() && s[begin] == ' ') ++begin;
  std::size_t end = begin;
  if (end < s.size() && s[end] == '\'') {
    for (++end; end < s.size() && s[end] != '\''; ++end) {
      if (s[end] == '\\') ++end;
    }
    if (end < s.size()) ++end;
  } else {
    while (end < s.size() && s[end] != ' ') ++end;
  }
  return {begin, end};
}

}  // namespace

std::string redact(std::string_view s) {
  std::string out(s);
  const bool uri = s.starts_with("postgresql://") || s.starts_with("postgres://");
  if (uri) {
    // postgresql://user:secret@host/db: the secret is between the first ':' and the '@' of the
    // authority.
    const std::size_t auth = out.find("://") + 3;
    const std::size_t auth_end = std::min(out.find_first_of("/?", auth), out.size());
    const std::size_t at = out.rfind('@', auth_end);
    if (at != std::string::npos && at >= auth) {
      const std::size_t colon = out.find(':', auth);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... as a URI parameter or a key=value pair.
  for (std::size_t at = out.find("password"); at != std::string::npos;
       at = out.find("password", at + 1)) {
    std::size_t eq = at + 8;
    while (eq < out.size() && out[eq] == ' ') ++eq;
    if (eq >= out.size() || out[eq] != '=') continue;
    const bool boundary = at == 0 || out[at - 1] == ' ' || out[at - 1] == '?' || out[at - 1] == '&';
    if (!boundary) continue;
    std::size_t begin = eq + 1;
    std::size_t end = 0;
    if (uri) {
      end = std::min(out.find('&', begin), out.size());
    } else {
      std::tie(begin, end) = value_span(out, begin);
    }
    out.replace(begin, end - begin, "***");
  }
  return out;
}

bool transient_sqlstate(std::string_view s) {
  if (s.empty()) return true;  // libpq's own: no answer from the server
  if (s.starts_with("08") || s.starts_with("53") || s.starts_with("58")) return true;
  static constexpr std::array<std::string_view, 7> kCodes{"57P01", "57P02", "57P03", "40001",
                                                          "40P01", "55P03", "25006"};
  for (auto c : kCodes) {
    if (s == c) return true;
  }
  return false;
}

// ---- Result -------------------------------------------------------------------------------

void Result::Free::operator()(pg_result* r) const { PQclear(r); }

Result::Result(pg_result* r) : r_(r) {}
int Result::rows() const { return r_ ? PQntuples(r_.get()) : 0; }
int Result::columns() const { return r_ ? PQnfields(r_.get()) : 0; }
bool Result::null(int row, int column) const { return PQgetisnull(r_.get(), row, column) != 0; }
std::string_view Result::text(int row, int column) const {
  return {PQgetvalue(r_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(r_.get(), row, column))};
}
std::int64_t Result::int64(int row, int column) const {
  const std::string_view t = text(row, column);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
    throw Error("column " + std::to_string(column) +
                    " is not an integer: " + firedrill::cut(text(row, column)),
                "22P02");
  }
  return v;
}
std::optional<std::int64_t> Result::optional_int64(int row, int column) const {
  if (null(row, column)) return std::nullopt;
  return int64(row, column);
}
std::int64_t Result::affected() const {
  const char* n = r_ ? PQcmdTuples(r_.get()) : "";
  return firedrill::parse_decimal<std::int64_t>(n).value_or(0);
}

// ---- Params -------------------------------------------------------------------------------

Params& Params::add(std::int64_t v) {
  values_.emplace_back(std::to_string(v));
  return *this;
}
Params& Params::add(std::string_view v) {
  values_.emplace_back(std::string(v));
  return *this;
}
Params& Params::add(const std::optional<std::int64_t>& v) {
  if (v) return add(*v);
  return add_null();
}
Params& Params::add_null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

// ---- Connection ---------------------------------------------------------------------------

Connection::Connection(std::string conninfo) : conninfo_(std::move(conninfo)) { open(); }

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

void Connection::open() {
  if (conn_) PQfinish(conn_);
  prepared_.clear();
  // The defaults come first, so that the connection string's own settings win.
  const std::array<const char*, 4> keys{"connect_timeout", "application_name", "dbname", nullptr};
  const std::array<const char*, 4> values{"10", "mock-slack", conninfo_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
  if (conn_ == nullptr) throw Error("cannot connect to PostgreSQL: out of memory", "");
  // The server's notices ("relation already exists, skipping") are not errors: not printed.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    // A connection string libpq cannot parse is the operator's mistake, not a passing outage.
    const bool invalid = message.find("invalid") != std::string::npos &&
                         message.find("connection") == std::string::npos;
    throw Error("cannot connect to PostgreSQL " + redact(conninfo_) + ": " + message,
                invalid ? "08P01" : "08001");
  }
  // Statements are prepared once per session and run many times. After five runs PostgreSQL
  // would switch each to a generic plan, made without its parameters' values and with the
  // statistics of that moment: on a new database, before the first ANALYZE, the occurrence
  // lookup by (fingerprint, starts_at) got a plan on the start-time index, which scans every
  // occurrence of a storm that started at one instant (4 ms per alert at 20,000, a growing
  // group's notifications 87% slower), and a time range's second phase scanned the start-time
  // index back through the whole history (80 ms instead of 0.3 on 300,000 occurrences). A plan
  // for each run's values costs a fraction of a millisecond. Set on every connection, so that a
  // reconnection keeps it.
  check(PQexec(conn_, "SET plan_cache_mode = force_custom_plan"), "set plan_cache_mode");
}

bool Connection::healthy() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK &&
         PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void Connection::reconnect() { open(); }

Result Connection::check(pg_result* r, std::string_view what) {
  const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(r);
  std::string sqlstate;
  std::string message;
  if (r) {
    if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) sqlstate = s;
    message = PQresultErrorMessage(r);
    PQclear(r);
  }
  if (message.empty()) message = PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (PQstatus(conn_) != CONNECTION_OK) {
    // The next call reconnects; this one's work is lost, and the caller retries it.
    PQfinish(conn_);
    conn_ = nullptr;
    prepared_.clear();
    if (sqlstate.empty()) sqlstate = "08006";
  }
  throw Error(std::string(what) + ": " + message, sqlstate);
}

namespace {

struct Bound {
  std::vector<const char*> values;
  explicit Bound(const Params& p) {
    values.reserve(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) values.push_back(p[i] ? p[i]->c_str() : nullptr);
  }
  int count() const { return static_cast<int>(values.size()); }
};

}  // namespace

Result Connection::exec(std::string_view sql, const Params& params) {
  if (!conn_) open();
  const std::string text(sql);
  if (params.size() == 0) return check(PQexec(conn_, text.c_str()), "PostgreSQL");
  const Bound b(params);
  return check(
      PQexecParams(conn_, text.c_str(), b.count(), nullptr, b.values.data(), nullptr, nullptr, 0),
      "PostgreSQL");
}

Result Connection::run(std::string_view sql, const Params& params) {
  if (!conn_) open();
  const std::string text(sql);
  auto it = prepared_.find(text);
  if (it == prepared_.end()) {
    const std::string name = "s" + std::to_string(prepared_.size() + 1);
    check(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr),
          "PostgreSQL, preparing " + firedrill::cut(text));
    it = prepared_.emplace(text, name).first;
  }
  const Bound b(params);
  return check(
      PQexecPrepared(conn_, it->second.c_str(), b.count(), b.values.data(), nullptr, nullptr, 0),
      "PostgreSQL");
}

// ---- Transaction --------------------------------------------------------------------------

Transaction::Transaction(Connection& c) : c_(c) { c_.exec("BEGIN"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    c_.exec("ROLLBACK");
  } catch (const Error&) {
    // A broken connection rolled back already; the next call reconnects.
  }
}

void Transaction::commit() {
  done_ = true;
  c_.exec("COMMIT");
}

}  // namespace mock_slack::pg
