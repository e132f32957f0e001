#pragma once
// Versioned migrations of the mock-slack database. Migration N brings PRAGMA user_version from
// N-1 to N; each runs in its own transaction. Never edit a released migration: add one.

#include <array>
#include <string_view>

namespace mock_slack::schema {

// Times are Unix nanoseconds (INTEGER); label sets are JSON objects (TEXT). A time range query
// needs both "started before X" and "not ended before Y"; the *_until expression indexes serve
// the second half with firing rows (NULL end) sorting last.
inline constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE incidents (
  id                 INTEGER PRIMARY KEY,
  group_key          TEXT    NOT NULL,
  receiver           TEXT    NOT NULL,
  started_at         INTEGER NOT NULL,
  first_notified_at  INTEGER NOT NULL,
  last_notified_at   INTEGER NOT NULL,
  resolved_at        INTEGER,
  group_labels       TEXT    NOT NULL,
  common_labels      TEXT    NOT NULL,
  common_annotations TEXT    NOT NULL,
  external_url       TEXT    NOT NULL,
  notification_count INTEGER NOT NULL
);
CREATE INDEX incidents_open ON incidents (group_key) WHERE resolved_at IS NULL;
CREATE INDEX incidents_started ON incidents (started_at, id);
CREATE INDEX incidents_until ON incidents (coalesce(resolved_at, 9223372036854775807), started_at);

CREATE TABLE notifications (
  id                 INTEGER PRIMARY KEY,
  received_at        INTEGER NOT NULL,
  receiver           TEXT    NOT NULL,
  status             TEXT    NOT NULL CHECK (status IN ('firing', 'resolved')),
  group_key          TEXT    NOT NULL,
  group_labels       TEXT    NOT NULL,
  common_labels      TEXT    NOT NULL,
  common_annotations TEXT    NOT NULL,
  external_url       TEXT    NOT NULL,
  alert_count        INTEGER NOT NULL,
  truncated_alerts   INTEGER NOT NULL,
  body_sha256        TEXT    NOT NULL,
  incident_id        INTEGER
);
CREATE INDEX notifications_incident ON notifications (incident_id, received_at);
CREATE INDEX notifications_received ON notifications (received_at);

CREATE TABLE occurrences (
  id                INTEGER PRIMARY KEY,
  fingerprint       TEXT    NOT NULL,
  starts_at         INTEGER NOT NULL,
  ends_at           INTEGER,
  status            TEXT    NOT NULL CHECK (status IN ('firing', 'resolved')),
  alertname         TEXT    NOT NULL,
  severity          TEXT    NOT NULL,
  service           TEXT    NOT NULL,
  labels            TEXT    NOT NULL,
  annotations       TEXT    NOT NULL,
  generator_url     TEXT    NOT NULL,
  receiver          TEXT    NOT NULL,
  first_notified_at INTEGER,
  last_notified_at  INTEGER,
  times_notified    INTEGER NOT NULL,
  last_synced_at    INTEGER,
  suppressed_state  TEXT    NOT NULL,
  silenced_by       TEXT    NOT NULL,
  inhibited_by      TEXT    NOT NULL,
  source            TEXT    NOT NULL,
  UNIQUE (fingerprint, starts_at)
);
CREATE INDEX occurrences_started ON occurrences (starts_at, id);
CREATE INDEX occurrences_until ON occurrences (coalesce(ends_at, 9223372036854775807), starts_at);
CREATE INDEX occurrences_alertname ON occurrences (alertname, starts_at);
CREATE INDEX occurrences_severity ON occurrences (severity, starts_at);
CREATE INDEX occurrences_service ON occurrences (service, starts_at);

CREATE TABLE incident_occurrences (
  incident_id   INTEGER NOT NULL,
  occurrence_id INTEGER NOT NULL,
  PRIMARY KEY (incident_id, occurrence_id)
) WITHOUT ROWID;
CREATE INDEX incident_occurrences_occurrence ON incident_occurrences (occurrence_id);

CREATE TABLE messages (
  id          INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  channel     TEXT    NOT NULL,
  username    TEXT    NOT NULL,
  text        TEXT    NOT NULL,
  icon_emoji  TEXT    NOT NULL,
  icon_url    TEXT    NOT NULL,
  attachments TEXT    NOT NULL,
  blocks      TEXT    NOT NULL
);
CREATE INDEX messages_channel ON messages (channel, id);
CREATE INDEX messages_received ON messages (received_at);
)sql";

