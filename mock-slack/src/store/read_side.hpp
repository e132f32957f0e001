#pragma once
// The store's read side, on either back end: a pool of read connections (SQLite: read-only, WAL,
// so they never wait for the writer, with one set of PRAGMAs and fd_match(); PostgreSQL: one
// server session each), a cache of prepared statements per connection, one translation of
// transient database errors into StoreUnavailable, and the keyset paging every time-ranged
// listing uses. On PostgreSQL, matchers the SQL leaves to the process (sql::InProcess) are checked
// on rows fetched in keyset batches. ReadSide is thread-safe; a Reader is used by one thread at a
// time. Internal to mock-slack.

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "../sql_filters.hpp"
#include "db/db.hpp"
#include "mock_slack/store.hpp"
#include "pg/connection.hpp"
#include "sqlite.hpp"

namespace mock_slack::reader {

using sql::bind_all;
using sql::Where;
using sqlite::ns;

/// A read connection with a cache of prepared statements keyed by their SQL.
class Reader {
 public:
  Reader(const std::string& location, int busy_timeout_ms) {
    if (is_postgres(location)) {
      pg_ = std::make_unique<pg::Connection>(location);
      db_ = db::over(*pg_);
      return;
    }
    sqlite::process_settings();
    sqlite_ = std::make_unique<SQLite::Database>(
        location, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, busy_timeout_ms);
    sqlite::configure(*sqlite_);
    sqlite_->exec("PRAGMA query_only = ON");
    sqlite_->exec("PRAGMA mmap_size = 268435456");
    sqlite_->exec("PRAGMA cache_size = -32768");
    sql::register_functions(*sqlite_);
    db_ = db::over(*sqlite_);
  }

  /// A prepared statement for this dialect's text of `sql`, reset and with no bindings. It stays
  /// valid until the next call of statement() (the cache may be emptied then).
  db::Statement& statement(const db::Sql& sql) {
    const std::string_view text = sql.in(dialect());
    auto it = cache_.find(text);
    if (it == cache_.end()) {
      if (cache_.size() > 256) cache_.clear();  // filter combinations are bounded, but be safe
      it = cache_.emplace(std::string(text), db_->prepare(sql)).first;
    }
    it->second->reset();
    it->second->clearBindings();
    return *it->second;
  }

  db::Connection& db() { return *db_; }
  db::Dialect dialect() const { return pg_ ? db::Dialect::postgres : db::Dialect::sqlite; }

  /// The SQLite database, for the modules not yet written against db:: (search, incident
  /// events). Throws db::Error on PostgreSQL.
  SQLite::Database& sqlite() {
    if (!sqlite_) {
      throw db::Error("this read is not available on PostgreSQL yet", db::Error::Kind::other);
    }
    return *sqlite_;
  }

 private:
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Destroyed in reverse: the statements, then the db:: connection, then what it runs on.
  std::unique_ptr<SQLite::Database> sqlite_;
  std::unique_ptr<pg::Connection> pg_;
  std::unique_ptr<db::Connection> db_;
  std::unordered_map<std::string, std::unique_ptr<db::Statement>, TextHash, std::equal_to<>> cache_;
};

/// The pool. A read takes an idle connection (or opens one) and gives it back, so each keeps its
/// page cache (SQLite) or session and prepared statements (PostgreSQL) across requests; at most
/// `read_connections` are kept.
class ReadSide {
 public:
  explicit ReadSide(const StoreOptions& options)
      : location_(options.path),
        busy_timeout_ms_(options.busy_timeout_ms),
        max_idle_(options.read_connections) {}

  db::Dialect dialect() const {
    return is_postgres(location_) ? db::Dialect::postgres : db::Dialect::sqlite;
  }

