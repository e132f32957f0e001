#!/usr/bin/env bash
# Runs a real Alertmanager with alert-rules/alertmanager.yml (receiver URLs pointed at a closed
# port, so nothing is delivered to a running stack) and checks the inhibition rule: a firing page
# mutes the tickets of the same SLO and service, and nothing else.
# Usage: inhibition-test.sh ALERTMANAGER_BINARY CONFIG
set -euo pipefail
alertmanager=$1
config=$2
work=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo test-token > "$work/token"
sed -e 's#http://127\.0\.0\.1:8090#http://127.0.0.1:9#g' \
    -e "s#credentials_file: .*#credentials_file: $work/token#" "$config" > "$work/alertmanager.yml"

# A free port from the kernel (tests/lib.sh). Another test may take it before Alertmanager binds
# it ("address already in use"); then Alertmanager starts again on another one.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../../tests/lib.sh"
start_alertmanager() {
  port=$(free_ports 1)
  url=http://127.0.0.1:$port
  "$alertmanager" --config.file="$work/alertmanager.yml" --storage.path="$work/data" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$url/-/ready" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      pid=""
      grep -q "address already in use" "$work/log" && return 2
      cat "$work/log" >&2; echo "alertmanager exited" >&2; exit 1
    fi
    sleep 0.1
  done
  return 0
}
for attempt in 1 2 3; do
  status=0
  start_alertmanager || status=$?
  ((status == 0)) && break
  echo "alertmanager: port $port was taken before it bound it; on another port (attempt $attempt)"
  ((attempt < 3)) || { cat "$work/log" >&2; exit 1; }
done
curl -fsS -o /dev/null "$url/-/ready" || { cat "$work/log" >&2; echo "alertmanager not ready" >&2; exit 1; }

alert() { # alertname severity service slo
  local slo=""
  [[ -n $4 ]] && slo=",\"slo\":\"$4\""
  printf '{"labels":{"alertname":"%s","severity":"%s","service":"%s"%s}}' "$1" "$2" "$3" "$slo"
}
curl -fsS -H 'Content-Type: application/json' "$url/api/v2/alerts" -d "[
  $(alert PortalAvailabilityBudgetBurn page portal availability),
  $(alert PortalAvailabilityBudgetBurn ticket portal availability),
  $(alert PortalHighErrorRate ticket portal availability),
  $(alert PortalLatencyBudgetBurn ticket portal latency),
  $(alert BatchSyncFailed ticket batch-sync freshness),
  $(alert PortalRestarting ticket portal '')
]"

# name severity -> "suppressed" or "active"
state_of() {
  curl -fsS "$url/api/v2/alerts" |
    jq -r --arg n "$1" --arg s "$2" '.[] | select(.labels.alertname == $n and .labels.severity == $s) | .status.state'
}
failures=0
expect() { # name severity state
  local got; got=$(state_of "$1" "$2")
  if [[ $got == "$3" ]]; then
    echo "ok: $1 ($2) is $3"
  else
    echo "FAIL: $1 ($2) is '${got}', expected $3" >&2
    failures=$((failures + 1))
  fi
}
expect PortalAvailabilityBudgetBurn page active
expect PortalAvailabilityBudgetBurn ticket suppressed   # same SLO and service as the page
expect PortalHighErrorRate ticket suppressed            # threatens the same SLO
expect PortalLatencyBudgetBurn ticket active            # another SLO
expect BatchSyncFailed ticket active                    # another service
expect PortalRestarting ticket active                   # no slo label: only an slo-less page mutes it
exit $(( failures > 0 ))
