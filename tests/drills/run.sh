#!/usr/bin/env bash
# tests/drills/run.sh [SCENARIO|all]: one drill scenario (default: all of them in turn), with the
# code behind `make drill SCENARIO=...` (scripts/stack drill, scripts/drill.py), on a local stack of
# its own with the drill profile on ephemeral loopback ports: real Prometheus, Alertmanager and
# Pushgateway with the project's binaries. Each scenario must be detected and resolved within the
# tolerance of its expectation, and leave a postmortem draft with the drill's figures. The suite
# runs one test a scenario (e2e.drill-*), each on its own stack, side by side: a drill spends its
# time waiting on the drill scale's windows, not on the CPU. The HEAL=auto variants are scenarios
# of their own (errors-autoheal, crashloop-autoheal in `drill.py --list`): the auto-healer, live
# on their stack, heals or hands over.
#
# Changes from `make up`: batch-sync runs every 5 s, not 60 s, so that the batch scenario takes
# seconds; and 5 s of slack on every tolerance instead of 1 s (DRILL_SLACK): the test shares 2
# cores with builds and other tests, where Prometheus and Alertmanager fall seconds behind their
# intervals.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
SCENARIO=${1:-all}
if [[ $SCENARIO == all ]]; then mapfile -t SCENARIOS < <(python3 "$ROOT/scripts/drill.py" --list)
else SCENARIOS=("$SCENARIO"); fi
export BIN=${BIN:-$ROOT/build/bin}
export PROFILE=drill
export FIREDRILL_STATE; FIREDRILL_STATE=$(mktemp -d /tmp/firedrill-drills-XXXXXX)
export DRILL_POSTMORTEMS=$FIREDRILL_STATE/postmortems
export BATCH_INTERVAL=5 DRILL_SLACK=5
# The scenario's name says how it heals (<scenario>-autoheal), not the caller's environment.
unset HEAL

pick_ports() {
  read -r PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT <<<"$(free_ports 7)"
  export PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT
}
pick_ports
START=$(date +%s)
cleanup() {
  local code=$?
  if ((code != 0)); then
    tail_logs 15 "$FIREDRILL_STATE"/logs/*.log
  fi
  "$ROOT/scripts/stack" down >/dev/null 2>&1 || true
  rm -rf "$FIREDRILL_STATE"
}
trap cleanup EXIT

# The scenarios' stacks start side by side: another one may take a port between free_ports and
# its bind ("port N ... is already taken"). Then this stack starts anew on other free ports.
for attempt in 1 2 3; do
  if "$ROOT/scripts/stack" up >"$FIREDRILL_STATE.up.log" 2>&1; then break; fi
  if ((attempt == 3)) || ! grep -q "is already taken" "$FIREDRILL_STATE.up.log"; then
    cat "$FIREDRILL_STATE.up.log"; rm -f "$FIREDRILL_STATE.up.log"; exit 1
  fi
  echo "stack up: $(grep -m1 "is already taken" "$FIREDRILL_STATE.up.log"); on other ports"
  "$ROOT/scripts/stack" down >/dev/null 2>&1 || true
  pick_ports
done
rm -f "$FIREDRILL_STATE.up.log"
echo "stack up in $(( $(date +%s) - START ))s"
status=0
"$ROOT/scripts/stack" drill "$SCENARIO" || status=$?
echo "drills: exit $status after $(( $(date +%s) - START ))s"
((status == 0)) || exit "$status"

for scenario in "${SCENARIOS[@]}"; do
  drafts=("$DRILL_POSTMORTEMS"/*-drill-"$scenario"-incident-*.md)
  if [[ ! -f ${drafts[0]} ]]; then echo "FAIL no postmortem draft for $scenario"; exit 1; fi
  if ! grep -q '^## Drill measurements' "${drafts[0]}" || ! grep -q 'time to detect (from the break)' "${drafts[0]}"; then
    echo "FAIL the $scenario draft has no drill figures"; exit 1
  fi
done
echo "ok   ${SCENARIOS[*]}: passed and left a postmortem draft with its figures"
