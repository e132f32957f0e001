#!/usr/bin/env bash
# A/B of two mock-slack builds on one SQLite history: each serves it in turn (twice, interleaved
# A B A B, so that neither has the warmer page cache), and each query is measured with wrk, one
# connection and four, after a warm-up. For a change that should alter how reads scale across the
# request threads (as the SQLite memory statistics did, issue 20's prefix search).
#
#   bench/search-ab.sh BINARY_A BINARY_B HISTORY.db
#
# HISTORY.db: a populated history, e.g. `build/bin/mock_slack_bench populate --db h.db
# --occurrences 1000000`, already indexed (serve it once for a minute first). Environment:
# DURATION (wrk seconds, default 6), QUERIES (space-separated paths under /api/v1/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
[[ $# == 3 ]] || { sed -n 2,11p "$0"; exit 2; }
a=$1 b=$2 history=$3
duration=${DURATION:-6}
queries=${QUERIES:-"search?q=Alert1* search?q=Alert7 search?q=svc3%2010.2 alerts?matcher=severity%3D%22page%22&since=7d&until=1d&limit=100"}
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
echo "A: $a"
echo "B: $b"
echo "history: $history; load $(cut -d' ' -f1 /proc/loadavg); $(date -u +%FT%TZ)"
for round in 1 2; do
  for side in A B; do
    binary=$a; [[ $side == B ]] && binary=$b
    port=$(free_ports 1)
    "$binary" --listen "127.0.0.1:$port" --db "$history" --drain-delay 0s --runbooks-dir "$work" \
      >"$work/log" 2>&1 &
    pid=$!
    ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz"; }
    wait_for 60 "mock-slack ($side) ready" ready >/dev/null
    for q in $queries; do
      url="http://127.0.0.1:$port/api/v1/$q"
      wrk -t2 -c4 -d2s "$url" >/dev/null
      for c in 1 4; do
        wrk -t1 -c"$c" -d"${duration}s" --latency "$url" |
          awk -v s="$side" -v r="$round" -v c="$c" -v q="$q" '/Requests\/sec/ {rate=$2} / 50%/ {p50=$2} / 99%/ {p99=$2}
            END {printf "%s (round %d) %d conn  %-32.32s %8s req/s  p50 %-8s p99 %s\n", s, r, c, q, rate, p50, p99}'
      done
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
