#pragma once
// The statements of search() (search.cpp), one per kind of hit; here so that a test can ask
// PostgreSQL how it plans them (search_plan_test.cpp).

#include "store/db/db.hpp"

namespace mock_slack::search_sql {

// Each query selects the newest `?2` matches. SQLite: of its FTS5 table (FTS5 walks its index
// backwards for ORDER BY rowid DESC, and stops at the LIMIT), joined to their rows; ?1 is the FTS5
// expression. PostgreSQL: through the GIN index over the row's stored words (search_text), or its
// newest rows first, as the planner estimates; ?1 is the same words as JSON (postgres_words()),
// which mockslack_search_query() makes a tsquery of, once, at planning (migration 11).
inline constexpr db::Sql kAlertsSql(
    "SELECT o.id, o.starts_at, o.alertname, o.status, o.labels, o.annotations, "
    "(SELECT json_group_array(io.incident_id) FROM incident_occurrences io "
    "WHERE io.occurrence_id = o.id) "
    "FROM (SELECT rowid AS id FROM search_occurrences WHERE search_occurrences MATCH ?1 "
    "ORDER BY rowid DESC LIMIT ?2) s JOIN occurrences o ON o.id = s.id ORDER BY o.id DESC",
    "SELECT o.id, o.starts_at, o.alertname, o.status, o.labels, o.annotations, "
    "(SELECT coalesce(json_agg(io.incident_id), '[]'::json)::text FROM incident_occurrences io "
    "WHERE io.occurrence_id = o.id) FROM occurrences o "
    "WHERE o.search_text @@ "
    "mockslack_search_query(?1) ORDER BY o.id DESC LIMIT ?2");
inline constexpr db::Sql kEventsSql(
    "SELECT e.id, e.at, e.kind, e.author, e.text, CASE WHEN e.incident_id IS NOT NULL "
    "THEN json_array(e.incident_id) ELSE (SELECT json_group_array(io.incident_id) FROM "
    "occurrences o JOIN incident_occurrences io ON io.occurrence_id = o.id WHERE "
    "o.fingerprint = e.fingerprint AND o.starts_at = e.starts_at) END "
    "FROM (SELECT rowid AS id FROM search_events WHERE search_events MATCH ?1 "
    "ORDER BY rowid DESC LIMIT ?2) s JOIN incident_events e ON e.id = s.id ORDER BY e.id DESC",
    "SELECT e.id, e.at, e.kind, e.author, e.text, CASE WHEN e.incident_id IS NOT NULL "
    "THEN json_build_array(e.incident_id)::text ELSE (SELECT coalesce(json_agg(io.incident_id), "
    "'[]'::json)::text FROM occurrences o JOIN incident_occurrences io ON io.occurrence_id = o.id "
    "WHERE o.fingerprint = e.fingerprint AND o.starts_at = e.starts_at) END "
    "FROM incident_events e WHERE e.search_text @@ "
    "mockslack_search_query(?1) ORDER BY e.id DESC LIMIT ?2");
inline constexpr db::Sql kMessagesSql(
    "SELECT m.id, m.received_at, m.channel, m.username, m.text "
    "FROM (SELECT rowid AS id FROM search_messages WHERE search_messages MATCH ?1 "
    "ORDER BY rowid DESC LIMIT ?2) s JOIN messages m ON m.id = s.id ORDER BY m.id DESC",
    "SELECT m.id, m.received_at, m.channel, m.username, m.text FROM messages m "
    "WHERE m.search_text @@ "
    "mockslack_search_query(?1) ORDER BY m.id DESC LIMIT ?2");

}  // namespace mock_slack::search_sql