  /// Runs f(Reader&) on a pooled connection. A transient database error (from either back end,
  /// opening the connection included) becomes StoreUnavailable.
  template <typename F>
  auto read(F&& f) const {
    std::unique_ptr<Reader> reader;
    {
      std::lock_guard lock(readers_mutex_);
      if (!readers_.empty()) {
        reader = std::move(readers_.back());
        readers_.pop_back();
      }
    }
    struct Return {
      const ReadSide& side;
      std::unique_ptr<Reader>& r;
      ~Return() {
        if (!r) return;
        std::lock_guard lock(side.readers_mutex_);
        if (side.readers_.size() < side.max_idle_) {
          side.readers_.push_back(std::move(r));
        }
      }
    } give_back{*this, reader};
    try {
      if (!reader) reader = std::make_unique<Reader>(location_, busy_timeout_ms_);
      return f(*reader);
    } catch (const db::Error& e) {
      if (e.transient()) throw StoreUnavailable(std::string("database unavailable: ") + e.what());
      throw;
    } catch (const pg::Error& e) {
      if (e.transient()) throw StoreUnavailable(std::string("database unavailable: ") + e.what());
      throw;
    } catch (const SQLite::Exception& e) {
      if (sqlite::transient(e))
        throw StoreUnavailable(std::string("database unavailable: ") + e.what());
      throw;
    }
  }

 private:
  std::string location_;
  int busy_timeout_ms_;
  std::size_t max_idle_;
  mutable std::mutex readers_mutex_;
  mutable std::vector<std::unique_ptr<Reader>> readers_;
};

/// Where a time-ranged query reads its rows and how it names their start.
struct Access {
  std::string_view from;
  std::string_view start;
};

/// How one table is paged by time: newest first on (start, id), with a time range that selects
/// rows overlapping it.
struct TimeTable {
  const char* from;        ///< "occurrences o"
  const char* start;       ///< "o.starts_at"
  const char* id;          ///< "o.id"
  const char* end_or_max;  ///< "coalesce(o.ends_at, 9223372036854775807)"
  /// Phase 2 (started before the range, still open at its start) through the end-time index,
  /// which bounds it by the rows that ended after the range's start. SQLite: INDEXED BY.
  /// PostgreSQL has no hints, and with ORDER BY start and a LIMIT it would walk the start-time
  /// index back through the whole older history whenever fewer rows than the LIMIT are open:
  /// naming the start as an expression no index holds leaves it the end-time index.
  db::Sql from_by_end;
  db::Sql start_by_end;

