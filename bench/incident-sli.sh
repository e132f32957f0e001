#!/usr/bin/env bash
# Benchmark of the incident page's SLI from Prometheus (issue 20): the local stack (drill profile,
# real Prometheus and Alertmanager) on free loopback ports, one page of the errors break, then
# VIEWS views of the incident page, each followed by its chart (<img src=.../sli.svg>), timed by
# curl, and the requests Prometheus answered for them (its own prometheus_http_requests_total
# for /api/v1/rules: every fetch of the SLI starts with one); then three postmortem drafts, which
# always fetch. Prints the figures; its state is a temporary directory, removed at the end.
#
#   bench/incident-sli.sh [BUILD_DIR]      (default: build)
#
# Environment: VIEWS (default 20).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
BUILD=${1:-build}
VIEWS=${VIEWS:-20}
export BIN=$ROOT/$BUILD/bin PROFILE=drill LOAD_RPS=40 BREAK_ERROR_RATE=1.0
export FIREDRILL_STATE; FIREDRILL_STATE=$(mktemp -d /tmp/firedrill-bench-sli-XXXXXX)
read -r PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT <<<"$(free_ports 7)"
export PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT
trap '"$ROOT/scripts/stack" down >/dev/null 2>&1 || true; rm -rf "$FIREDRILL_STATE"' EXIT
MS=http://127.0.0.1:$MOCKSLACK_PORT
PROM=http://127.0.0.1:$PROMETHEUS_PORT

"$ROOT/scripts/stack" up >/dev/null
has_series() {
  [[ $(curl -fsS --max-time 5 "$PROM/api/v1/query" --data-urlencode "query=$1" | jq '.data.result | length') -gt 0 ]]
}
wait_for 120 "a minute of scrapes" has_series 'count_over_time(up{job="portal"}[70s]) >= 60'
"$ROOT/scripts/stack" break errors >/dev/null
incident() { curl -fsS --max-time 5 "$MS/api/v1/incidents?alertname=PortalAvailabilityBudgetBurn" | jq -r '.data[0].id // empty'; }
paged() { [[ -n $(incident) ]]; }
wait_for 120 "the page in mock-slack" paged
ID=$(incident)
rules_requests() {
  curl -fsS --max-time 5 "$PROM/metrics" |
    awk '/^prometheus_http_requests_total\{.*handler="\/api\/v1\/rules"/ {s += $NF} END {print s + 0}'
}
seconds() { curl -fsS -o /dev/null --max-time 10 -w '%{time_total}\n' "$1"; }
summary() { sort -n | awk '{v[NR] = $1 * 1000} END {printf "first %.1f ms, then min %.1f / median %.1f / max %.1f ms\n", first, v[1], v[int((NR + 1) / 2)], v[NR]}' first="$1"; }

before=$(rules_requests)
first_page=$(seconds "$MS/incidents/$ID")
first_chart=$(seconds "$MS/incidents/$ID/sli.svg")
pages=() charts=()
for _ in $(seq 2 "$VIEWS"); do
  pages+=("$(seconds "$MS/incidents/$ID")")
  charts+=("$(seconds "$MS/incidents/$ID/sli.svg")")
done
fetches=$(( $(rules_requests) - before ))
echo "incident $ID, $VIEWS views of the page and of its chart, $(date -u +%FT%TZ), load $(cut -d' ' -f1 /proc/loadavg)"
echo "  page:  $(printf '%s\n' "${pages[@]}" | summary "$(awk '{print $1 * 1000}' <<<"$first_page")")"
echo "  chart: $(printf '%s\n' "${charts[@]}" | summary "$(awk '{print $1 * 1000}' <<<"$first_chart")")"
echo "  fetches of the SLI from Prometheus (its /api/v1/rules requests): $fetches for $(( 2 * VIEWS )) requests"
before=$(rules_requests)
drafts=()
for _ in 1 2 3; do drafts+=("$(seconds "$MS/incidents/$ID/postmortem.md")"); done
echo "  postmortem draft: $(printf '%s\n' "${drafts[@]}" | awk '{printf "%.1f ms ", $1 * 1000}')($(( $(rules_requests) - before )) fetches for 3)"
