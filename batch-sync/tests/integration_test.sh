#!/usr/bin/env bash
# batch-sync end to end with real binaries on ephemeral loopback ports: a real Alertmanager holds a
# firing alert and a silenced one, a real Pushgateway receives the reports, mock-slack keeps the
# history. Checks: the silenced alert reaches mock-slack's history, with --silences so does the
# silence, linked to the alert's occurrence, a second run adds nothing, an alert that ended in
# Alertmanager is resolved by the next run's sweep past --resolve-grace, the
# Pushgateway shows every gauge under job="batch-sync" alone, a forced failure keeps the previous
# success timestamp and sets success 0, a hang is cut by --deadline, a crash exits non-zero, an
# unreachable Pushgateway exits 1 naming it, and bad flags exit 2 with one clear line.
# Usage: integration_test.sh BATCH_SYNC MOCK_SLACK ALERTMANAGER PUSHGATEWAY
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
WAIT_FOR_POLL=0.1
BATCH_SYNC=$1 MOCK_SLACK=$2 ALERTMANAGER=$3 PUSHGATEWAY=$4
WORK=$(mktemp -d /tmp/batch-sync-it-XXXXXX)
PIDS=()

cleanup() {
  local code=$?
  stop_children "${PIDS[@]}"
  if (( code != 0 || failed > 0 )); then tail_logs 20 "$WORK"/*.log; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

read -r AM_PORT PG_PORT MS_PORT CLOSED_PORT <<<"$(free_ports 4)"
AM=http://127.0.0.1:$AM_PORT PG=http://127.0.0.1:$PG_PORT MS=http://127.0.0.1:$MS_PORT


# --- the peers -----------------------------------------------------------------------------------
cat >"$WORK/alertmanager.yml" <<'YAML'
route:
  receiver: nowhere
receivers:
  - name: nowhere
YAML
"$ALERTMANAGER" --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/am" \
  --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= >"$WORK/alertmanager.log" 2>&1 &
PIDS+=($!)
"$PUSHGATEWAY" --web.listen-address="127.0.0.1:$PG_PORT" --persistence.file="$WORK/pushgateway.data" >"$WORK/pushgateway.log" 2>&1 &
PIDS+=($!)
printf 'it-token-%s\n' "$RANDOM$RANDOM" >"$WORK/token"
"$MOCK_SLACK" --listen "127.0.0.1:$MS_PORT" --db "$WORK/mock-slack.db" \
  --webhook-token-file "$WORK/token" >"$WORK/mock-slack.log" 2>&1 &
PIDS+=($!)
wait_for 30 "Alertmanager" curl -fsS --max-time 2 "$AM/-/ready"
wait_for 30 "Pushgateway" curl -fsS --max-time 2 "$PG/-/ready"
wait_for 30 "mock-slack" curl -fsS --max-time 2 "$MS/readyz"

# --- alerts in Alertmanager: one firing, one silenced -------------------------------------------
now() { date -u -d "${1:-now}" +%Y-%m-%dT%H:%M:%S.000Z; }
curl -fsS --max-time 5 -H 'Content-Type: application/json' "$AM/api/v2/alerts" -d "[
  {\"labels\":{\"alertname\":\"BatchSyncItFiring\",\"severity\":\"warning\",\"service\":\"portal\"},
   \"annotations\":{\"summary\":\"firing, delivered by the webhook\"},
   \"startsAt\":\"$(now '-5 min')\",\"endsAt\":\"$(now '+1 hour')\",\"generatorURL\":\"http://prometheus/graph\"},
  {\"labels\":{\"alertname\":\"BatchSyncItSilenced\",\"severity\":\"warning\",\"service\":\"portal\"},
   \"annotations\":{\"summary\":\"silenced, never delivered by the webhook\"},
   \"startsAt\":\"$(now '-5 min')\",\"endsAt\":\"$(now '+1 hour')\",\"generatorURL\":\"http://prometheus/graph\"}]" >/dev/null
SILENCE_ID=$(curl -fsS --max-time 5 -H 'Content-Type: application/json' "$AM/api/v2/silences" -d "{
  \"matchers\":[{\"name\":\"alertname\",\"value\":\"BatchSyncItSilenced\",\"isRegex\":false,\"isEqual\":true}],
  \"startsAt\":\"$(now)\",\"endsAt\":\"$(now '+1 hour')\",\"createdBy\":\"integration test\",
  \"comment\":\"batch-sync must still record this alert\"}" | jq -r .silenceID)
silenced_in_am() {
  curl -fsS --max-time 2 "$AM/api/v2/alerts?silenced=true" |
    jq -e --arg id "$SILENCE_ID" '.[] | select(.labels.alertname == "BatchSyncItSilenced")
      | select(.status.state == "suppressed" and (.status.silencedBy | index($id)))' >/dev/null
}
wait_for 30 "Alertmanager to mark the alert silenced" silenced_in_am

# --- helpers ------------------------------------------------------------------------------------
run() { # name args... -> exit code in $RC, stderr in $WORK/name.log
  local name=$1; shift
  set +e
  timeout 60 "$BATCH_SYNC" --alertmanager-url "$AM" --mock-slack-url "$MS" --pushgateway-url "$PG" \
    --mock-slack-token-file "$WORK/token" --batch-size 1 --seed 7 "$@" >"$WORK/$name.log" 2>&1
  RC=$?
  set -e
}
gauge() { # metric -> its value in the group {job="batch-sync"}, or empty
  curl -fsS --max-time 5 "$PG/api/v1/metrics" | jq -r --arg m "$1" '
    .data[] | select(.labels == {"job":"batch-sync"}) | .[$m].metrics[0].value // empty'
}
history() { # alertname -> mock-slack's records of it, as JSON
  curl -fsS --max-time 5 -G "$MS/api/v1/alerts" --data-urlencode "alertname=$1" | jq -c '(.data // .alerts // .items)'
}
total_records() { curl -fsS --max-time 5 "$MS/api/v1/alerts" | jq '(.data // .alerts // .items) | length'; }
silences() { curl -fsS --max-time 5 "$MS/api/v1/silences" | jq -c .data; }
log_has() { # name jq-condition -> some JSON log line of that run satisfies it
  jq -R -e -n "[inputs | fromjson? | select($2)] | length > 0" "$WORK/$1.log" >/dev/null
}

# --- a successful run --------------------------------------------------------------------------
check "no history of the silenced alert before the run" test "$(history BatchSyncItSilenced | jq length)" -eq 0
check "no silences in mock-slack before the run" test "$(silences | jq length)" -eq 0
run first --silences
check "first run exits 0" test "$RC" -eq 0
check "the silenced alert is in mock-slack's history" test "$(history BatchSyncItSilenced | jq length)" -eq 1
# shellcheck disable=SC2016 # $id is jq's variable, not the shell's
check "...marked as silenced by the silence" \
  jq -e --arg id "$SILENCE_ID" '.[0] | tostring | contains($id)' <<<"$(history BatchSyncItSilenced)"
check "the firing alert is in mock-slack's history" test "$(history BatchSyncItFiring | jq length)" -eq 1
# shellcheck disable=SC2016 # $id is jq's variable, not the shell's
check "the silence is in mock-slack with its matchers" \
  jq -e --arg id "$SILENCE_ID" 'length == 1 and .[0].id == $id and .[0].state == "active"
    and .[0].createdBy == "integration test"
    and .[0].matchers == [{"name":"alertname","value":"BatchSyncItSilenced","isRegex":false,"isEqual":true}]' \
  <<<"$(silences)"
check "...linked to the silenced alert's occurrence, and to nothing else" \
  test "$(silences | jq -c '.[0].occurrenceIds')" = "$(history BatchSyncItSilenced | jq -c '[.[0].id]')"
check "records_processed 3 (two alerts and the silence, one per batch)" test "$(gauge batch_sync_records_processed)" = 3
check "records_new 3" test "$(gauge batch_sync_records_new)" = 3
RECORDS=$(total_records)
SILENCES=$(silences)

BATCHSYNC_SILENCES=true run second
check "second run (BATCHSYNC_SILENCES=true) exits 0" test "$RC" -eq 0
check "second run adds nothing to mock-slack" test "$(total_records)" -eq "$RECORDS"
check "second run changes no silence but its last sync time" \
  test "$(silences | jq -c 'map(del(.lastSyncedAt))')" = "$(jq -c 'map(del(.lastSyncedAt))' <<<"$SILENCES")"
check "records_new 0 on the second run" test "$(gauge batch_sync_records_new)" = 0
check "records_processed still 3" test "$(gauge batch_sync_records_processed)" = 3
check "records_resolved 0: everything stored is still listed" test "$(gauge batch_sync_records_resolved)" = 0

# --- the sweep: what Alertmanager no longer lists resolves, past the grace --------------------------
curl -fsS --max-time 5 -H 'Content-Type: application/json' "$AM/api/v2/alerts" -d "[
  {\"labels\":{\"alertname\":\"BatchSyncItGone\",\"severity\":\"warning\",\"service\":\"portal\"},
   \"annotations\":{\"summary\":\"ends in Alertmanager while nobody hears it\"},
   \"startsAt\":\"$(now '-1 min')\",\"endsAt\":\"$(now '+3 sec')\",\"generatorURL\":\"http://prometheus/graph\"}]" >/dev/null
run gone_listed
check "a run while it is listed exits 0" test "$RC" -eq 0
check "...and stores it firing" jq -e 'length == 1 and .[0].status == "firing"' <<<"$(history BatchSyncItGone)"
gone_in_am() { ! curl -fsS --max-time 2 "$AM/api/v2/alerts" | jq -e '.[] | select(.labels.alertname == "BatchSyncItGone")' >/dev/null; }
wait_for 300 "Alertmanager to stop listing the ended alert" gone_in_am
run gone_swept --resolve-grace 1s
check "the next run (--resolve-grace 1s) exits 0" test "$RC" -eq 0
check "...resolves it in mock-slack, by the sweep, its end its last sync" \
  jq -e 'length == 1 and .[0].status == "resolved" and .[0].resolvedBy == "sweep"
    and .[0].endsAt == .[0].lastSyncedAt' <<<"$(history BatchSyncItGone)"
check "...and leaves what is still listed firing" \
  jq -e 'length == 1 and .[0].status == "firing"' <<<"$(history BatchSyncItFiring)"
check "...pushing records_resolved 1" test "$(gauge batch_sync_records_resolved)" = 1
check "...and logging it" log_has gone_swept '.msg == "run succeeded" and .records_resolved == 1'

for m in batch_sync_last_success_timestamp_seconds batch_sync_last_run_timestamp_seconds \
         batch_sync_last_run_duration_seconds batch_sync_last_run_success batch_sync_records_processed \
         batch_sync_records_new batch_sync_records_resolved batch_sync_errors; do
  check "Pushgateway has $m under job=\"batch-sync\" alone" test -n "$(gauge $m)"
done
check "one group only, keyed by job alone (no instance label)" \
  jq -e '[.data[] | select(.labels.job == "batch-sync")] | length == 1 and (.[0].labels | keys == ["job"])' \
  <<<"$(curl -fsS --max-time 5 "$PG/api/v1/metrics")"
check "last_run_success 1" test "$(gauge batch_sync_last_run_success)" = 1
LAST_SUCCESS=$(gauge batch_sync_last_success_timestamp_seconds)
LAST_RUN=$(gauge batch_sync_last_run_timestamp_seconds)
check "last success is a recent Unix time" \
  python3 -c "import sys,time; sys.exit(0 if abs(time.time() - float('$LAST_SUCCESS')) < 120 else 1)"

# --- a forced failure keeps the last success -------------------------------------------------------
run failure --fail-rate 1 --fail-mode error
check "forced failure exits 1" test "$RC" -eq 1
check "forced failure sets last_run_success 0" test "$(gauge batch_sync_last_run_success)" = 0
check "forced failure keeps the previous last success timestamp" \
  test "$(gauge batch_sync_last_success_timestamp_seconds)" = "$LAST_SUCCESS"
check "forced failure moves the last run timestamp" \
  python3 -c "import sys; sys.exit(0 if float('$(gauge batch_sync_last_run_timestamp_seconds)') > float('$LAST_RUN') else 1)"
check "forced failure counts an error" test "$(gauge batch_sync_errors)" = 1

run no_env
check "without BATCH_FAILURE_RATE the run succeeds" test "$RC" -eq 0
LAST_SUCCESS=$(gauge batch_sync_last_success_timestamp_seconds)
export BATCH_FAILURE_RATE=1
run legacy_env_failure
unset BATCH_FAILURE_RATE
check "BATCH_FAILURE_RATE=1 fails the run" test "$RC" -eq 1

# --- a hang is cut by the deadline -----------------------------------------------------------------
T0=$(date +%s%N)
run hang --fail-rate 1 --fail-mode hang --deadline 2s
T1=$(date +%s%N)
check "hang exits 1" test "$RC" -eq 1
check "hang is cut near the 2s deadline (not by the test's 60s timeout)" test $(( (T1 - T0) / 1000000 )) -lt 15000
check "hang logs the deadline" log_has hang '.msg == "run failed" and .error == "deadline exceeded (2s) while injected hang"'
check "hang reports last_run_success 0" test "$(gauge batch_sync_last_run_success)" = 0
check "hang keeps the previous last success timestamp" \
  test "$(gauge batch_sync_last_success_timestamp_seconds)" = "$LAST_SUCCESS"

# --- a crash exits non-zero without a report --------------------------------------------------------
BEFORE=$(gauge batch_sync_last_run_timestamp_seconds)
run crash --fail-rate 1 --fail-mode crash
check "crash exits non-zero (and not 1 or 2: a signal)" test "$RC" -ne 0 -a "$RC" -ne 1 -a "$RC" -ne 2
check "crash pushes nothing" test "$(gauge batch_sync_last_run_timestamp_seconds)" = "$BEFORE"

# --- Pushgateway unreachable ----------------------------------------------------------------------
set +e
timeout 60 "$BATCH_SYNC" --alertmanager-url "$AM" --mock-slack-url "$MS" \
  --pushgateway-url "http://127.0.0.1:$CLOSED_PORT" --mock-slack-token-file "$WORK/token" \
  --push-timeout 1s --backoff-initial 50ms >"$WORK/unreachable.log" 2>&1
RC=$?
set -e
check "unreachable Pushgateway exits 1" test "$RC" -eq 1
check "unreachable Pushgateway is logged with its address" \
  log_has unreachable ".msg == \"report not pushed\" and .pushgateway == \"http://127.0.0.1:$CLOSED_PORT\""

# --- mock-slack's token is required ---------------------------------------------------------------
set +e
timeout 60 "$BATCH_SYNC" --alertmanager-url "$AM" --mock-slack-url "$MS" --pushgateway-url "$PG" \
  --mock-slack-token wrong >"$WORK/wrong_token.log" 2>&1
RC=$?
set -e
check "a wrong mock-slack token fails the run at once (401, not retried)" test "$RC" -eq 1
check "...and says so" log_has wrong_token '.msg == "run failed" and (.error | test("/api/v1/sync: answered 401"))'
check "...without retrying" test "$(grep -c '"msg":"call failed"' "$WORK/wrong_token.log")" -eq 1

# --- bad configuration exits 2 with one line ------------------------------------------------------
bad_config() { # expected-line-regex command... (exit 2 and exactly one line on stderr)
  local expect=$1; shift
  set +e
  "$@" >"$WORK/bad.out" 2>"$WORK/bad.log"
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || { echo "exit $rc for $*"; return 1; }
  [[ $(wc -l <"$WORK/bad.log") -eq 1 ]] || { echo "not one line for $*:"; cat "$WORK/bad.log"; return 1; }
  grep -q -- "$expect" "$WORK/bad.log" || { echo "no '$expect' in:"; cat "$WORK/bad.log"; return 1; }
}
URLS=(--alertmanager-url "$AM" --mock-slack-url "$MS" --pushgateway-url "$PG")
check "--batch-size 0 exits 2 naming it" \
  bad_config "^batch-sync: --batch-size" "$BATCH_SYNC" "${URLS[@]}" --batch-size 0
check "--fail-mode explode exits 2 naming it" \
  bad_config "^batch-sync: --fail-mode" "$BATCH_SYNC" "${URLS[@]}" --fail-mode explode
check "--deadline soon exits 2 naming it" \
  bad_config "^batch-sync: --deadline" "$BATCH_SYNC" "${URLS[@]}" --deadline soon
check "--fail-rate 2 exits 2 naming it" \
  bad_config "^batch-sync: --fail-rate" "$BATCH_SYNC" "${URLS[@]}" --fail-rate 2
check "an unknown flag exits 2 naming it" \
  bad_config "^batch-sync: .*--frobnicate" "$BATCH_SYNC" "${URLS[@]}" --frobnicate
check "BATCH_FAILURE_RATE=x exits 2 naming it" \
  bad_config "^batch-sync: BATCH_FAILURE_RATE: expected a probability between 0 and 1, got 'x'" \
  env BATCH_FAILURE_RATE=x "$BATCH_SYNC" "${URLS[@]}"
check "BATCHSYNC_BATCH_SIZE=0 exits 2 naming the setting" \
  bad_config "^batch-sync: --batch-size" env BATCHSYNC_BATCH_SIZE=0 "$BATCH_SYNC" "${URLS[@]}"
check "BATCHSYNC_SILENCES=maybe exits 2 naming the setting" \
  bad_config "^batch-sync: .*--silences" env BATCHSYNC_SILENCES=maybe "$BATCH_SYNC" "${URLS[@]}"
check "a missing URL exits 2 naming it" \
  bad_config "^batch-sync: --alertmanager-url is required" \
  "$BATCH_SYNC" --mock-slack-url "$MS" --pushgateway-url "$PG"
check "a URL with a path for the Pushgateway exits 2 naming it" \
  bad_config "^batch-sync: --pushgateway-url" "$BATCH_SYNC" --alertmanager-url "$AM" \
  --mock-slack-url "$MS" --pushgateway-url "$PG/prefix"

# --- control: the check above can fail -------------------------------------------------------------
# A PUT (what prometheus-cpp 1.0's PushAdd() sends) replaces the whole group, so a failed run pushed
# that way would have erased the last success timestamp. Shown here against this Pushgateway.
printf 'batch_sync_last_run_success 0\n' |
  curl -fsS --max-time 5 -X PUT --data-binary @- "$PG/metrics/job/batch-sync" >/dev/null
check "control: a PUT erases the last success timestamp" test -z "$(gauge batch_sync_last_success_timestamp_seconds)"

echo "$passed passed, $failed failed"
(( failed == 0 ))
