#pragma once
// The SQL that the store's queries and the web pages' counts share: how a filter becomes WHERE
// conditions on occurrences `o` and incidents `i` in either dialect, and how Alertmanager matchers
// are evaluated on label values: in SQLite by the fd_match() function, on PostgreSQL in process on
// the rows the conditions return (PostgreSQL cannot load our function, and its regular
// expressions are not RE2, whose linear time issue #16 requires on user input). Internal to
// mock-slack.

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "firedrill/alerting/matcher.hpp"
#include "mock_slack/store.hpp"
#include "store/db/db.hpp"

namespace mock_slack::sql {

/// What the end-time indexes read for "no end yet" (firing), as SQL text.
inline constexpr const char* kNoEnd = "9223372036854775807";
/// An occurrence's and an incident's end for the end-time indexes: firing ones sort last.
inline constexpr const char* kOccurrenceEnd = "coalesce(o.ends_at, 9223372036854775807)";
inline constexpr const char* kIncidentEnd = "coalesce(i.resolved_at, 9223372036854775807)";

using Value = std::variant<std::int64_t, std::string>;

/// The matchers a PostgreSQL query leaves to the process (any matcher but an equality on an
/// indexed column), and what they are checked on: the select expression `labels`, with its own
/// parameters `values` (bound before the WHERE's). For an occurrence it is its label set (a JSON
/// object); for an incident (`any_of`) a JSON array of the label sets of its occurrences that meet
/// the SQL conditions, and one of them must satisfy every matcher. Empty on SQLite.
struct InProcess {
  std::vector<const firedrill::alerting::Matcher*> matchers;
  std::string labels;
  std::vector<Value> values;
  bool any_of = false;
  bool empty() const { return matchers.empty(); }
  /// Whether the `labels` column's text satisfies the matchers (text that does not parse: no).
  bool accepts(std::string_view labels_text) const;
};

/// Conditions joined with AND, and their parameters in order.
struct Where {
  std::string sql;
  std::vector<Value> values;
  InProcess in_process;
  void add(const std::string& condition) { sql += " AND " + condition; }
  void add(const std::string& condition, Value v) {
    add(condition);
    values.push_back(std::move(v));
  }
};

/// Binds `values` to parameters `first`, `first` + 1, ...; returns the next parameter's index.
int bind_all(db::Statement& s, const std::vector<Value>& values, int first = 1);

/// "WHERE" followed by a condition that always holds, so that conditions can follow with AND.
inline const char* where_true(db::Dialect d) {
  return d == db::Dialect::sqlite ? " WHERE 1" : " WHERE true";
}

/// Conditions on an occurrence `o`: status (when `include_status`), alertname, severity and the
/// matchers. Equality on alertname, severity or service uses their indexed columns; any other
/// matcher is evaluated on the label set by fd_match() (SQLite) or in process (PostgreSQL:
/// w.in_process, on "o.labels").
void occurrence_conditions(const AlertFilter& f, Where& w, bool include_status, db::Dialect d);

/// Conditions on an incident `i`: its status, receiver, and the occurrence-level filters (an
/// incident matches when one of its occurrences matches all of them).
void incident_conditions(const AlertFilter& f, Where& w, db::Dialect d);

/// Registers fd_match(value, index) on a connection: whether matcher `index` of the query
/// running on this thread (see MatchersInScope) accepts the label value (NULL reads as "").
void register_functions(SQLite::Database& db);

/// Makes `matchers` the ones fd_match() sees on this thread for the scope's lifetime.
class MatchersInScope {
 public:
  explicit MatchersInScope(const std::vector<firedrill::alerting::Matcher>& m);
  ~MatchersInScope();
  MatchersInScope(const MatchersInScope&) = delete;
  MatchersInScope& operator=(const MatchersInScope&) = delete;
};

}  // namespace mock_slack::sql