// Migration 2: an incident's summary (alert and firing counts, highest severity, alert names,
// services), kept up to date by the writer instead of aggregated over its occurrences on every
// read. Severity ranks as Store orders them: critical > page > error > warning > ticket > info >
// any other value > none; ties go to the alphabetically first. Lists are JSON arrays.
inline constexpr std::string_view kMigration2 = R"sql(
ALTER TABLE incidents ADD COLUMN alert_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN firing_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN severity TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN alertnames TEXT NOT NULL DEFAULT '[]';
ALTER TABLE incidents ADD COLUMN services TEXT NOT NULL DEFAULT '[]';
UPDATE incidents SET (alert_count, firing_count, severity, alertnames, services) = (
  SELECT count(*), coalesce(sum(o.status = 'firing'), 0),
    coalesce((SELECT o2.severity FROM incident_occurrences io2
              JOIN occurrences o2 ON o2.id = io2.occurrence_id WHERE io2.incident_id = incidents.id
              ORDER BY CASE o2.severity WHEN 'critical' THEN 6 WHEN 'page' THEN 5
                WHEN 'error' THEN 4 WHEN 'warning' THEN 3 WHEN 'ticket' THEN 2 WHEN 'info' THEN 1
                WHEN '' THEN 0 ELSE 1 END DESC, o2.severity LIMIT 1), ''),
    json_group_array(DISTINCT o.alertname), json_group_array(DISTINCT o.service)
  FROM incident_occurrences io JOIN occurrences o ON o.id = io.occurrence_id
  WHERE io.incident_id = incidents.id);
)sql";

// Migration 3: silences read from Alertmanager by batch-sync, keyed by Alertmanager's id; matchers
// are the API v2 array (TEXT). Pages are ordered by (starts_at, rowid), like the other tables'
// (time, id). Which occurrences a silence holds is read from occurrences.silenced_by; the partial
// index keeps that to the occurrences that are silenced at all.
inline constexpr std::string_view kMigration3 = R"sql(
CREATE TABLE silences (
  id              TEXT    PRIMARY KEY,
  state           TEXT    NOT NULL CHECK (state IN ('active', 'pending', 'expired')),
  created_by      TEXT    NOT NULL,
  comment         TEXT    NOT NULL,
  starts_at       INTEGER NOT NULL,
  ends_at         INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  matchers        TEXT    NOT NULL,
  first_synced_at INTEGER NOT NULL,
  last_synced_at  INTEGER NOT NULL
);
CREATE INDEX silences_started ON silences (starts_at);
CREATE INDEX silences_state ON silences (state, starts_at);
CREATE INDEX occurrences_silenced ON occurrences (id) WHERE silenced_by <> '[]';
)sql";

// Migration 4: Slack's `mrkdwn` switch of a message (false: its text is shown as typed).
inline constexpr std::string_view kMigration4 = R"sql(
ALTER TABLE messages ADD COLUMN mrkdwn INTEGER NOT NULL DEFAULT 1;
)sql";

// Migration 5: the row the write probe (Store::probe_write, /readyz) rewrites.
inline constexpr std::string_view kMigration5 = R"sql(
CREATE TABLE store_probe (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at INTEGER NOT NULL
);
)sql";

