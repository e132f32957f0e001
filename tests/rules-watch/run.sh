#!/usr/bin/env bash
# Rules edited while the stack runs: the local stack (scripts/stack up, drill profile, ephemeral
# ports) watches a copy of alert-rules/. A change to slos.yaml and one to a hand-written rule file
# are regenerated, checked and reloaded into the running Prometheus; a rule file that fails
# promtool's check is not loaded, Prometheus keeps the last good rules, and `status` says why.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
WAIT_FOR_POLL=0.5
expect() { wait_for "$@"; echo "ok   $2"; }  # wait_for, and say so
export BIN=${BIN:-$ROOT/build/bin}
export PROFILE=drill
export FIREDRILL_STATE; FIREDRILL_STATE=$(mktemp -d /tmp/firedrill-rules-XXXXXX)
export ALERT_RULES=$FIREDRILL_STATE/alert-rules
cp -r "$ROOT/alert-rules" "$ALERT_RULES"

read -r PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT <<<"$(free_ports 7)"
export PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT
PROM=http://127.0.0.1:$PROMETHEUS_PORT
cleanup() {
  local code=$?
  if ((code != 0)); then
    tail_logs 15 "$FIREDRILL_STATE"/logs/{prometheus,rules-watch}.log
  fi
  "$ROOT/scripts/stack" down >/dev/null 2>&1 || true
  rm -rf "$FIREDRILL_STATE"
}
trap cleanup EXIT

rule_for() { # alertname -> its `for` in seconds as Prometheus has it loaded
  curl -fsS --max-time 5 "$PROM/api/v1/rules" | jq -r --arg n "$1" '[.data.groups[].rules[] | select(.name == $n) | .duration][0]'
}
objective() {
  curl -fsS --max-time 5 "$PROM/api/v1/query" --data-urlencode 'query=slo:objective:ratio{service="portal",slo="availability"}' |
    jq -r '.data.result[0].value[1] // empty'
}
status_says() { "$ROOT/scripts/stack" status | grep -q -- "$1"; }

"$ROOT/scripts/stack" up >/dev/null
[[ $(rule_for PortalDown) == 1 ]] || { echo "FAIL PortalDown is not loaded with for 1s"; exit 1; }

# A hand-written rule file: PortalDown waits 2m, 2s at the drill scale.
sed -i 's/^        for: 1m$/        for: 2m/' "$ALERT_RULES/portal.rules.yml"
grep -q 'for: 2m' "$ALERT_RULES/portal.rules.yml"
portal_down_for_is() { [[ $(rule_for PortalDown) == "$1" ]]; }
expect 30 "an edited portal.rules.yml is scaled and loaded (PortalDown for 2s)" portal_down_for_is 2
grep -q '^        for: 2s$' "$ALERT_RULES/drill/portal.rules.yml"
status_says "rules: .* reloaded after a change"

# The SLO spec: a 99.5% objective reaches the recording rules.
sed -i 's/^        objective: 0.999$/        objective: 0.995/' "$ALERT_RULES/slos.yaml"
objective_is() { [[ $(objective) == "$1" ]]; }
expect 30 "an edited slos.yaml is regenerated and loaded (objective 0.995)" objective_is 0.995

# A rule file promtool rejects is not loaded: Prometheus keeps PortalDown for 2s.
sed -i 's/^          up{job="portal"} == 0$/          up{job="portal"} == == 0/' "$ALERT_RULES/portal.rules.yml"
grep -q '== == 0' "$ALERT_RULES/portal.rules.yml"
expect 30 "status says why a broken rule file is not loaded" status_says "rules: .*NOT reloaded: the check failed: .*portal.rules.yml"
"$ROOT/scripts/stack" status | grep "rules:"
portal_down_for_is 2 || { echo "FAIL Prometheus lost the last good rules"; exit 1; }
curl -fsS --max-time 5 "$PROM/api/v1/status/config" | jq -r .data.yaml | grep -q "rules-" ||
  { echo "FAIL Prometheus does not load the checked copies"; exit 1; }

# Fixed again: loaded again.
sed -i 's/== == 0$/== 0/; s/^        for: 2m$/        for: 3m/' "$ALERT_RULES/portal.rules.yml"
expect 30 "the fixed file is loaded (PortalDown for 3s)" portal_down_for_is 3
echo "ok   rules edited while the stack runs"
