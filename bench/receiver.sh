#!/usr/bin/env bash
# Benchmarks of mock-slack (issues 4, 20 and 22): ingest throughput with wrk, an alert storm, and
# query and search latency on a history of 1,000,000 occurrences, the search index's migration;
# on each back end, SQLite and PostgreSQL (a scratch server of its own, tests/pg-server, durable:
# fsync and synchronous_commit on), and at the end the figures of both side by side.
# Prints the figures; writes nothing outside a temporary directory.
#
#   bench/receiver.sh [BUILD_DIR]      (default: build; needs mock-slack, mock_slack_bench and
#                                       firedrill-hello)
#
# Environment: DURATION (wrk seconds, default 20), OCCURRENCES (default 1000000),
# CONNECTIONS (default 16), GROW_OCCURRENCES (default 100000), SKIP_INGEST=1 / SKIP_GROW=1 /
# SKIP_HISTORY=1 to skip the ingest and storm part / the growing group / the history part,
# BACKENDS (default "sqlite postgres"), PG_OCCURRENCES (PostgreSQL's history, default
# OCCURRENCES: populating it takes about 5 times as long as SQLite's).
set -euo pipefail

build=${1:-build}
bin="$build/bin"
for tool in "$bin/mock-slack" "$bin/mock_slack_bench" "$bin/firedrill-hello" wrk curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "receiver.sh: missing $tool (build the mock-slack, mock_slack_bench and firedrill-hello targets)" >&2; exit 2; }
done
duration=${DURATION:-20}
occurrences=${OCCURRENCES:-1000000}
connections=${CONNECTIONS:-16}
backends=${BACKENDS:-sqlite postgres}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

work=$(mktemp -d /tmp/mock-slack-bench.XXXXXX)
pid="" pgdir=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  [[ -n $pgdir ]] && "$root/tests/pg-server" stop "$pgdir" >/dev/null 2>&1
  rm -rf "$work" ${pgdir:+"$pgdir"}
}
trap cleanup EXIT

# The PostgreSQL server, durable as a production one is (fsync, full page writes,
# synchronous_commit on), on a Unix socket in a folder of its own.
if [[ " $backends " == *" postgres "* ]]; then
  pgdir=$(mktemp -d /tmp/mock-slack-bench-pg.XXXXXX)
  pg_uri=$(PG_SERVER_DURABLE=1 "$root/tests/pg-server" start "$pgdir")
fi
# db NAME BACKEND: a new, empty store for one measurement: a SQLite file, or a PostgreSQL database.
db() {
  if [[ $2 == sqlite ]]; then echo "$work/$1.db"; return; fi
  psql "$pg_uri" -XAtqc "CREATE DATABASE bench_$1" >/dev/null
  echo "${pg_uri/\/firedrill\?//bench_$1?}"
}
# The figures printed side by side at the end: "WHAT<TAB>BACKEND<TAB>FIGURE" lines.
side=$work/side.tsv
: >"$side"
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$side"; }

