#!/usr/bin/env bash
# End-to-end: the whole pipeline on ephemeral loopback ports with the drill profile (windows / 60,
# 1 s scrape and evaluation), real Prometheus, Alertmanager and Pushgateway.
#   no page while healthy -> break -> page stored in mock-slack through Alertmanager (webhook and
#   Slack format) -> heal -> resolved; batch-sync gauges in Prometheus through the Pushgateway;
#   Watchdog heartbeats and no banner while healthy; every rule group healthy; every dashboard
#   query evaluates and returns data; the postmortem draft holds the incident's timeline.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
WAIT_FOR_POLL=1
export BIN=${BIN:-$ROOT/build/bin}
export PROFILE=drill
export FIREDRILL_STATE; FIREDRILL_STATE=$(mktemp -d /tmp/firedrill-e2e-XXXXXX)
export LOAD_RPS=40 BATCH_INTERVAL=5 BREAK_ERROR_RATE=1.0

read -r PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT <<<"$(free_ports 7)"
export PORTAL_PORT PORTAL_OPS_PORT MOCKSLACK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PUSHGATEWAY_PORT AUTOHEALER_PORT
PROM=http://127.0.0.1:$PROMETHEUS_PORT
MS=http://127.0.0.1:$MOCKSLACK_PORT
START=$(date +%s)

