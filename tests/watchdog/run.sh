#!/usr/bin/env bash
# The alertmanager-down drill on the real binaries (drill profile, ephemeral ports): a healthy
# stack delivers Watchdog heartbeats and shows no banner; `scripts/stack break alertmanager-down`
# stops Alertmanager, and within mock-slack's --watchdog-timeout (10 s) plus a check its banner
# is on every page, one message is in #pages and an AlertingPipelineSilent incident is firing;
# `heal` starts Alertmanager again, and once heartbeats return the banner is gone and the
# incident resolved.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
export BIN=${BIN:-$ROOT/build/bin}
export PROFILE=drill
export FIREDRILL_STATE; FIREDRILL_STATE=$(mktemp -d /tmp/firedrill-watchdog-XXXXXX)
export LOAD_RPS=5 BATCH_INTERVAL=60 WATCHDOG_TIMEOUT=10s

read -r PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT <<<"$(free_ports 7)"
export PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT
MS=http://127.0.0.1:$MOCKSLACK_PORT

cleanup() {
  local code=$?
  if (( code != 0 || failed > 0 )); then
    tail_logs 20 "$FIREDRILL_STATE"/logs/{mock-slack,alertmanager}.log
  fi
  "$ROOT/scripts/stack" down >/dev/null 2>&1 || true
  rm -rf "$FIREDRILL_STATE"
}
trap cleanup EXIT

heartbeats() { curl -fsS --max-time 5 "$MS/metrics" | awk '$1 == "mockslack_watchdog_heartbeats_total" {print int($2)}'; }
heartbeat_count_above() { local n; n=$(heartbeats); [[ -n $n ]] && (( n > $1 )); }
banner_on() { curl -fsS --max-time 5 "$MS$1" | grep -q 'class="alarm" role="alert">the alerting pipeline has been silent since '; }
no_banner_anywhere() { ! banner_on / && ! banner_on /channels; }
banner_everywhere() { banner_on / && banner_on /channels && banner_on /channels/pages; }
silent_messages() {
  curl -fsS --max-time 5 -G "$MS/api/v1/messages" --data-urlencode channel=pages |
    jq '[.data[] | select(.text | test("The alerting pipeline has been silent since"))] | length'
}
silent_incident_status() {
  curl -fsS --max-time 5 -G "$MS/api/v1/incidents" --data-urlencode alertname=AlertingPipelineSilent |
    jq -r '[.data[].status] | join(",")'
}
incident_is() { [[ $(silent_incident_status) == "$1" ]]; }

"$ROOT/scripts/stack" up >/dev/null
# Prometheus drops the first send when it starts before it has discovered Alertmanager, and
# resends after its resend delay (1s on the drill profile): the first heartbeats come within seconds.
check "heartbeats arrive through the real Alertmanager" wait_for 60 "two heartbeats" heartbeat_count_above 1
check "mockslack_watchdog_last_seen_timestamp_seconds is exposed" \
  bash -c "curl -fsS '$MS/metrics' | grep -q '^mockslack_watchdog_last_seen_timestamp_seconds '"
check "a healthy stack shows no Watchdog banner" no_banner_anywhere
check "and has no silent-pipeline message or incident" test "$(silent_messages):$(silent_incident_status)" = "0:"

"$ROOT/scripts/stack" break alertmanager-down >/dev/null
T_BREAK=$(date +%s)
# The last heartbeat was at most 2 s before the break; the alarm comes after 10 s of silence,
# checked every second: 15 s bounds it, with room for a loaded machine.
check "banner on every page within the timeout" wait_for 15 "banner" banner_everywhere
echo "banner $(( $(date +%s) - T_BREAK ))s after the break"
check "one message in #pages" test "$(silent_messages)" -eq 1
check "an AlertingPipelineSilent incident is firing" incident_is firing

"$ROOT/scripts/stack" heal >/dev/null
T_HEAL=$(date +%s)
# A restarted Alertmanager has no alerts until Prometheus resends them (resend delay 1s on the
# drill profile), then the Watchdog's group waits its group_wait.
check "the banner clears once heartbeats return" wait_for 60 "banner gone" no_banner_anywhere
echo "banner cleared $(( $(date +%s) - T_HEAL ))s after the heal"
check "the incident is resolved" incident_is resolved
check "no second message" test "$(silent_messages)" -eq 1

echo "watchdog drill: $passed passed, $failed failed"
(( failed == 0 ))