// Migration 6: incident events (incident_events.cpp): what people and tools did during an
// incident (an auto-healer action, an acknowledgement, a note, ...), append-only: a correction is
// a new event. An event is keyed by its incident, or by an alert occurrence (fingerprint and
// startsAt), so that a tool acting on an alert may write before mock-slack has the notification.
inline constexpr std::string_view kMigration6 = R"sql(
CREATE TABLE incident_events (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  author      TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  text        TEXT    NOT NULL,
  details     TEXT    NOT NULL,
  incident_id INTEGER,
  fingerprint TEXT,
  starts_at   INTEGER,
  CHECK ((incident_id IS NOT NULL) OR (fingerprint IS NOT NULL AND starts_at IS NOT NULL))
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, at) WHERE incident_id IS NOT NULL;
CREATE INDEX incident_events_occurrence ON incident_events (fingerprint, starts_at, at)
  WHERE fingerprint IS NOT NULL;
CREATE TRIGGER incident_events_append_only BEFORE UPDATE ON incident_events
BEGIN SELECT RAISE(ABORT, 'incident events are append-only'); END;
)sql";

// Migration 7: how each occurrence's resolution was learnt (sweep.cpp): resolved_by is 'webhook'
// (a resolved notification), 'sync' (Alertmanager's API listed it with an end that had passed),
// 'sweep' (a complete batch-sync run no longer listed it: its end is estimated as the last time
// it was seen active) or NULL (still firing, or resolved before this migration); the time the
// store recorded it. The partial index serves the sweep's scan of firing occurrences; the
// receiver index, a synced occurrence looking for its group's incident (sync_join.cpp).
inline constexpr std::string_view kMigration7 = R"sql(
ALTER TABLE occurrences ADD COLUMN resolved_by TEXT
  CHECK (resolved_by IS NULL OR resolved_by IN ('webhook', 'sync', 'sweep'));
ALTER TABLE occurrences ADD COLUMN resolution_recorded_at INTEGER;
CREATE INDEX occurrences_firing ON occurrences (id) WHERE status = 'firing';
CREATE INDEX incidents_receiver ON incidents (receiver, id);
)sql";

// Migration 8: free-text search (search.cpp) with SQLite FTS5 over alert names, label values and
// annotation values of occurrences, the kind, author and text of incident events, and the
// channel, username, text and the strings of the attachments and blocks of Slack messages. One
// contentless FTS5 table per source, keyed by the source row's id (content='': the index holds
// no copy of the text). Triggers keep them in step with every write, whichever path made it
// (ingest, sync, retention); a contentless table's delete is told the indexed values, computed
// from OLD by the same expressions as the insert, so they must stay identical. The existing rows
// are indexed here. A new or changed occurrence is only queued in search_pending (its old values
// taken out of the index at once), and indexed in batches (search.cpp's index_pending(), before
// every search and every 250 ms): with FTS5 indexing each notification's few rows in its own
// commit, ingest fell from 1,900-2,500 to 780-890 notifications/s in an A/B run (each commit
// flushes and merges index segments). A queued row that is deleted is only dequeued: it was
// never in the index.
inline constexpr std::string_view kMigration8 = R"sql(
CREATE VIRTUAL TABLE search_occurrences USING fts5(alertname, labels, annotations, content='',
  tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE search_events USING fts5(kind, author, text, content='',
  tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE search_messages USING fts5(channel, username, text, attachments, content='',
  tokenize='unicode61 remove_diacritics 2');

CREATE TABLE search_pending (id INTEGER PRIMARY KEY);
CREATE TRIGGER search_occurrences_insert AFTER INSERT ON occurrences BEGIN
  INSERT OR IGNORE INTO search_pending (id) VALUES (NEW.id);
END;
CREATE TRIGGER search_occurrences_update AFTER UPDATE OF alertname, labels, annotations
  ON occurrences WHEN OLD.alertname IS NOT NEW.alertname OR OLD.labels IS NOT NEW.labels
    OR OLD.annotations IS NOT NEW.annotations BEGIN
  INSERT INTO search_occurrences (search_occurrences, rowid, alertname, labels, annotations)
  SELECT 'delete', OLD.id,
    OLD.alertname, (SELECT group_concat(value, ' ') FROM json_each(
      CASE WHEN json_valid(OLD.labels) THEN OLD.labels ELSE '{}' END)),
    (SELECT group_concat(value, ' ') FROM json_each(
      CASE WHEN json_valid(OLD.annotations) THEN OLD.annotations ELSE '{}' END))
  WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = OLD.id);
  INSERT OR IGNORE INTO search_pending (id) VALUES (NEW.id);
END;
CREATE TRIGGER search_occurrences_delete AFTER DELETE ON occurrences BEGIN
  INSERT INTO search_occurrences (search_occurrences, rowid, alertname, labels, annotations)
  SELECT 'delete', OLD.id,
    OLD.alertname, (SELECT group_concat(value, ' ') FROM json_each(
      CASE WHEN json_valid(OLD.labels) THEN OLD.labels ELSE '{}' END)),
    (SELECT group_concat(value, ' ') FROM json_each(
      CASE WHEN json_valid(OLD.annotations) THEN OLD.annotations ELSE '{}' END))
  WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = OLD.id);
  DELETE FROM search_pending WHERE id = OLD.id;