elapsed() { echo "$(( $(date +%s) - START ))s"; }
cleanup() {
  local code=$?
  if (( code != 0 || failed > 0 )); then
    tail_logs 15 "$FIREDRILL_STATE"/logs/*.log
  fi
  "$ROOT/scripts/stack" down >/dev/null 2>&1 || true
  rm -rf "$FIREDRILL_STATE"
}
trap cleanup EXIT

prom() { curl -fsS --max-time 5 "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result | length'; }
has_series() { [[ $(prom "$1") -gt 0 ]]; }
alerts_json() { curl -fsS --max-time 5 -G "$MS/api/v1/alerts" "$@"; }
page_count() { alerts_json --data-urlencode "alertname=PortalAvailabilityBudgetBurn" --data-urlencode "severity=page" | jq '.data | length'; }
paged() { [[ $(page_count) -gt 0 ]]; }

"$ROOT/scripts/stack" up >/dev/null
echo "stack up in $(elapsed) (ports: portal $PORTAL_PORT, mock-slack $MOCKSLACK_PORT, prometheus $PROMETHEUS_PORT)"

wait_for 90 "portal SLI in Prometheus" has_series 'slo:sli_error:ratio_rate1h{service="portal",slo="availability"}'
# Healthy for a while: a full minute of 1 s scrapes (the page's long window at the drill scale),
# then no page may have fired at any point of it (PortalSLIAbsent is pending until the first
# scrape, which its `for` exists to absorb).
wait_for 120 "a minute of healthy scrapes" has_series 'count_over_time(up{job="portal"}[70s]) >= 60'
check "no page while healthy (Prometheus, over the last minute)" \
  test "$(prom 'max_over_time(ALERTS{alertstate="firing",severity="page",alertname=~"Portal.*"}[70s])')" -eq 0
check "no page while healthy (mock-slack)" test "$(page_count)" -eq 0
# The Watchdog's heartbeats arrive (the watch is armed), and a healthy stack shows no banner.
heartbeat_seen() { curl -fsS --max-time 5 "$MS/metrics" | grep -q '^mockslack_watchdog_last_seen_timestamp_seconds '; }
check "Watchdog heartbeats reach mock-slack" wait_for 90 "a heartbeat" heartbeat_seen
check "a healthy stack shows no Watchdog banner" \
  bash -c "! curl -fsS --max-time 5 '$MS/' | grep -q 'class=\"alarm\"'"

"$ROOT/scripts/stack" break errors >/dev/null
T_BREAK=$(date +%s)
check "page reaches mock-slack through Alertmanager" wait_for 120 "page in mock-slack" paged
echo "paged $(( $(date +%s) - T_BREAK ))s after the break"
INCIDENT=$(curl -fsS --max-time 5 -G "$MS/api/v1/incidents" --data-urlencode "alertname=PortalAvailabilityBudgetBurn" \
  --data-urlencode "severity=page" | jq -r '.data[0].id')
slack_page() { curl -fsS --max-time 5 -G "$MS/api/v1/messages" --data-urlencode "channel=pages" | jq -e '[.data[] | tostring | select(test("PortalAvailabilityBudgetBurn"))] | length > 0' >/dev/null; }
check "Slack-format page in the #pages channel" wait_for 30 "slack message" slack_page

# The on-call works the incident in the stack's mock-slack as a browser without script would:
# the page reads anonymously and offers Sign in; /signin asks for the stack's UI user and sends
# them back; signed in, the page has the forms; the acknowledgement posts with the session's
# cookie, its CSRF token and this site's Origin, and is stored under the user's name.
UI_LOGIN=$(grep -v '^#' "$FIREDRILL_STATE/secrets/mock-slack-ui-users" | head -n1)
JAR=$FIREDRILL_STATE/cookies
# The page is read whole before grep looks at it: grep -q closing the pipe early would make curl
# fail ("Failed writing body"), and pipefail the check.
signin_link() {
  local html; html=$(curl -fsS --max-time 5 "$MS/incidents/$INCIDENT")
  grep -q "href=\"/signin?next=%2Fincidents%2F$INCIDENT\"" <<<"$html"
}
check "an anonymous reader of the incident page is offered Sign in" signin_link
status_of() { curl -sS -o /dev/null --max-time 5 -w '%{http_code} %header{location}' "$@"; }
check "/signin asks for the UI user" test "$(status_of "$MS/signin?next=%2Fincidents%2F$INCIDENT")" = "401 "
check "/signin with the UI user goes back to the incident" \
  test "$(status_of -u "$UI_LOGIN" "$MS/signin?next=%2Fincidents%2F$INCIDENT")" = "303 /incidents/$INCIDENT"
acknowledge() {
  local html csrf
  html=$(curl -fsS --max-time 5 -u "$UI_LOGIN" -c "$JAR" "$MS/incidents/$INCIDENT")
  csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<<"$html" | sed -n 1p)
  [[ -n $csrf ]] || { echo "the signed-in page has no forms"; return 1; }
  [[ $(status_of -u "$UI_LOGIN" -b "$JAR" -H "Origin: $MS" --data-urlencode "csrf=$csrf" \
        --data-urlencode kind=acknowledged --data-urlencode "text=e2e on it" \
        "$MS/incidents/$INCIDENT/events") == "303 /incidents/$INCIDENT" ]]
}
check "the signed-in on-call acknowledges through the incident page's form" acknowledge
check "the acknowledgement is stored under the UI user's name" bash -c \
  "curl -fsS --max-time 5 '$MS/api/v1/incidents/$INCIDENT/events' |
   jq -e '[.events[] | select(.kind == \"acknowledged\" and .author == \"${UI_LOGIN%%:*}\" and .text == \"e2e on it\")] | length == 1' >/dev/null"

"$ROOT/scripts/stack" heal >/dev/null
T_HEAL=$(date +%s)
resolved() { [[ $(curl -fsS --max-time 5 "$MS/api/v1/incidents/$INCIDENT" | jq -r '.status') == resolved ]]; }
check "incident $INCIDENT resolves after heal" wait_for 150 "incident resolved" resolved
echo "resolved $(( $(date +%s) - T_HEAL ))s after the heal"

check "batch-sync gauges in Prometheus through the Pushgateway" \
  wait_for 30 "batch-sync gauges" has_series 'batch_sync_last_run_success{job="batch-sync"}'
check "batch-sync succeeded at least once" has_series 'batch_sync_last_success_timestamp_seconds{job="batch-sync"} > 0'

rules_healthy() {
  curl -fsS --max-time 5 "$PROM/api/v1/rules" | jq -e '
    [.data.groups[].rules[]] as $r | ($r | length) > 0 and ([$r[] | select(.health != "ok")] | length) == 0' >/dev/null
}
check "every rule group evaluates without errors" rules_healthy

check "every dashboard query evaluates and returns data" node "$ROOT/tests/e2e/dashboard-queries.mjs" "$PROM"

postmortem_has_timeline() {
  local md; md=$(curl -fsS --max-time 10 "$MS/incidents/$INCIDENT/postmortem.md")
  grep -q "PortalAvailabilityBudgetBurn" <<<"$md" && grep -qi "^## Timeline" <<<"$md" &&
    grep -qi "resolved" <<<"$md"
}
check "postmortem draft holds the incident's timeline" postmortem_has_timeline
postmortem_has_acknowledgement() {
  local md; md=$(curl -fsS --max-time 10 "$MS/incidents/$INCIDENT/postmortem.md")
  grep -Eq '^\| Acknowledged \| [0-9]{4}-.* by '"${UI_LOGIN%%:*}"' \|$' <<<"$md" &&
    grep -Eq '^- \*\*Time to acknowledge \(TTA\):\*\* [0-9]' <<<"$md"
}
check "postmortem draft gives who acknowledged and the TTA" postmortem_has_acknowledgement

echo "e2e: $passed passed, $failed failed in $(elapsed)"
(( failed == 0 ))
