#pragma once
// The statements of search() (search.cpp), one per kind of hit; here so that a test can ask
// PostgreSQL how it plans them (search_plan_test.cpp).

#include "store/db/db.hpp"

namespace mock_slack::search_sql {

// Each query selects the newest `?2` matches. SQLite: of its FTS5 table (FTS5 walks its index
// backwards for ORDER BY rowid DESC, and stops at the LIMIT), joined to their rows; ?1 is the FTS5
// expression. PostgreSQL: of the rows' stored words (search_text, migration 11); ?1 is the same
// words as JSON (postgres_words()), which mockslack_search_query() makes a tsquery of, once, at
// planning.
//
// PostgreSQL's matches come in two steps, so that no plan reads the whole history: the planner's
// choice rests on statistics that autovacuum may not have gathered yet (a history just loaded, or
// grown tenfold since), and a wrong one cost 400 ms on 1,000,000 occurrences.
// - `recent`: the newest 10,000 rows, newest first, up to the page. A common word fills the page
//   there; it reads at most those rows (or their matches, from the index).
// - `older`: only when `recent` did not fill the page, every older match, which a fence
//   (MATERIALIZED, no LIMIT) leaves the planner to read from the GIN index. A word that matched
//   fewer than ?2 of the newest 10,000 rows is rare, unless it was common only long ago. Its
//   bound is `id + 0`, which no index answers: the planner would otherwise AND the index's
//   matches with a bitmap of every older row from the primary key (15 ms on 300,000).
#define FIREDRILL_PG_NEWEST_MATCHES(table)                                                       \
  "WITH recent AS MATERIALIZED (SELECT id FROM " table                                           \
  " WHERE search_text @@ mockslack_search_query(?1) AND id > (SELECT coalesce(max(id), 0) "      \
  "FROM " table                                                                                  \
  ") - 10000 ORDER BY id DESC LIMIT ?2), older AS MATERIALIZED (SELECT id FROM " table           \
  " WHERE (SELECT count(*) FROM recent) < ?2 AND search_text @@ mockslack_search_query(?1) AND " \
  "id + 0 <= (SELECT coalesce(max(id), 0) FROM " table                                           \
  ") - 10000), hits AS (SELECT id FROM recent "                                                  \
  "UNION ALL (SELECT id FROM older ORDER BY id DESC LIMIT ?2)) "

inline constexpr db::Sql kAlertsSql(
    "SELECT o.id, o.starts_at, o.alertname, o.status, o.labels, o.annotations, "
    "(SELECT json_group_array(io.incident_id) FROM incident_occurrences io "
    "WHERE io.occurrence_id = o.id) "
    "FROM (SELECT rowid AS id FROM search_occurrences WHERE search_occurrences MATCH ?1 "
    "ORDER BY rowid DESC LIMIT ?2) s JOIN occurrences o ON o.id = s.id ORDER BY o.id DESC",
    FIREDRILL_PG_NEWEST_MATCHES("occurrences")
    "SELECT o.id, o.starts_at, o.alertname, o.status, o.labels, o.annotations, "
    "(SELECT coalesce(json_agg(io.incident_id), '[]'::json)::text FROM incident_occurrences io "
    "WHERE io.occurrence_id = o.id) FROM hits h JOIN occurrences o ON o.id = h.id "
    "ORDER BY o.id DESC LIMIT ?2");
inline constexpr db::Sql kEventsSql(
    "SELECT e.id, e.at, e.kind, e.author, e.text, CASE WHEN e.incident_id IS NOT NULL "
    "THEN json_array(e.incident_id) ELSE (SELECT json_group_array(io.incident_id) FROM "
    "occurrences o JOIN incident_occurrences io ON io.occurrence_id = o.id WHERE "
    "o.fingerprint = e.fingerprint AND o.starts_at = e.starts_at) END "
    "FROM (SELECT rowid AS id FROM search_events WHERE search_events MATCH ?1 "
    "ORDER BY rowid DESC LIMIT ?2) s JOIN incident_events e ON e.id = s.id ORDER BY e.id DESC",
    FIREDRILL_PG_NEWEST_MATCHES("incident_events")
    "SELECT e.id, e.at, e.kind, e.author, e.text, CASE WHEN e.incident_id IS NOT NULL "
    "THEN json_build_array(e.incident_id)::text ELSE (SELECT coalesce(json_agg(io.incident_id), "
    "'[]'::json)::text FROM occurrences o JOIN incident_occurrences io ON io.occurrence_id = o.id "
    "WHERE o.fingerprint = e.fingerprint AND o.starts_at = e.starts_at) END "
    "FROM hits h JOIN incident_events e ON e.id = h.id ORDER BY e.id DESC LIMIT ?2");
inline constexpr db::Sql kMessagesSql(
    "SELECT m.id, m.received_at, m.channel, m.username, m.text "
    "FROM (SELECT rowid AS id FROM search_messages WHERE search_messages MATCH ?1 "
    "ORDER BY rowid DESC LIMIT ?2) s JOIN messages m ON m.id = s.id ORDER BY m.id DESC",
    FIREDRILL_PG_NEWEST_MATCHES("messages")
    "SELECT m.id, m.received_at, m.channel, m.username, m.text FROM hits h JOIN messages m "
    "ON m.id = h.id ORDER BY m.id DESC LIMIT ?2");

#undef FIREDRILL_PG_NEWEST_MATCHES

}  // namespace mock_slack::search_sql