END;

CREATE TRIGGER search_events_insert AFTER INSERT ON incident_events BEGIN
  INSERT INTO search_events (rowid, kind, author, text)
  VALUES (NEW.id, NEW.kind, NEW.author, NEW.text);
END;
CREATE TRIGGER search_events_delete AFTER DELETE ON incident_events BEGIN
  INSERT INTO search_events (search_events, rowid, kind, author, text)
  VALUES ('delete', OLD.id, OLD.kind, OLD.author, OLD.text);
END;

CREATE TRIGGER search_messages_insert AFTER INSERT ON messages BEGIN
  INSERT INTO search_messages (rowid, channel, username, text, attachments) VALUES (NEW.id,
    NEW.channel, NEW.username, NEW.text,
    coalesce((SELECT group_concat(value, ' ') FROM json_tree(
      CASE WHEN json_valid(NEW.attachments) THEN NEW.attachments ELSE '[]' END)
      WHERE type = 'text'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_tree(
      CASE WHEN json_valid(NEW.blocks) THEN NEW.blocks ELSE '[]' END)
      WHERE type = 'text'), ''));
END;
CREATE TRIGGER search_messages_delete AFTER DELETE ON messages BEGIN
  INSERT INTO search_messages (search_messages, rowid, channel, username, text, attachments)
  VALUES ('delete', OLD.id,
    OLD.channel, OLD.username, OLD.text,
    coalesce((SELECT group_concat(value, ' ') FROM json_tree(
      CASE WHEN json_valid(OLD.attachments) THEN OLD.attachments ELSE '[]' END)
      WHERE type = 'text'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_tree(
      CASE WHEN json_valid(OLD.blocks) THEN OLD.blocks ELSE '[]' END)
      WHERE type = 'text'), ''));
END;

INSERT INTO search_occurrences (rowid, alertname, labels, annotations)
  SELECT o.id, o.alertname, (SELECT group_concat(value, ' ') FROM json_each(
      CASE WHEN json_valid(o.labels) THEN o.labels ELSE '{}' END)),
    (SELECT group_concat(value, ' ') FROM json_each(
      CASE WHEN json_valid(o.annotations) THEN o.annotations ELSE '{}' END))
  FROM occurrences o;
INSERT INTO search_events (rowid, kind, author, text)
  SELECT e.id, e.kind, e.author, e.text FROM incident_events e;
INSERT INTO search_messages (rowid, channel, username, text, attachments)
  SELECT m.id, m.channel, m.username, m.text,
    coalesce((SELECT group_concat(value, ' ') FROM json_tree(
      CASE WHEN json_valid(m.attachments) THEN m.attachments ELSE '[]' END)
      WHERE type = 'text'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_tree(
      CASE WHEN json_valid(m.blocks) THEN m.blocks ELSE '[]' END)
      WHERE type = 'text'), '')
  FROM messages m;
)sql";