# Starts mock-slack on an ephemeral port; sets $pid and $port.
start() {
  local db=$1; shift
  "$bin/mock-slack" --listen 127.0.0.1:0 --db "$db" --access-log false --drain-delay 0s \
    --retention-interval 0 --threads 32 "$@" 2>"$work/log" &
  pid=$!
  port=""
  for _ in $(seq 1 200); do
    port=$(grep -o '"msg":"started".*"port":[0-9]*' "$work/log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [[ -n "$port" ]] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.05
  done
  echo "receiver.sh: mock-slack did not start" >&2; cat "$work/log" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# wrk script: every request is a notification of 10 new firing alerts in a new group.
cat >"$work/webhook.lua" <<'LUA'
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
local counter = 0
local non200 = 0
request = function()
  counter = counter + 1
  local alerts = {}
  for i = 1, 10 do
    alerts[i] = string.format(
      '{"status":"firing","labels":{"alertname":"Bench%d","service":"svc%d","severity":"page",' ..
      '"instance":"10.%d.%d.%d"},"annotations":{"summary":"bench alert"},' ..
      '"startsAt":"2026-11-21T22:00:00Z","endsAt":"0001-01-01T00:00:00Z",' ..
      '"generatorURL":"http://prometheus:9090/graph","fingerprint":"%04x%08x%04x"}',
      i, i, id, counter % 256, i, id, counter, i)
  end
  local body = '{"version":"4","groupKey":"{}:{bench=\\"' .. id .. '-' .. counter .. '\\"}",' ..
    '"truncatedAlerts":0,"status":"firing","receiver":"bench","groupLabels":{},' ..
    '"commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager:9093",' ..
    '"alerts":[' .. table.concat(alerts, ",") .. ']}'
  return wrk.format("POST", "/webhook", {["Content-Type"] = "application/json"}, body)
end
response = function(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("  non-2xx or socket errors: %d\n",
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
LUA

commits() {  # write transactions committed, from the metrics
  curl -s "http://127.0.0.1:$port/metrics" | awk '/^mockslack_db_write_duration_seconds_count/ {print $2}'
}

count_alerts() {  # occurrences stored, from the metrics
  curl -s "http://127.0.0.1:$port/metrics" | awk '/^mockslack_alert_occurrences_total\{result="new"\}/ {print $2}'
}

# CPU time (clock ticks) of mock-slack's writer thread and of its other threads: "writer other".
cpu_ticks() {
  local writer=0 other=0 t ticks
  for t in /proc/"$pid"/task/*; do
    ticks=$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
    if [[ "$(cat "$t/comm" 2>/dev/null)" == store-writer ]]; then
      writer=$((writer + ticks))
    else
      other=$((other + ticks))
    fi
  done
  echo "$writer $other"
}

if [[ "${SKIP_INGEST:-0}" != 1 ]]; then
echo "== ingest: wrk -t2 -c$connections -d${duration}s, 10 new alerts per notification"
hz=$(getconf CLK_TCK)
runs=()
for backend in $backends; do
  if [[ $backend == sqlite ]]; then runs+=(sqlite:normal sqlite:full); else runs+=(postgres:server); fi
done
for run in "${runs[@]}"; do
  backend=${run%%:*} durability=${run#*:}
  if [[ $backend == sqlite ]]; then
    start "$(db "ingest_$durability" sqlite)" --durability "$durability"
    echo "-- sqlite, --durability $durability"
  else
    durability=""
    start "$(db ingest postgres)"
    echo "-- postgres (fsync and synchronous_commit on: every commit durable)"
  fi
  read -r writer0 other0 < <(cpu_ticks)
  written0=$(awk '/^wchar/ {print $2}' /proc/"$pid"/io)
  commits0=$(commits)
  /usr/bin/time -f "%U %S" -o "$work/wrk.cpu" wrk -t2 -c"$connections" -d"${duration}s" --latency \
    -s "$work/webhook.lua" "http://127.0.0.1:$port" >"$work/wrk.out"
  read -r writer1 other1 < <(cpu_ticks)
  written1=$(awk '/^wchar/ {print $2}' /proc/"$pid"/io)
  commits1=$(commits)
  grep -E "Requests/sec|Latency |99%|non-2xx|requests in" "$work/wrk.out"
  echo "  occurrences stored: $(count_alerts)"
  record "ingest, notifications/s${durability:+ (durability $durability)}" "$backend" \
    "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")"
  # Where the two cores went: CPU time per notification, and the share of 2 x duration in use.
  awk -v n="$(awk '/requests in/ {print $1}' "$work/wrk.out")" -v hz="$hz" -v d="$duration" \
    -v w=$((writer1 - writer0)) -v o=$((other1 - other0)) -v wrk="$(cat "$work/wrk.cpu")" 'BEGIN {
      split(wrk, c, " "); wrk_s = c[1] + c[2]; w_s = w / hz; o_s = o / hz
      printf "  CPU per notification: writer thread %.0f us, request threads %.0f us, wrk %.0f us;" \
        " %.0f%% of 2 cores busy\n", w_s / n * 1e6, o_s / n * 1e6, wrk_s / n * 1e6,
        (w_s + o_s + wrk_s) / (2 * d) * 100 }'
  # What a commit costs SQLite: each rewrites every page it touched (table and index leaves) in
  # the write-ahead log, and checkpoints copy them again into the database file.
  awk -v n="$(awk '/requests in/ {print $1}' "$work/wrk.out")" -v b=$((written1 - written0)) \
    -v c=$((commits1 - commits0)) 'BEGIN {
      printf "  %.1f notifications per commit; %.0f KB written (log, checkpoints, responses) per" \
        " notification\n", n / c, b / n / 1024 }'
  stop
done

# The other floor: the same requests, with wrk on the same cores, to the kit's HTTP server with no
# handler for them (firedrill-hello answers 404): what receiving costs before JSON and SQLite.
echo "== transport floor: the same wrk load against the kit's server without a /webhook route"
hello_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin/firedrill-hello" --listen "127.0.0.1:$hello_port" --threads 32 --log-level warn 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$hello_port/" && break; sleep 0.05; done
wrk -t2 -c"$connections" -d5s -s "$work/webhook.lua" "http://127.0.0.1:$hello_port" |
  awk '/Requests\/sec/ {print "  " $0}'
stop

# The floor under ingest: SQLite alone inserting 100,000 occurrences (10,000 notifications'
# worth) with mock-slack's schema and indexes, in one statement, plus their incident links.
echo "== SQLite floor: 100,000 occurrence rows and links in the sqlite3 shell, one transaction"
start "$work/floor.db"
stop
sqlite3 "$work/floor.db" <<'SQL' | awk '/^Run Time/ {print "  " $0}'
PRAGMA synchronous = NORMAL;
.timer on
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO occurrences (fingerprint, starts_at, ends_at, status, alertname, severity, service,
  labels, annotations, generator_url, receiver, first_notified_at, last_notified_at,
  times_notified, last_synced_at, suppressed_state, silenced_by, inhibited_by, source)
SELECT printf('%016x', x * 7919), 1790000000000000000 + x, NULL, 'firing', 'Bench' || (x % 10),
  'page', 'svc' || (x % 10),
  '{"alertname":"Bench' || (x % 10) || '","instance":"10.1.' || (x % 256) || '.' || (x % 10) ||
  '","service":"svc' || (x % 10) || '","severity":"page"}',
  '{"summary":"bench alert"}', 'http://prometheus:9090/graph', 'bench', 1790000000000000000 + x,
  1790000000000000000 + x, 1, NULL, 'active', '[]', '[]', 'webhook' FROM c;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO incident_occurrences SELECT x / 10, x FROM c;
COMMIT;
SQL

echo "== alert storm: one notification of 5,000 new alerts (5 runs)"
for backend in $backends; do
  echo "-- $backend"
  start "$(db storm "$backend")"
  for run in 1 2 3 4 5; do
    "$bin/mock_slack_bench" payload --alerts 5000 --prefix "storm$run" >"$work/storm.json"
    took=$(curl -s -o /dev/null -w "%{http_code} %{time_total}" -H 'Content-Type: application/json' \
      --data-binary @"$work/storm.json" "http://127.0.0.1:$port/webhook")
    echo "  run $run: HTTP ${took% *} in ${took#* }s ($(wc -c <"$work/storm.json") bytes)"
    record "storm, 5,000 alerts in one notification, run $run (s)" "$backend" "${took#* }"
  done
  stop
done
fi

# One group whose incident grows by 10 new occurrences per notification (issue 18): the cost of a
# notification must not grow with its incident, so the two rates are within 20% of each other.
if [[ "${SKIP_GROW:-0}" != 1 ]]; then
  grow=${GROW_OCCURRENCES:-100000}
  echo "== one group growing to $grow occurrences, 10 new per notification, $connections connections"
  for backend in $backends; do
    echo "-- $backend"
    start "$(db grow "$backend")"
    "$bin/mock_slack_bench" grow --port "$port" --occurrences "$grow" --connections "$connections"
    stop
  done
fi

# Latency of one GET, after a warm-up: with one client (the query's own time) and with four (two
# per core, with wrk on the same two cores: queueing included).
# The one-connection p50 and p99 are recorded for the side-by-side table ($backend).
latency() {
  # Warm the read connections' caches first: a freshly populated database is not yet in memory.
  wrk -t2 -c4 -d3s "http://127.0.0.1:$port$1" >/dev/null
  local c line
  for c in 1 4; do
    line=$(wrk -t1 -c"$c" -d10s --latency "http://127.0.0.1:$port$1" |
      awk -v c="$c" '/Requests\/sec/ {r=$2} / 50%/ {p50=$2} / 99%/ {p99=$2}
        END {printf "  %d connection(s): %s req/s, p50 %s, p99 %s\n", c, r, p50, p99}')
    echo "$line"
    if ((c == 1)); then record "GET $1 (p50 / p99)" "$backend" "$(sed 's/.*p50 \(.*\), p99 \(.*\)/\1 \/ \2/' <<<"$line")"; fi
  done
}

if [[ "${SKIP_HISTORY:-0}" != 1 ]]; then
for backend in $backends; do
  n=$occurrences
  [[ $backend == postgres ]] && n=${PG_OCCURRENCES:-$occurrences}
  history=$(db history "$backend")
  echo "== history on $backend: $n occurrences over 90 days"
  /usr/bin/time -f "  populate took %es" "$bin/mock_slack_bench" populate --db "$history" \
    --occurrences "$n" 2> >(grep -v '"level"' >&2)
  # Flush the populated database to disk first: the kernel's writeback of it would otherwise
  # stall reads during the measurements.
  sync
  start "$history"
  # SQLite: the populated history is indexed for search by the indexer after the start, in
  # batches: wait for it (up to 10 minutes), so that the measured queries do not share the two
  # cores with it. (PostgreSQL's GIN indexes were kept by every write.)
  index_start=$SECONDS
  for ((i = 0; i < 6000; i++)); do
    [[ $backend == postgres ]] && break
    [[ $(sqlite3 "$history" "SELECT coalesce((SELECT max(id) FROM occurrences), 0) <=
      (SELECT occurrences_through FROM search_watermark) AND NOT EXISTS (SELECT 1 FROM search_pending)" \
      2>/dev/null) == 1 ]] && break
    sleep 0.1
  done
  ((i < 6000)) || { echo "receiver.sh: the history's search index was not done after 10 minutes" >&2; exit 1; }
  [[ $backend == sqlite ]] && echo "  the search index of the populated history: $((SECONDS - index_start)) s after the start"
  q_alerts="/api/v1/alerts?matcher=service%3D%22svc3%22&matcher=instance%3D~%2210%5C%5C.2%5C%5C..*%22&since=24h&limit=100"
  q_alerts7="/api/v1/alerts?matcher=severity%3D%22page%22&since=7d&until=1d&limit=100"
  q_incidents="/api/v1/incidents?matcher=service%3D%22svc3%22&since=24h&limit=50"
  q_incidents30="/api/v1/incidents?alertname=Alert7&since=30d&limit=50"
  for q in "$q_alerts" "$q_alerts7" "$q_incidents" "$q_incidents30"; do
    echo "-- GET $q"
    curl -s -o /dev/null -w "  one request: HTTP %{http_code}, %{size_download} bytes, %{time_total}s\n" \
      "http://127.0.0.1:$port$q"
    latency "$q"
  done
  # Free-text search (issue 20) on the same history, within the history queries' 20 ms: a common
  # alert name (20,000 matches), two common label values together, a rare annotation word, a
  # note's word, a Slack message's attachment, a prefix (220,000 matches: the OR of the 11 terms
  # the dictionary of migration 10 holds for it), a numeric prefix (left to FTS5's own prefix
  # search: numbers are not in the dictionary), a 2-character prefix (every occurrence: read from
  # the prefix index), and a word found nowhere.
  echo "== search on the same history (target: p99 <= 20 ms)"
  for q in "Alert7" "svc3%2010.2" "synthetic%20424242" "failover" "notification%204200" "Alert1*" "42424*" "Al*" "nowhere"; do
    echo "-- GET /api/v1/search?q=$q"
    curl -s -o /dev/null -w "  one request: HTTP %{http_code}, %{size_download} bytes, %{time_total}s\n" \
      "http://127.0.0.1:$port/api/v1/search?q=$q"
    latency "/api/v1/search?q=$q"
  done
  # The export (issue 20) of a day of the history, streamed.
  echo "== export of the last 24 hours"
  curl -s -o /dev/null -w "  GET /api/v1/alerts/export?since=24h: HTTP %{http_code}, %{size_download} bytes, %{time_total}s\n" \
    "http://127.0.0.1:$port/api/v1/alerts/export?since=24h"
  curl -s -o /dev/null -w "  GET /api/v1/incidents/export?since=24h&format=csv: HTTP %{http_code}, %{size_download} bytes, %{time_total}s\n" \
    "http://127.0.0.1:$port/api/v1/incidents/export?since=24h&format=csv"
  # The web UI (issue 6) on the same history: targets p99 <= 50 ms for the pages, and a
  # postmortem draft in <= 100 ms.
  echo "== web UI on the same history (targets: p99 <= 50 ms; postmortem <= 100 ms)"
  incident=$(curl -sf "http://127.0.0.1:$port/api/v1/incidents?limit=1" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
  for q in "/" "/?service=svc3&range=7d" "/incidents/$incident" "/incidents/$incident/postmortem.md"; do
    echo "-- GET $q"
    curl -s -o /dev/null -w "  one request: HTTP %{http_code}, %{size_download} bytes, %{time_total}s\n" \
      "http://127.0.0.1:$port$q"
    latency "$q"
  done
  stop
  /usr/bin/time -f "  mock-slack postmortem --incident $incident (CLI, opening the store) took %es" \
    "$bin/mock-slack" postmortem --db "$history" --incident "$incident" --out "$work/draft.md" \
    2> >(grep -v '"level"' >&2)
  if [[ $backend == postgres ]]; then
    # Migration 11 (the stored search_text columns and their statistics) on this history, as a
    # version 10 database left it: its columns dropped and the expression indexes back, then opened.
    echo "== migration 11 (stored search words) of the $n-occurrence history"
    psql "$history" -XAtq >/dev/null <<'SQL'
BEGIN;
ALTER TABLE occurrences DROP COLUMN search_text;
ALTER TABLE incident_events DROP COLUMN search_text;
ALTER TABLE messages DROP COLUMN search_text;
CREATE INDEX occurrences_search ON occurrences
  USING gin (mockslack_occurrence_text(alertname, labels, annotations));
CREATE INDEX incident_events_search ON incident_events USING gin (mockslack_event_text(kind, author, text));
CREATE INDEX messages_search ON messages
  USING gin (mockslack_message_text(channel, username, text, attachments, blocks));
ALTER FUNCTION mockslack_search_query(text) STABLE;
UPDATE mockslack_schema SET version = 10;
COMMIT;
SQL
    "$bin/mock_slack_bench" open --db "$history" | sed 's/^/  /'
    continue
  fi
  # Migrations 8 to 11 (the search index, built and rebuilt, and its terms; 11 is PostgreSQL's only) on this history as a version 7
  # database: the index, its triggers, views and tables dropped, then opened (and so migrated)
  # again. (From a version 8 database, migration 9 alone took 33 s of these two.)
  echo "== migrations 8 to 11 (the search index) of the $occurrences-occurrence history"
  sqlite3 "$history" "DROP TRIGGER search_occurrences_update; DROP TRIGGER search_occurrences_delete;
    DROP TRIGGER search_occurrences_deleted; DROP TRIGGER search_events_insert; DROP TRIGGER search_events_delete;
    DROP TRIGGER search_messages_insert; DROP TRIGGER search_messages_delete;
    DROP VIEW search_occurrence_text; DROP VIEW search_message_text; DROP TABLE search_watermark;
    DROP TABLE search_pending; DROP TABLE search_occurrences; DROP TABLE search_events;
    DROP TABLE search_messages; DROP TABLE search_terms; PRAGMA user_version = 7;"
  sync
  "$bin/mock_slack_bench" open --db "$history" | sed 's/^/  /'
done
fi

# Both back ends side by side, from this run.
if [[ $(wc -w <<<"$backends") -gt 1 ]]; then
  echo "== side by side (this run)"
  awk -F'\t' -v list="$backends" '
    BEGIN { nb = split(list, b, " ") }
    { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } v[$1, $2] = $3 }
    END {
      printf "  %-70s", "figure"; for (i = 1; i <= nb; i++) printf " | %-18s", b[i]; printf "\n"
      for (k = 1; k <= n; k++) {
        printf "  %-70s", substr(order[k], 1, 70)
        for (i = 1; i <= nb; i++) printf " | %-18s", ((order[k], b[i]) in v ? v[order[k], b[i]] : "-")
        printf "\n"
      }
    }' "$side"
fi

echo "For comparison (from issue 4, not re-measured): a Flask + sqlite3 receiver doing the same job manages about 800 notifications/s on this machine."
