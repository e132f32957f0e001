#include "sql_filters.hpp"

#include <nlohmann/json.hpp>
#include <optional>

namespace mock_slack::sql {

namespace alerting = firedrill::alerting;

namespace {

/// The matchers of the query running on this thread, read by fd_match().
thread_local const std::vector<alerting::Matcher>* tl_matchers = nullptr;

void fd_match(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto index = sqlite3_value_int64(argv[1]);
  if (tl_matchers == nullptr || index < 0 ||
      static_cast<std::size_t>(index) >= tl_matchers->size()) {
    sqlite3_result_error(ctx, "fd_match: no such matcher", -1);
    return;
  }
  const auto* text = sqlite3_value_text(argv[0]);
  std::string_view value;
  if (text != nullptr) {
    value = std::string_view(reinterpret_cast<const char*>(text),
                             static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
  }
  sqlite3_result_int(ctx, (*tl_matchers)[static_cast<std::size_t>(index)].matches_value(value));
}

bool indexed_label(const alerting::Matcher& m) {
  return m.type() == alerting::MatchType::equal &&
         (m.name() == "alertname" || m.name() == "severity" || m.name() == "service");
}

/// When the occurrence-level filter is a single equality on alertname or service, the incident's
/// summary lists (kept by the writer, JSON arrays) answer it without reading occurrences.
std::optional<std::pair<std::string, std::string>> summary_condition(const AlertFilter& f) {
  const std::size_t conditions =
      f.matchers.size() + (f.alertname.empty() ? 0 : 1) + (f.severity.empty() ? 0 : 1);
  if (conditions != 1) return std::nullopt;
  std::string column, value;
  if (!f.alertname.empty()) {
    column = "alertnames";
    value = f.alertname;
  } else if (f.matchers.size() == 1 && indexed_label(f.matchers[0]) &&
             f.matchers[0].name() != "severity") {
    column = f.matchers[0].name() == "alertname" ? "alertnames" : "services";
    value = f.matchers[0].value();
  } else {
    return std::nullopt;
  }
  return std::pair{column, value};
}

/// A label's value as fd_match() reads json_extract()'s: a string as it is, a missing label or
/// JSON null as "", anything else as its JSON text.
std::string label_value(const nlohmann::json& labels, const std::string& name) {
  const auto it = labels.find(name);
  if (it == labels.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

bool all_match(const std::vector<const alerting::Matcher*>& matchers,
               const nlohmann::json& labels) {
  if (!labels.is_object()) return false;
  for (const auto* m : matchers) {
    if (!m->matches_value(label_value(labels, m->name()))) return false;
  }
  return true;
}

}  // namespace

bool InProcess::accepts(std::string_view labels_text) const {
  const nlohmann::json j = nlohmann::json::parse(labels_text, nullptr, false);
  if (j.is_discarded()) return false;
  if (!any_of) return all_match(matchers, j);
  if (!j.is_array()) return false;
  for (const auto& set : j) {
    if (all_match(matchers, set)) return true;
  }
  return false;
}

int bind_all(db::Statement& s, const std::vector<Value>& values, int first) {
  int i = first;
  for (const Value& v : values) {
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      s.bind(i++, *n);
    } else {
      s.bind(i++, std::get<std::string>(v));
    }
  }
  return i;
}

void occurrence_conditions(const AlertFilter& f, Where& w, bool include_status, db::Dialect d) {
  // An occurrence fires until it has an end, and the end-time index holds that, so the status
  // condition never needs the table row.
  if (include_status && f.status == "firing") {
    w.add(std::string(kOccurrenceEnd) + " = " + kNoEnd);
  }
  if (include_status && f.status == "resolved") {
    w.add(std::string(kOccurrenceEnd) + " < " + kNoEnd);
  }
  if (!f.alertname.empty()) w.add("o.alertname = ?", f.alertname);
  if (!f.severity.empty()) w.add("o.severity = ?", f.severity);
  for (std::size_t i = 0; i < f.matchers.size(); ++i) {
    const auto& m = f.matchers[i];
    if (indexed_label(m)) {
      w.add("o." + m.name() + " = ?", m.value());
      continue;
    }
    if (d == db::Dialect::postgres) {
      w.in_process.matchers.push_back(&m);
      w.in_process.labels = "o.labels";
      continue;
    }
    // Label names reaching here never contain '"' (rejected when the filter is parsed).
    w.add("fd_match(json_extract(o.labels, ?), " + std::to_string(i) + ")",
          "$.\"" + m.name() + "\"");
  }
}

void incident_conditions(const AlertFilter& f, Where& w, db::Dialect d) {
  if (f.status == "firing") w.add("i.resolved_at IS NULL");
  if (f.status == "resolved") w.add("i.resolved_at IS NOT NULL");
  if (!f.receiver.empty()) w.add("i.receiver = ?", f.receiver);
  if (const auto summary = summary_condition(f)) {
    if (d == db::Dialect::sqlite) {
      w.add("EXISTS (SELECT 1 FROM json_each(i." + summary->first + ") WHERE json_each.value = ?)",
            summary->second);
    } else {
      w.add("EXISTS (SELECT 1 FROM json_array_elements_text(i." + summary->first +
                "::json) AS e(value) WHERE e.value = ?)",
            summary->second);
    }
    return;
  }
  Where occ;
  occurrence_conditions(f, occ, false, d);
  if (!occ.in_process.empty()) {
    // PostgreSQL: the label sets of the incident's occurrences that meet the SQL conditions, for
    // the process to find one that satisfies the matchers too. Stored label sets are JSON
    // objects, so joining their texts makes a JSON array without parsing them.
    w.in_process.matchers = std::move(occ.in_process.matchers);
    w.in_process.any_of = true;
    w.in_process.labels =
        "(SELECT coalesce('[' || string_agg(o.labels, ',') || ']', '[]') FROM "
        "incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id WHERE "
        "io.incident_id = i.id" +
        occ.sql + ")";
    w.in_process.values = std::move(occ.values);
    return;
  }
  if (occ.sql.empty()) return;
  w.sql +=
      " AND EXISTS (SELECT 1 FROM incident_occurrences io JOIN occurrences o ON o.id = "
      "io.occurrence_id WHERE io.incident_id = i.id" +
      occ.sql + ")";
  w.values.insert(w.values.end(), occ.values.begin(), occ.values.end());
}

void register_functions(SQLite::Database& db) {
  sqlite3_create_function(db.getHandle(), "fd_match", 2, SQLITE_UTF8, nullptr, fd_match, nullptr,
                          nullptr);
}

MatchersInScope::MatchersInScope(const std::vector<alerting::Matcher>& m) { tl_matchers = &m; }
MatchersInScope::~MatchersInScope() { tl_matchers = nullptr; }

}  // namespace mock_slack::sql