// Migration 9: the search index of migration 8, cheaper to keep and faster for short prefixes
// (bench/receiver-ab and bench/receiver.sh measured each change; see search.cpp).
// - New occurrences are no longer queued by a trigger: a trigger on every insert doubled the
//   insert's cost (its program, and the statement journal SQLite opens for a statement with
//   triggers). The indexer takes the occurrences past search_watermark.occurrences_through
//   instead, and moves the mark; search_pending now only holds changed rows (ids at or below the
//   mark). Row ids only grow, except that SQLite reuses the ids above the highest one left after
//   a delete: the AFTER DELETE trigger lowers the mark to that highest id, so that a reused id is
//   past it again.
// - The indexed text is written once, in the views search_occurrence_text and
//   search_message_text: the indexer, the reindexing below and the triggers all read it, the
//   triggers BEFORE the update or delete (while the view still shows the old values a
//   contentless table's delete must be told). An alert's name is no longer indexed a second time
//   among its label values.
// - prefix='2 3': a 2- or 3-character prefix reads one prefix-index doclist instead of merging the
//   doclists of every term it starts (`al*` on a 1,000,000-occurrence history: 213 ms -> 1 ms).
// - columnsize=0: nothing ranks by bm25, so no per-row token counts (%_docsize) are kept.
// The tables are rebuilt with these options and every row is indexed again, in this one
// transaction.
inline constexpr std::string_view kMigration9 = R"sql(
DROP TRIGGER search_occurrences_insert;
DROP TRIGGER search_occurrences_update;
DROP TRIGGER search_occurrences_delete;
DROP TRIGGER search_events_insert;
DROP TRIGGER search_events_delete;
DROP TRIGGER search_messages_insert;
DROP TRIGGER search_messages_delete;
DROP TABLE search_occurrences;
DROP TABLE search_events;
DROP TABLE search_messages;
DELETE FROM search_pending;

CREATE VIRTUAL TABLE search_occurrences USING fts5(alertname, labels, annotations, content='',
  columnsize=0, prefix='2 3', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE search_events USING fts5(kind, author, text, content='',
  columnsize=0, prefix='2 3', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE search_messages USING fts5(channel, username, text, attachments, content='',
  columnsize=0, prefix='2 3', tokenize='unicode61 remove_diacritics 2');

CREATE VIEW search_occurrence_text (id, alertname, labels, annotations) AS
  SELECT o.id, o.alertname,
    (SELECT group_concat(value, ' ') FROM json_each(
      CASE WHEN json_valid(o.labels) THEN o.labels ELSE '{}' END) WHERE key <> 'alertname'),
    (SELECT group_concat(value, ' ') FROM json_each(
      CASE WHEN json_valid(o.annotations) THEN o.annotations ELSE '{}' END))
  FROM occurrences o;
CREATE VIEW search_message_text (id, channel, username, text, attachments) AS
  SELECT m.id, m.channel, m.username, m.text,
    coalesce((SELECT group_concat(value, ' ') FROM json_tree(
      CASE WHEN json_valid(m.attachments) THEN m.attachments ELSE '[]' END)
      WHERE type = 'text'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_tree(
      CASE WHEN json_valid(m.blocks) THEN m.blocks ELSE '[]' END)
      WHERE type = 'text'), '')
  FROM messages m;

CREATE TABLE search_watermark (
  id                   INTEGER PRIMARY KEY CHECK (id = 1),
  occurrences_through  INTEGER NOT NULL
);
INSERT INTO search_watermark (id, occurrences_through)
  VALUES (1, coalesce((SELECT max(id) FROM occurrences), 0));

CREATE TRIGGER search_occurrences_update BEFORE UPDATE OF alertname, labels, annotations
  ON occurrences WHEN (OLD.alertname IS NOT NEW.alertname OR OLD.labels IS NOT NEW.labels
    OR OLD.annotations IS NOT NEW.annotations)
    AND OLD.id <= (SELECT occurrences_through FROM search_watermark) BEGIN
  INSERT INTO search_occurrences (search_occurrences, rowid, alertname, labels, annotations)
  SELECT 'delete', t.id, t.alertname, t.labels, t.annotations FROM search_occurrence_text t
  WHERE t.id = OLD.id AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = OLD.id);
  INSERT OR IGNORE INTO search_pending (id) VALUES (OLD.id);
END;
CREATE TRIGGER search_occurrences_delete BEFORE DELETE ON occurrences
  WHEN OLD.id <= (SELECT occurrences_through FROM search_watermark) BEGIN
  INSERT INTO search_occurrences (search_occurrences, rowid, alertname, labels, annotations)
  SELECT 'delete', t.id, t.alertname, t.labels, t.annotations FROM search_occurrence_text t
  WHERE t.id = OLD.id AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = OLD.id);
  DELETE FROM search_pending WHERE id = OLD.id;
