#pragma once
// The store's read side: a pool of read-only connections (WAL: they never wait for the writer),
// one set of PRAGMAs, the busy timeout from StoreOptions, one translation of transient SQLite
// errors into StoreUnavailable, and the keyset paging helper every time-ranged listing uses.
// ReadSide is thread-safe; a Reader is used by one thread at a time. Internal to mock-slack.

#include <SQLiteCpp/SQLiteCpp.h>

#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "../sql_filters.hpp"
#include "mock_slack/store.hpp"
#include "sqlite.hpp"

namespace mock_slack::reader {

using sql::bind_all;
using sql::Where;
using sqlite::ns;

/// A read-only connection with a cache of prepared statements keyed by their SQL.
class Reader {
 public:
  Reader(const std::string& path, int busy_timeout_ms)
      : db_(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, busy_timeout_ms) {
    sqlite::configure(db_);
    db_.exec("PRAGMA query_only = ON");
    db_.exec("PRAGMA mmap_size = 268435456");
    db_.exec("PRAGMA cache_size = -32768");
    sql::register_functions(db_);
  }

  SQLite::Statement& statement(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      if (cache_.size() > 256) cache_.clear();  // filter combinations are bounded, but be safe
      it = cache_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
    }
    it->second->tryReset();
    it->second->clearBindings();
    return *it->second;
  }

  SQLite::Database& db() { return db_; }

 private:
  SQLite::Database db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> cache_;
};

/// The pool. A read takes an idle connection (or opens one) and gives it back, so each keeps its
/// page cache warm across requests; at most `max_idle` are kept.
class ReadSide {
 public:
  ReadSide(std::string path, int busy_timeout_ms, std::size_t max_idle)
      : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), max_idle_(max_idle) {}

  /// Runs f(Reader&) on a pooled connection. A transient SQLite error becomes StoreUnavailable.
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
    if (!reader) reader = std::make_unique<Reader>(path_, busy_timeout_ms_);
    struct Return {
      const ReadSide& side;
      std::unique_ptr<Reader>& r;
      ~Return() {
        std::lock_guard lock(side.readers_mutex_);
        if (side.readers_.size() < side.max_idle_) {
          side.readers_.push_back(std::move(r));
        }
      }
    } give_back{*this, reader};
    try {
      return f(*reader);
    } catch (const SQLite::Exception& e) {
      if (sqlite::transient(e))
        throw StoreUnavailable(std::string("database unavailable: ") + e.what());
      throw;
    }
  }

 private:
  std::string path_;
  int busy_timeout_ms_;
  std::size_t max_idle_;
  mutable std::mutex readers_mutex_;
  mutable std::vector<std::unique_ptr<Reader>> readers_;
};

/// How one table is paged by time: newest first on (start, id), with a time range that selects
/// rows overlapping it.
struct TimeTable {
  const char* from;         ///< "occurrences o"
  const char* start;        ///< "o.starts_at"
  const char* id;           ///< "o.id"
  const char* end_or_max;   ///< "coalesce(o.ends_at, 9223372036854775807)"
  const char* from_by_end;  ///< `from` forced onto the end-time index (phase 2)
};

constexpr TimeTable kOccurrenceTable{"occurrences o", "o.starts_at", "o.id", sql::kOccurrenceEnd,
                                     "occurrences o INDEXED BY occurrences_until"};
constexpr TimeTable kIncidentTable{"incidents i", "i.started_at", "i.id", sql::kIncidentEnd,
                                   "incidents i INDEXED BY incidents_until"};

/// Runs a keyset-paged, time-ranged query in (at most) two index range scans: rows that started
/// inside [since, until], then rows that started before `since` and were still open at `since`
/// (found through the end-time index). Never OFFSET. `read` turns a row into T.
template <typename T>
Page<T> paged(Reader& reader, const TimeTable& t, const char* columns, const Where& filters,
              const AlertFilter& f, T (*read)(SQLite::Statement&)) {
  Page<T> page;
  const std::size_t want = f.limit + 1;  // one more tells whether there is a next page
  auto run = [&](const Where& w, const char* from) {
    std::string sql = std::string("SELECT ") + columns + " FROM " + from + " WHERE 1" + w.sql +
                      " ORDER BY " + t.start + " DESC, " + t.id + " DESC LIMIT " +
                      std::to_string(want - page.items.size());
    auto& s = reader.statement(sql);
    bind_all(s, w.values);
    while (s.executeStep()) page.items.push_back(read(s));
    s.tryReset();
  };
  auto with_cursor = [&](Where w) {
    if (f.cursor) {
      w.add(std::string("(") + t.start + ", " + t.id + ") < (?, ?)");
      w.values.emplace_back(f.cursor->time_ns);
      w.values.emplace_back(f.cursor->id);
    }
    return w;
  };
  const std::int64_t since = f.since ? ns(*f.since) : std::numeric_limits<std::int64_t>::min();
  // Phase 1: started inside the range.
  if (!f.cursor || f.cursor->time_ns >= since) {
    Where w = filters;
    if (f.until) w.add(std::string(t.start) + " <= ?", ns(*f.until));
    if (f.since) w.add(std::string(t.start) + " >= ?", since);
    run(with_cursor(w), t.from);
  }
  // Phase 2: started before the range and still open when it began.
  if (f.since && page.items.size() < want) {
    Where w = filters;
    w.add(std::string(t.end_or_max) + " >= ?", since);
    w.add(std::string(t.start) + " < ?", since);
    // Bounded by the rows that ended after `since`, not by the whole older history.
    run(with_cursor(w), t.from_by_end);
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
