#pragma once
// The small SQLite helpers every room of the store uses: Unix-nanosecond times, JSON text columns,
// optional columns, cached statements that never hold a read snapshot, and which errors may pass
// (503, retry) rather than being the request's fault. Internal to mock-slack's store.

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "firedrill/alerting/payload.hpp"
#include "firedrill/alerting/time.hpp"

namespace mock_slack::sqlite {

using firedrill::alerting::TimePoint;

/// "Not ended yet" in the end-time indexes: firing rows sort last.
inline constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();

inline std::int64_t ns(TimePoint t) { return firedrill::alerting::to_unix_ns(t); }
inline TimePoint tp(std::int64_t v) { return firedrill::alerting::from_unix_ns(v); }

/// JSON as stored: compact, invalid UTF-8 replaced rather than thrown on.
inline std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
inline std::string dump(const firedrill::alerting::LabelSet& labels) {
  return dump(firedrill::alerting::to_json(labels));
}

/// A stored JSON column, or `fallback` when it does not parse.
inline nlohmann::json parse_stored(const std::string& text, const nlohmann::json& fallback) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

/// Errors that may pass (locked, busy, disk full, I/O): the caller should retry.
inline bool transient(const SQLite::Exception& e) {
  switch (e.getErrorCode()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_READONLY:
      return true;
    default:
      return false;
  }
}

/// Resets a cached statement when leaving scope, so it never holds a read snapshot.
class Use {
 public:
  explicit Use(SQLite::Statement& s) : s_(s) { s_.tryReset(); }
  ~Use() { s_.tryReset(); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  SQLite::Statement* operator->() { return &s_; }

 private:
  SQLite::Statement& s_;
};

inline void bind_optional(SQLite::Statement& s, int index, const std::optional<std::int64_t>& v) {
  if (v) {
    s.bind(index, *v);
  } else {
    s.bind(index);
  }
}

inline std::optional<std::int64_t> optional_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

inline std::optional<TimePoint> optional_time(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return tp(c.getInt64());
}

/// What the process sets before its first connection: no memory statistics. With them on
/// (SQLite's default), every allocation takes one process-wide mutex, which serialised the read
/// connections of a search that merges many FTS5 lists (Alert1*: 280 req/s with one client and
/// 272 with four). Called before each open; only the first call, before SQLite initialises,
/// takes effect. mock-slack never reads SQLite's memory statistics.
inline void process_settings() {
  static const int done = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)done;
}

/// What every connection of the store sets, the writer's and the readers'.
inline void configure(SQLite::Database& db) {
  db.exec("PRAGMA foreign_keys = OFF");  // the writer keeps references consistent itself
  db.exec("PRAGMA temp_store = MEMORY");
}

}  // namespace mock_slack::sqlite
