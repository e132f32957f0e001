#!/usr/bin/env bash
# An idle portal is silent: a real Prometheus loaded with the project's drill-scale portal rules
# (every rule file of alert-rules/drill/ that alerts on the portal) scrapes a real portal that
# gets no traffic at all. No alert may be pending or firing at any moment for twice the longest
# `for` of the loaded rules, and at least a minute (the page's 1h window at the drill scale).
# Then the portal stops, and PortalSLIAbsent must go pending: the test can fail. Everything on
# ephemeral loopback ports.
#   tests/idle-portal/run.sh    (BIN: folder of the built binaries, default build/bin)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
BIN=${BIN:-$ROOT/build/bin}
WORK=$(mktemp -d /tmp/firedrill-idle-XXXXXX)
pids=()
cleanup() {
  local code=$?
  stop_children "${pids[@]}"
  if ((code != 0)); then tail_logs 20 "$WORK"/*.log; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

read -r API_PORT OPS_PORT PROM_PORT <<<"$(free_ports 3)"
PROM=http://127.0.0.1:$PROM_PORT

# The portal's rule files at the drill scale: the generated SLO rules and the hand-written ones.
RULES=("$ROOT/alert-rules/drill/slo-portal.rules.yml" "$ROOT/alert-rules/drill/portal.rules.yml")
for f in "${RULES[@]}"; do [[ -f $f ]] || { echo "FAIL $f is missing: run make rules"; exit 1; }; done
cat > "$WORK/prometheus.yml" <<YAML
global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
rule_files: [$(IFS=,; echo "${RULES[*]}")]
scrape_configs:
  - job_name: portal
    static_configs: [{targets: ['127.0.0.1:$OPS_PORT']}]
YAML

"$BIN/portal" --listen "127.0.0.1:$API_PORT" --ops-listen "127.0.0.1:$OPS_PORT" --drain-delay 0 \
  >"$WORK/portal.log" 2>&1 &
pids+=($!)
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
pids+=($!)

query() { curl -fsS --max-time 5 "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r "$2"; }
scraped() { [[ $(query 'up{job="portal"}' '.data.result[0].value[1] // empty') == 1 ]]; }
rules_loaded() {
  curl -fsS --max-time 5 "$PROM/api/v1/rules" | jq -e '[.data.groups[].rules[] | select(.type == "alerting")] | length > 0' >/dev/null
}
wait_for 60 "Prometheus ready with the rules" rules_loaded
wait_for 60 "the portal scraped" scraped
# Before its first scrape the portal is "not scraped", and an evaluation then may set
# PortalSLIAbsent pending (its `for` is there to absorb it). Watch from the first evaluation of
# every group after a scrape has succeeded.
scraped_at=$(date +%s)
evaluated_since_scrape() {
  curl -fsS --max-time 5 "$PROM/api/v1/rules" | jq -e --argjson t "$scraped_at" '
    [.data.groups[].lastEvaluation | sub("\\.[0-9]+"; "") | fromdateiso8601] | min > $t' >/dev/null
}
wait_for 30 "every rule group evaluated after the first scrape" evaluated_since_scrape

# How long to watch: twice the longest `for`, and at least a minute.
longest_for=$(curl -fsS "$PROM/api/v1/rules" | jq '[.data.groups[].rules[] | select(.type == "alerting") | .duration] | max')
watch=$(( longest_for * 2 ))
(( watch >= 60 )) || watch=60
echo "watching an idle portal for ${watch}s (longest for: ${longest_for}s) with $(curl -fsS "$PROM/api/v1/rules" |
  jq '[.data.groups[].rules[] | select(.type == "alerting")] | length') alert rules"

deadline=$(( $(date +%s) + watch ))
while (( $(date +%s) < deadline )); do
  alerts=$(curl -fsS --max-time 5 "$PROM/api/v1/alerts" | jq -c '[.data.alerts[] | {alertname: .labels.alertname, state}]')
  if [[ $alerts != "[]" ]]; then echo "FAIL an idle portal raised $alerts"; exit 1; fi
  sleep 1
done
# The loop above samples once a second, as often as the rules are evaluated; ALERTS over the
# whole watch catches a state between two samples.
seen=$(query "count(max_over_time(ALERTS[${watch}s]))" '.data.result[0].value[1] // 0')
if (( seen != 0 )); then echo "FAIL ALERTS recorded $seen alert(s) over the watch"; exit 1; fi
# The scrape must see the SLI series from the start: the portal exposes them before any request.
sli_series=$(query 'count(http_requests_total{job="portal",handler=~"/|/api/.*"})' '.data.result[0].value[1] // 0')
if (( sli_series == 0 )); then echo "FAIL the idle portal exposes no http_requests_total SLI series"; exit 1; fi

# The test can fail: the same Prometheus must see the portal vanish.
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
absent_pending() { [[ $(query 'count(ALERTS{alertname="PortalSLIAbsent"})' '.data.result[0].value[1] // 0') -gt 0 ]]; }
wait_for 30 "PortalSLIAbsent pending once the portal is gone" absent_pending
echo "ok   idle portal: $sli_series SLI series from the first scrape, no alert for ${watch}s; PortalSLIAbsent once it is gone"