  Access by_start() const { return {from, start}; }
  Access by_end(db::Dialect d) const { return {from_by_end.in(d), start_by_end.in(d)}; }
};

constexpr TimeTable kOccurrenceTable{
    "occurrences o",
    "o.starts_at",
    "o.id",
    sql::kOccurrenceEnd,
    db::Sql("occurrences o INDEXED BY occurrences_until", "occurrences o"),
    db::Sql("o.starts_at", "(o.starts_at + 0)")};
constexpr TimeTable kIncidentTable{"incidents i",
                                   "i.started_at",
                                   "i.id",
                                   sql::kIncidentEnd,
                                   db::Sql("incidents i INDEXED BY incidents_until", "incidents i"),
                                   db::Sql("i.started_at", "(i.started_at + 0)")};

/// A select list and how many columns it has (the columns the process adds come after them).
struct Columns {
  db::Sql text;
  int count;
};

/// Rows examined by one batch of an in-process scan at most: what a request holds in memory.
inline constexpr std::size_t kMaxScanBatch = 1024;

/// PostgreSQL, for filters with matchers left to the process: calls on_row(statement) for each
/// row of `from` that meets w's SQL conditions and satisfies its matchers, newest first on
/// (start, id), strictly before `after` when it is set, until on_row returns false or the rows
/// end. The rows come in keyset batches (the first of `first_batch` rows, each next one four
/// times larger up to kMaxScanBatch), each starting after the last row the previous one examined,
/// so that every row is fetched once: the work is that of SQLite's scan of the same conditions
/// (which runs fd_match() on each of the same rows), and the memory one batch.
template <typename F>
void scan(Reader& r, const TimeTable& t, Access a, std::string_view columns, int column_count,
          const Where& w, std::optional<Cursor> after, std::size_t first_batch, F&& on_row) {
  std::size_t batch = std::clamp<std::size_t>(first_batch, 1, kMaxScanBatch);
  const std::string start(a.start);
  const std::string head = std::string("SELECT ") + std::string(columns) + ", " +
                           w.in_process.labels + ", " + start + ", " + t.id + " FROM " +
                           std::string(a.from) + sql::where_true(r.dialect()) + w.sql;
  const std::string tail = " ORDER BY " + start + " DESC, " + t.id + " DESC LIMIT ?";
  const std::string with_cursor = head + " AND (" + start + ", " + t.id + ") < (?, ?)" + tail;
  const std::string without_cursor = head + tail;
  for (;;) {
    const std::string& text = after ? with_cursor : without_cursor;
    auto& s = r.statement(db::Sql(text, text));
    int next = bind_all(s, w.in_process.values);
    next = bind_all(s, w.values, next);
    if (after) {
      s.bind(next++, after->time_ns);
      s.bind(next++, after->id);
    }
    s.bind(next, static_cast<std::int64_t>(batch));
    std::size_t rows = 0;
    while (s.executeStep()) {
      ++rows;
      after = Cursor{s.getInt64(column_count + 1), s.getInt64(column_count + 2)};
      if (w.in_process.accepts(s.getString(column_count)) && !on_row(s)) {
        s.reset();
        return;
      }
    }
    s.reset();
    if (rows < batch) return;
    batch = std::min(batch * 4, kMaxScanBatch);
  }
}

/// Runs a keyset-paged, time-ranged query in (at most) two index range scans: rows that started
/// inside [since, until], then rows that started before `since` and were still open at `since`
/// (found through the end-time index). Never OFFSET. `read` turns a row into T.
template <typename T>
Page<T> paged(Reader& reader, const TimeTable& t, const Columns& columns, const Where& filters,
              const AlertFilter& f, T (*read)(db::Statement&)) {
  Page<T> page;
  const std::size_t want = f.limit + 1;  // one more tells whether there is a next page
  const db::Dialect d = reader.dialect();
  auto run = [&](Where w, Access a) {
    const std::string start(a.start);
    if (!filters.in_process.empty()) {
      std::optional<Cursor> after = f.cursor;
      scan(reader, t, a, columns.text.in(d), columns.count, w, after, want - page.items.size(),
           [&](db::Statement& s) {
             page.items.push_back(read(s));
             return page.items.size() < want;
           });
      return;
    }
    if (f.cursor) {
      w.add("(" + start + ", " + t.id + ") < (?, ?)");
      w.values.emplace_back(f.cursor->time_ns);
      w.values.emplace_back(f.cursor->id);
    }
    const std::string head = "SELECT " + std::string(columns.text.in(d)) + " FROM " +
                             std::string(a.from) + sql::where_true(d) + w.sql + " ORDER BY " +
                             start + " DESC, " + t.id + " DESC LIMIT ";
    // SQLite's LIMIT is in the text (as it always was); PostgreSQL's is a parameter, so that
    // its sessions do not keep a prepared statement per page size.
    const std::string text =
        d == db::Dialect::sqlite ? head + std::to_string(want - page.items.size()) : head + "?";
    auto& s = reader.statement(db::Sql(text, text));
    const int next = bind_all(s, w.values);
    if (d == db::Dialect::postgres) {
      s.bind(next, static_cast<std::int64_t>(want - page.items.size()));
    }
    while (s.executeStep()) page.items.push_back(read(s));
    s.reset();
  };
  const std::int64_t since = f.since ? ns(*f.since) : std::numeric_limits<std::int64_t>::min();
  // Phase 1: started inside the range.
  if (!f.cursor || f.cursor->time_ns >= since) {
    Where w = filters;
    if (f.until) w.add(std::string(t.start) + " <= ?", ns(*f.until));
    if (f.since) w.add(std::string(t.start) + " >= ?", since);
    run(w, t.by_start());
  }
  // Phase 2: started before the range and still open when it began.
  if (f.since && page.items.size() < want) {
    const Access a = t.by_end(d);
    Where w = filters;
    w.add(std::string(t.end_or_max) + " >= ?", since);
    w.add(std::string(a.start) + " < ?", since);
    // Bounded by the rows that ended after `since`, not by the whole older history.
    run(w, a);
  }
  if (page.items.size() > f.limit) {
    page.items.resize(f.limit);
    const T& last = page.items.back();
    if constexpr (std::is_same_v<T, Incident>) {
      page.next = Cursor{ns(last.started_at), last.id};
    } else {
      page.next = Cursor{ns(last.starts_at), last.id};
    }
  }
  return page;
}

}  // namespace mock_slack::reader
