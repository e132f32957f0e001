#!/usr/bin/env bash
# The HA history (issue #22) on the real binaries: a scratch PostgreSQL server (tests/pg-server),
# two Alertmanagers clustered over gossip on loopback, each sending its webhook to its own
# mock-slack replica, both replicas on the one database. A stream of alerts is posted to both
# Alertmanagers, as Prometheus sends to every Alertmanager, and the replica that the first
# Alertmanager of the cluster (the one that sends, the other waiting its peer timeout) delivers
# to is killed with SIGKILL in the middle of it; the other Alertmanager takes over the sending.
# Afterwards: every notification that an Alertmanager counted as delivered (a 200) is stored,
# no alert firing is stored twice, each firing is one incident, and all of them resolved.
# Usage: tests/ha/run.sh    (BIN: the build's bin folder, default build/bin)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
BIN=${BIN:-$ROOT/build/bin}
ALERTS=${ALERTS:-30}
work=$(mktemp -d /tmp/firedrill-ha.XXXXXX)
# The server's own folder, apart: as root, the postgres user must reach it.
pgdir=$(mktemp -d /tmp/firedrill-ha-pg.XXXXXX)
pids=()
cleanup() {
  local code=$?
  if (( code != 0 || failed > 0 )); then tail_logs 15 "$work"/*.log; fi
  stop_children "${pids[@]}"
  "$ROOT/tests/pg-server" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$work" "$pgdir"
}
trap cleanup EXIT

uri=$("$ROOT/tests/pg-server" start "$pgdir")
psql_q() { psql "$uri" -XAtqc "$1"; }
printf 'ha-test-token\n' >"$work/token"

read -r ms1 ms2 am1 am2 gossip1 gossip2 <<<"$(free_ports 6)"
start_mock_slack() { # N PORT
  "$BIN/mock-slack" --listen "127.0.0.1:$2" --db "$uri" --webhook-token-file "$work/token" \
    --drain-delay 0s --retention-interval 0 --watchdog-timeout 0 --store-probe-interval 1s \
    >>"$work/mock-slack-$1.log" 2>&1 &
  pids+=($!)
  eval "ms${1}_pid=$!"
}
start_mock_slack 1 "$ms1"
start_mock_slack 2 "$ms2"

# Each Alertmanager sends to its own replica; one alert a group, so each firing is one incident.
for n in 1 2; do
  port_var=ms$n
  cat >"$work/am$n.yml" <<YAML
route:
  receiver: history
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: history
    webhook_configs:
      - url: http://127.0.0.1:${!port_var}/webhook
        send_resolved: true
        http_config:
          authorization:
            credentials_file: $work/token
YAML
done
start_alertmanager() { # N PORT GOSSIP PEER
  prometheus-alertmanager --config.file="$work/am$1.yml" --storage.path="$work/am$1" \
    --web.listen-address="127.0.0.1:$2" --cluster.listen-address="127.0.0.1:$3" \
    --cluster.peer="127.0.0.1:$4" --cluster.peer-timeout=2s --cluster.gossip-interval=100ms \
    --cluster.pushpull-interval=2s --cluster.settle-timeout=5s --log.format=json \
    >>"$work/alertmanager-$1.log" 2>&1 &
  pids+=($!)
}
start_alertmanager 1 "$am1" "$gossip1" "$gossip2"
start_alertmanager 2 "$am2" "$gossip2" "$gossip1"

up() { curl -fsS -o /dev/null --max-time 2 "$1"; }
wait_for 60 "mock-slack 1 ready" up "http://127.0.0.1:$ms1/readyz"
wait_for 60 "mock-slack 2 ready" up "http://127.0.0.1:$ms2/readyz"
peers() { curl -fsS --max-time 2 "http://127.0.0.1:$1/api/v2/status" | jq '.cluster.peers | length'; }
clustered() { [[ $(peers "$am1") == 2 && $(peers "$am2") == 2 ]]; }
check "the two Alertmanagers form one cluster" wait_for 60 "a cluster of two" clustered
ready_am() { up "http://127.0.0.1:$1/-/ready"; }
wait_for 60 "alertmanager 1 ready" ready_am "$am1"
wait_for 60 "alertmanager 2 ready" ready_am "$am2"

# Which Alertmanager sends: the first of the cluster's positions sends at once, the other waits
# its peer timeout and sends only what the first has not. Found from the first alert's delivery.
requests() { # PORT: webhook requests the Alertmanager made
  curl -fsS "http://127.0.0.1:$1/metrics" |
    awk '$1 ~ /^alertmanager_notification_requests_total\{.*integration="webhook"/ { n += $2 } END { print int(n) }'
}
sender() { if (( $(requests "$am1") > 0 )); then echo 1; elif (( $(requests "$am2") > 0 )); then echo 2; else return 1; fi; }
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
in_minutes() { date -u -d "+$1 minutes" +%Y-%m-%dT%H:%M:%S.%3NZ; }
# As Prometheus sends an alert to every Alertmanager: the same startsAt (when the rule fired) to
# both, and an endsAt ahead while it fires; the resolution ends it now.
declare -A started
post() { # STATUS(firing|resolved) INDEX
  local ends body
  [[ -n ${started[$2]:-} ]] || started[$2]=$(now)
  if [[ $1 == resolved ]]; then ends=$(now); else ends=$(in_minutes 10); fi
  body=$(jq -cn --arg i "$2" --arg starts "${started[$2]}" --arg ends "$ends" '[{labels: {alertname: "HaDrill",
    instance: ("host-" + $i), service: "portal", severity: "page"},
    annotations: {summary: ("host " + $i + " is down")}, startsAt: $starts, endsAt: $ends}]')
  for am in "$am1" "$am2"; do
    curl -fsS -o /dev/null --max-time 5 -H 'Content-Type: application/json' -d "$body" \
      "http://127.0.0.1:$am/api/v2/alerts"
  done
}

post firing 0
wait_for 30 "the first alert's notification" sender
first=$(sender)
echo "alertmanager $first sends: its replica, mock-slack $first, is the one killed"
half=$(( ALERTS / 2 ))
for (( i = 1; i < ALERTS; i++ )); do
  post firing "$i"
  if (( i == half )); then
    victim_pid_var=ms${first}_pid
    kill -KILL "${!victim_pid_var}"
    echo "mock-slack $first killed with SIGKILL after $((i + 1)) of $ALERTS alerts"
  fi
  sleep 0.2  # the stream's pace, as alerts arrive over time (not a synchronisation)
done

stored() { psql_q "SELECT count(DISTINCT fingerprint) FROM occurrences WHERE alertname = 'HaDrill'"; }
all_stored() { [[ $(stored) == "$ALERTS" ]]; }
check "every alert of the stream is stored" wait_for 90 "$ALERTS occurrences" all_stored

for (( i = 0; i < ALERTS; i++ )); do post resolved "$i"; done
resolved() { psql_q "SELECT count(*) FROM occurrences WHERE alertname = 'HaDrill' AND status = 'resolved'"; }
all_resolved() { [[ $(resolved) == "$ALERTS" ]]; }
check "every alert's resolution is stored" wait_for 90 "$ALERTS resolved" all_resolved
quiet_incidents() { [[ $(psql_q "SELECT count(*) FROM incidents WHERE resolved_at IS NULL") == 0 ]]; }
check "every incident resolved" wait_for 60 "no open incident" quiet_incidents

# What each Alertmanager counts as delivered: its webhook requests that did not fail (every
# request, retries included; a notification still being retried has not failed yet).
delivered() {
  curl -fsS "http://127.0.0.1:$1/metrics" | awk '
    $1 ~ /^alertmanager_notification_requests_total\{.*integration="webhook"/ { total += $2 }
    $1 ~ /^alertmanager_notification_requests_failed_total\{.*integration="webhook"/ { failed += $2 }
    END { print int(total - failed) }'
}
d1=$(delivered "$am1") d2=$(delivered "$am2")
notifications=$(psql_q "SELECT count(*) FROM notifications WHERE group_key LIKE '%HaDrill%'")
echo "delivered: alertmanager 1 $d1, alertmanager 2 $d2; stored notifications: $notifications"
check "every delivered notification is stored ($((d1 + d2)) delivered, $notifications stored)" \
  test "$notifications" -ge $((d1 + d2))
other=$(( 3 - first ))
check "the surviving Alertmanager took over the sending" test "$(delivered "$(eval echo "\$am$other")")" -gt 0
check "no firing is stored twice" \
  test "$(psql_q "SELECT count(*) FROM occurrences WHERE alertname = 'HaDrill'")" = "$ALERTS"
check "each firing is one incident" \
  test "$(psql_q "SELECT count(*) FROM incidents WHERE group_key LIKE '%HaDrill%'")" = "$ALERTS"
check "each incident holds its one occurrence" \
  test "$(psql_q "SELECT count(*) FROM incidents WHERE alert_count <> 1 OR firing_count <> 0")" = 0
check "the surviving replica serves the history over its API" bash -c \
  "curl -fsS 'http://127.0.0.1:$(eval echo "\$ms$other")/api/v1/alerts?alertname=HaDrill&limit=500' | jq -e '.data | length == $ALERTS' >/dev/null"

# The killed replica starts again on the same database and serves the same history.
start_mock_slack "$first" "$(eval echo "\$ms$first")"
wait_for 60 "mock-slack $first ready again" up "http://127.0.0.1:$(eval echo "\$ms$first")/readyz"
check "the restarted replica serves the same history" bash -c \
  "curl -fsS 'http://127.0.0.1:$(eval echo "\$ms$first")/api/v1/incidents?alertname=HaDrill&limit=500' | jq -e '.data | length == $ALERTS' >/dev/null"

if (( failed > 0 )); then
  psql_q "SELECT id, group_key, alert_count, firing_count, resolved_at FROM incidents ORDER BY id"
  psql_q "SELECT id, fingerprint, starts_at, status, resolved_by FROM occurrences ORDER BY id"
fi
echo "$passed passed, $failed failed"
(( failed == 0 ))
