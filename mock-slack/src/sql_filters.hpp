#pragma once
// The SQL that the store's queries and the web pages' counts share: how a filter becomes WHERE
// conditions on occurrences `o` and incidents `i`, and the fd_match() function that evaluates
// Alertmanager matchers on label values. Internal to mock-slack.

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "firedrill/alerting/matcher.hpp"
#include "mock_slack/store.hpp"

namespace mock_slack::sql {

/// What the end-time indexes read for "no end yet" (firing), as SQL text.
inline constexpr const char* kNoEnd = "9223372036854775807";
/// An occurrence's and an incident's end for the end-time indexes: firing ones sort last.
inline constexpr const char* kOccurrenceEnd = "coalesce(o.ends_at, 9223372036854775807)";
inline constexpr const char* kIncidentEnd = "coalesce(i.resolved_at, 9223372036854775807)";

using Value = std::variant<std::int64_t, std::string>;

/// Conditions joined with AND, and their parameters in order.
struct Where {
  std::string sql;
  std::vector<Value> values;
  void add(const std::string& condition) { sql += " AND " + condition; }
  void add(const std::string& condition, Value v) {
    add(condition);
    values.push_back(std::move(v));
  }
};

void bind_all(SQLite::Statement& s, const std::vector<Value>& values);

/// Conditions on an occurrence `o`: status (when `include_status`), alertname, severity and the
/// matchers. Equality on alertname, severity or service uses their indexed columns; any other
/// matcher is evaluated on the label set by fd_match().
void occurrence_conditions(const AlertFilter& f, Where& w, bool include_status);

/// Conditions on an incident `i`: its status, receiver, and the occurrence-level filters (an
/// incident matches when one of its occurrences matches all of them).
void incident_conditions(const AlertFilter& f, Where& w);

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