END;
CREATE TRIGGER search_occurrences_deleted AFTER DELETE ON occurrences
  WHEN OLD.id > coalesce((SELECT max(id) FROM occurrences), 0) BEGIN
  UPDATE search_watermark SET occurrences_through = coalesce((SELECT max(id) FROM occurrences), 0)
  WHERE occurrences_through > coalesce((SELECT max(id) FROM occurrences), 0);
END;

CREATE TRIGGER search_events_insert AFTER INSERT ON incident_events BEGIN
  INSERT INTO search_events (rowid, kind, author, text)
  VALUES (NEW.id, NEW.kind, NEW.author, NEW.text);
END;
CREATE TRIGGER search_events_delete AFTER DELETE ON incident_events BEGIN
  INSERT INTO search_events (search_events, rowid, kind, author, text)
  VALUES ('delete', OLD.id, OLD.kind, OLD.author, OLD.text);
END;

CREATE TRIGGER search_messages_insert AFTER INSERT ON messages BEGIN
  INSERT INTO search_messages (rowid, channel, username, text, attachments)
  SELECT t.id, t.channel, t.username, t.text, t.attachments FROM search_message_text t
  WHERE t.id = NEW.id;
END;
CREATE TRIGGER search_messages_delete BEFORE DELETE ON messages BEGIN
  INSERT INTO search_messages (search_messages, rowid, channel, username, text, attachments)
  SELECT 'delete', t.id, t.channel, t.username, t.text, t.attachments FROM search_message_text t
  WHERE t.id = OLD.id;
END;

INSERT INTO search_occurrences (rowid, alertname, labels, annotations)
  SELECT id, alertname, labels, annotations FROM search_occurrence_text;
INSERT INTO search_events (rowid, kind, author, text)
  SELECT e.id, e.kind, e.author, e.text FROM incident_events e;
INSERT INTO search_messages (rowid, channel, username, text, attachments)
  SELECT id, channel, username, text, attachments FROM search_message_text;
)sql";

// Migration 10: search_terms, a dictionary of the terms search_occurrences holds that start with
// a letter and are at least 4 characters long (search_terms.hpp). A prefix of 4 or more characters
// is not in the prefix index (prefix='2 3'), and FTS5 answers it by merging the doclists of every
// term it starts into one before it reads the newest: `Alert1*` on a 1,000,000-occurrence history
// (11 terms, 220,000 rows) took 16-20 ms. Written as the OR of the terms the dictionary holds, it
// is read newest first and stops at the page: under 1 ms. The indexer adds the terms of what it
// indexes (index_pending); here, those of what is indexed already, read from the index itself.
// Terms of rows since deleted stay, and match nothing. A later migration that rebuilds
// search_occurrences must fill this again.
inline constexpr std::string_view kMigration10 = R"sql(
CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE temp.search_vocabulary USING fts5vocab(main, search_occurrences, row);
INSERT INTO search_terms (term)
  SELECT term FROM temp.search_vocabulary WHERE term >= 'a' AND term < '{' AND length(term) >= 4;
DROP TABLE temp.search_vocabulary;
)sql";

// Migration 11: PostgreSQL's stores the searched text and splits words as unicode61 does
// (pg/schema.hpp). SQLite's FTS5 tables already do both: the two lists keep one numbering, so
// this one only records the step.
inline constexpr std::string_view kMigration11 = "";

inline constexpr std::array<std::string_view, 11> kMigrations{
    kMigration1, kMigration2, kMigration3, kMigration4,  kMigration5, kMigration6,
    kMigration7, kMigration8, kMigration9, kMigration10, kMigration11};

}  // namespace mock_slack::schema
