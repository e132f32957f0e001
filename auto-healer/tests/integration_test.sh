#!/usr/bin/env bash
# auto-healer end to end with real binaries on ephemeral loopback ports: a real Alertmanager routes
# alerts with a remediation label to `auto-healer serve` (local backend: a restart command that
# records what it restarted) and, with continue, to mock-slack. Checks: a firing alert restarts
# its target once; the repeat after the cooldown is a second attempt; after --max-attempts the
# auto-healer gives up and pages #pages in mock-slack; every decision is on the incident's
# timeline; a failing restart answers 500 and Alertmanager's retry succeeds once the restart
# works; a matching silence holds it back; without the token the webhook answers 401; /metrics
# passes promtool; bad flags exit 2 with one line; SIGTERM exits 0.
# Usage: integration_test.sh AUTO_HEALER MOCK_SLACK ALERTMANAGER PROMTOOL
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
WAIT_FOR_POLL=0.1
AUTO_HEALER=$1 MOCK_SLACK=$2 ALERTMANAGER=$3 PROMTOOL=$4
WORK=$(mktemp -d /tmp/auto-healer-it-XXXXXX)
PIDS=()

cleanup() {
  local code=$?
  stop_children "${PIDS[@]}"
  if (( code != 0 || failed > 0 )); then tail_logs 30 "$WORK"/*.log; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

read -r AM_PORT MS_PORT AH_PORT <<<"$(free_ports 3)"
AM=http://127.0.0.1:$AM_PORT MS=http://127.0.0.1:$MS_PORT AH=http://127.0.0.1:$AH_PORT


# --- the restart command: records each target, fails while $WORK/fail exists ------------------
cat >"$WORK/restart" <<SH
#!/bin/sh
[ -f "$WORK/fail" ] && { echo "restart of \$1 failed on purpose" >&2; exit 1; }
echo "\$1" >>"$WORK/restarts"
SH
chmod +x "$WORK/restart"
: >"$WORK/restarts"
restarts_of() { grep -cx "$1" "$WORK/restarts" || true; }

# --- the peers -----------------------------------------------------------------------------------
printf 'ms-token-%s\n' "$RANDOM$RANDOM" >"$WORK/ms-token"
printf 'ah-token-%s\n' "$RANDOM$RANDOM" >"$WORK/ah-token"
cat >"$WORK/alertmanager.yml" <<YAML
route:
  receiver: people
  group_by: [alertname, service]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: auto-healer
      matchers: ['remediation=~".+"']
      group_by: [alertname, service, namespace]
      group_wait: 0s
      group_interval: 1s
      repeat_interval: 2s
      continue: true
    - receiver: people
receivers:
  - name: auto-healer
    webhook_configs:
      - url: $AH/webhook
        send_resolved: true
        http_config:
          authorization:
            credentials_file: $WORK/ah-token
  - name: people
    webhook_configs:
      - url: $MS/webhook
        send_resolved: true
        http_config:
          authorization:
            credentials_file: $WORK/ms-token
YAML
"$ALERTMANAGER" --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/am" \
  --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= >"$WORK/alertmanager.log" 2>&1 &
PIDS+=($!)
"$MOCK_SLACK" --listen "127.0.0.1:$MS_PORT" --db "$WORK/mock-slack.db" \
  --webhook-token-file "$WORK/ms-token" >"$WORK/mock-slack.log" 2>&1 &
PIDS+=($!)
"$AUTO_HEALER" serve --backend local --listen "127.0.0.1:$AH_PORT" --drain-delay 0s \
  --local-restart-command "$WORK/restart {target}" --local-components portal,checkout,search \
  --cooldown 2s --window 10m --max-attempts 2 --max-actions 20 \
  --alertmanager-url "$AM" --mock-slack-url "$MS" --mock-slack-token-file "$WORK/ms-token" \
  --webhook-token-file "$WORK/ah-token" >"$WORK/auto-healer.log" 2>&1 &
AH_PID=$!
PIDS+=("$AH_PID")
wait_for 30 "Alertmanager" curl -fsS --max-time 2 "$AM/-/ready"
wait_for 30 "mock-slack" curl -fsS --max-time 2 "$MS/readyz"
wait_for 30 "auto-healer" curl -fsS --max-time 2 "$AH/readyz"

now() { date -u -d "${1:-now}" +%Y-%m-%dT%H:%M:%S.000Z; }
fire() { # service [extra-labels-json] -> posts a firing PortalRestarting-like alert to Alertmanager
  curl -fsS --max-time 5 -H 'Content-Type: application/json' "$AM/api/v2/alerts" -d "[
    {\"labels\":{\"alertname\":\"HealItRestarting\",\"severity\":\"ticket\",\"service\":\"$1\",\"remediation\":\"restart\"},
     \"annotations\":{\"summary\":\"$1 restarts too often\"},
     \"startsAt\":\"$(now '-1 min')\",\"endsAt\":\"$(now '+1 hour')\",\"generatorURL\":\"http://prometheus/graph\"}]" >/dev/null
}
decisions() { # result -> how many decisions with that result the log holds
  jq -R -n --arg r "$1" '[inputs | fromjson? | select(.msg == "auto-heal decision" and .result == $r)] | length' \
    "$WORK/auto-healer.log"
}
at_least() { test "$("${@:2}")" -ge "$1"; }
metric() { curl -fsS --max-time 2 "$AH/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

# --- act, repeat after the cooldown, give up and hand over ----------------------------------
fire portal
wait_for 30 "the first restart of portal" at_least 1 restarts_of portal
check "the first notification restarted portal once" test "$(restarts_of portal)" -eq 1
wait_for 30 "the second attempt after the cooldown" at_least 2 restarts_of portal
wait_for 30 "the hand-over" at_least 1 decisions gave_up
pages() { curl -fsS --max-time 2 -G "$MS/api/v1/messages" --data-urlencode "channel=pages" | jq -c '.data'; }
check "auto-heal gave up after 2 restarts, and restarted no more" test "$(restarts_of portal)" -eq 2
wait_for 10 "the page in #pages" jq -e 'length >= 1' <<<"$(pages)"
page_has() { pages | jq -e 'any(.[]; .text | startswith("auto-heal gave up on portal after 2 restarts (HealItRestarting)"))' >/dev/null; }
wait_for 10 "the hand-over page text" page_has
check "the page to a human is in #pages" page_has
check "the audit metric counts the actions" test "$(metric 'autohealer_actions_total{action="restart",result="acted"}')" = 2
check "...and the hand-over" test "$(metric 'autohealer_actions_total{action="restart",result="gave_up"}')" = 1
check "/metrics passes promtool check metrics" bash -c "curl -fsS '$AH/metrics' | '$PROMTOOL' check metrics"

incident_events() { # alertname -> the events of its incident in mock-slack
  local id
  id=$(curl -fsS --max-time 2 -G "$MS/api/v1/incidents" --data-urlencode "alertname=$1" | jq -r '.data[0].id // empty')
  [[ -n $id ]] || return 1
  curl -fsS --max-time 2 "$MS/api/v1/incidents/$id/events" | jq -c '.events'
}
events_complete() { incident_events HealItRestarting | jq -e '[.[].details.result] | index("gave_up") != null' >/dev/null; }
wait_for 10 "the incident's events" events_complete
check "the incident's timeline holds each decision in time order" \
  jq -e '[.[] | select(.kind == "auto_heal" and .author == "auto-healer") | .details.result]
         | (index("acted") < index("gave_up")) and (map(select(. == "acted")) | length) == 2' \
  <<<"$(incident_events HealItRestarting)"

# --- a failing restart answers 500, and Alertmanager's retry acts once it works ---------------
touch "$WORK/fail"
fire checkout
wait_for 30 "a failed restart" at_least 1 decisions failed
check "the failure restarted nothing" test "$(restarts_of checkout)" -eq 0
rm -f "$WORK/fail"
wait_for 30 "Alertmanager's retry to restart checkout" at_least 1 restarts_of checkout
check "Alertmanager retried the 500 until the restart worked" test "$(restarts_of checkout)" -eq 1

# --- a silence that matches holds the auto-healer back ----------------------------------------
curl -fsS --max-time 5 -H 'Content-Type: application/json' "$AM/api/v2/silences" -d "{
  \"matchers\":[{\"name\":\"service\",\"value\":\"search\",\"isRegex\":false,\"isEqual\":true}],
  \"startsAt\":\"$(now)\",\"endsAt\":\"$(now '+1 hour')\",\"createdBy\":\"integration test\",
  \"comment\":\"maintenance: no auto-heal\"}" >/dev/null
# Alertmanager sends nothing for a silenced alert; a delivery already on its way (or a replica
# that has not seen the silence yet) is what the check is for: post one as Alertmanager would.
body=$(jq -n --arg s "$(now '-1 min')" '{version:"4",status:"firing",receiver:"auto-healer",
  groupKey:"{}/{remediation=~\".+\"}:{alertname=\"HealItRestarting\"}",truncatedAlerts:0,
  groupLabels:{alertname:"HealItRestarting"},commonLabels:{},commonAnnotations:{},
  externalURL:"http://alertmanager",alerts:[{status:"firing",labels:{alertname:"HealItRestarting",
  service:"search",remediation:"restart"},annotations:{},startsAt:$s,endsAt:"0001-01-01T00:00:00Z",
  generatorURL:"",fingerprint:"00000000000000aa"}]}')
reply=$(curl -sS --max-time 5 -H "Authorization: Bearer $(cat "$WORK/ah-token")" -H 'Content-Type: application/json' \
  -d "$body" "$AH/webhook")
check "a matching silence holds the restart back" jq -e '.decisions[0].result == "silenced"' <<<"$reply"
check "...and nothing was restarted" test "$(restarts_of search)" -eq 0

# --- hostile and bad input ---------------------------------------------------------------------
code() { curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
check "no token: 401" test "$(code -H 'Content-Type: application/json' -d "$body" "$AH/webhook")" = 401
check "a wrong token: 401" test "$(code -H 'Authorization: Bearer nope' -d "$body" "$AH/webhook")" = 401
check "malformed JSON: 400" \
  test "$(code -H "Authorization: Bearer $(cat "$WORK/ah-token")" -d '{"alerts":' "$AH/webhook")" = 400
check "GET /webhook: 405" test "$(code "$AH/webhook")" = 405
check "/healthz answers 200" test "$(code "$AH/healthz")" = 200
set +e
"$AUTO_HEALER" serve --backend local >"$WORK/bad-flags.log" 2>&1; rc=$?
set -e
check "a missing restart command exits 2" test "$rc" -eq 2
check "...with one line naming the setting" \
  test "$(cat "$WORK/bad-flags.log")" = "auto-healer: --local-restart-command: required with --backend local (see --help)"
set +e
env -u KUBERNETES_SERVICE_HOST "$AUTO_HEALER" scan >"$WORK/no-cluster.log" 2>&1; rc=$?
set -e
check "scan outside a cluster exits 2 naming KUBERNETES_SERVICE_HOST" \
  bash -c "test $rc -eq 2 && grep -q 'KUBERNETES_SERVICE_HOST is not set' '$WORK/no-cluster.log'"
check "--version prints the version" bash -c "'$AUTO_HEALER' --version | grep -q '^auto-healer '"

kill -TERM "$AH_PID"
set +e
wait "$AH_PID"; rc=$?
set -e
check "SIGTERM: exit 0" test "$rc" -eq 0

echo "$passed passed, $failed failed"
(( failed == 0 ))
