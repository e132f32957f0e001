#!/usr/bin/env bash
# `auto-healer scan` reports its run to a REAL Pushgateway (Debian's prometheus-pushgateway) on an
# ephemeral loopback port, scanning the stand-in kube-apiserver (apiserver_standin.cpp; no Debian
# package ships a kube-apiserver). Checks: a pass restarts the Deployment over the threshold and
# only that one (the exact PATCH), and exits 0; the Pushgateway then holds every gauge of the run
# under job="auto-healer-scan" alone, with the run's values, and they pass `promtool check
# metrics`; a pass that cannot read pods exits 1 and reports success 0 and its error, keeping the
# last success's timestamp; a Pushgateway that is down, that refuses the push (400, as the real one
# answers a push inconsistent with what it holds), that fails behind a proxy (500) or that does not
# answer, fails the run: exit 1 and one log line naming the Pushgateway and what went wrong.
# Usage: scan_push_test.sh AUTO_HEALER APISERVER_STANDIN PUSHGATEWAY PROMTOOL
set -euo pipefail
AUTO_HEALER=$1 STANDIN=$2 PUSHGATEWAY=$3 PROMTOOL=$4
WORK=$(mktemp -d /tmp/auto-healer-scan-push-XXXXXX)
PIDS=()

passed=0 failed=0
check() { # description command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
cleanup() {
  local code=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if (( code != 0 || failed > 0 )); then
    for f in "$WORK"/*.log; do echo "--- tail $f"; tail -n 20 "$f"; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_ports() { python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
PY
}
read -r PG_PORT CLOSED_PORT <<<"$(free_ports 2)"
PG=http://127.0.0.1:$PG_PORT

wait_for() { # bound-in-tenths description command... (a readiness poll, bounded)
  local tries=$1 what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    (( --tries > 0 )) || { echo "timed out waiting for $what"; return 1; }
    sleep 0.1
  done
}

# --- the peers -----------------------------------------------------------------------------------
"$PUSHGATEWAY" --web.listen-address="127.0.0.1:$PG_PORT" --persistence.file="$WORK/pushgateway.data" \
  >"$WORK/pushgateway.log" 2>&1 &
PIDS+=($!)
standin() { # name [--forbid-pods NS] -> a stand-in API server; its URL in $WORK/name.url
  "$STANDIN" --url-file "$WORK/$1.url" --requests-file "$WORK/$1.requests" "${@:2}" >"$WORK/$1-standin.log" 2>&1 &
  PIDS+=($!)
  wait_for 300 "the $1 stand-in API server" test -s "$WORK/$1.url"
}
standin healthy
standin forbidden --forbid-pods shop
wait_for 300 "Pushgateway" curl -fsS --max-time 2 "$PG/-/ready"
printf 'sa-token-%s\n' "$RANDOM$RANDOM" >"$WORK/token"

# --- helpers ------------------------------------------------------------------------------------
scan() { # name api-standin pushgateway-url [flags...] -> exit code in $RC, stderr in $WORK/name.log
  local name=$1 api=$2 pg=$3; shift 3
  set +e
  env -u KUBERNETES_SERVICE_HOST timeout 60 "$AUTO_HEALER" scan --kube-api-url "$(cat "$WORK/$api.url")" \
    --kube-token-file "$WORK/token" --namespaces firedrill,shop --pushgateway-url "$pg" \
    --instance scan-test "$@" >"$WORK/$name.out" 2>"$WORK/$name.log"
  RC=$?
  set -e
}
gauge() { # metric -> its value in the group {job="auto-healer-scan"}, or empty
  curl -fsS --max-time 5 "$PG/api/v1/metrics" | jq -r --arg m "$1" '
    .data[] | select(.labels == {"job":"auto-healer-scan"}) | .[$m].metrics[0].value // empty'
}
log_has() { # name jq-condition -> some JSON log line of that run satisfies it
  jq -R -e -n "[inputs | fromjson? | select($2)] | length > 0" "$WORK/$1.log" >/dev/null
}
log_lines() { # name jq-condition -> how many JSON log lines satisfy it
  jq -R -n "[inputs | fromjson? | select($2)] | length" "$WORK/$1.log"
}
jq_holds() { jq -e "$@" >/dev/null; } # jq -e without its output
recent() { python3 -c "import sys,time; sys.exit(0 if abs(time.time() - float('$1')) < 120 else 1)"; }
GAUGES=(autohealer_scan_last_success_timestamp_seconds autohealer_scan_last_run_timestamp_seconds
        autohealer_scan_last_run_duration_seconds autohealer_scan_last_run_success
        autohealer_scan_workloads autohealer_scan_restarts autohealer_scan_errors)

# --- a pass that restarts one Deployment ---------------------------------------------------------
check "no scan report before the first run" test -z "$(gauge autohealer_scan_last_run_success)"
scan first healthy "$PG"
check "the pass exits 0" test "$RC" -eq 0
restarts() { # standin -> its PATCH requests that restart (kubectl rollout restart's patch)
  jq -c 'select(.method == "PATCH" and (.body | contains("restartedAt")))' "$WORK/$1.requests"
}
check "it restarted firedrill/portal and nothing else" \
  test "$(restarts healthy | jq -r .path)" = /apis/apps/v1/namespaces/firedrill/deployments/portal
check "...as kubectl rollout restart does (strategic merge patch, fieldManager)" \
  jq_holds 'select(.content_type == "application/strategic-merge-patch+json" and .query == "fieldManager=auto-healer"
         and (.body | fromjson | .spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] | length > 0))' \
  <<<"$(restarts healthy)"
# shellcheck disable=SC2016 # $t is jq's variable, not the shell's
check "...with the service-account token" \
  jq_holds --arg t "Bearer $(cat "$WORK/token")" 'select(.authorization == $t)' <<<"$(restarts healthy)"
for m in "${GAUGES[@]}"; do
  check "the Pushgateway has $m under job=\"auto-healer-scan\" alone" test -n "$(gauge "$m")"
done
check "one group, keyed by job alone (no instance label)" \
  jq_holds '[.data[] | select(.labels.job == "auto-healer-scan")] | length == 1 and (.[0].labels | keys == ["job"])' \
  <<<"$(curl -fsS --max-time 5 "$PG/api/v1/metrics")"
check "last_run_success 1" test "$(gauge autohealer_scan_last_run_success)" = 1
check "workloads 2 (firedrill/portal and shop/search)" test "$(gauge autohealer_scan_workloads)" = 2
check "restarts 1" test "$(gauge autohealer_scan_restarts)" = 1
check "errors 0" test "$(gauge autohealer_scan_errors)" = 0
LAST_SUCCESS=$(gauge autohealer_scan_last_success_timestamp_seconds)
LAST_RUN=$(gauge autohealer_scan_last_run_timestamp_seconds)
check "the last success is a recent Unix time" recent "$LAST_SUCCESS"
check "...the same as the last run's" test "$LAST_SUCCESS" = "$LAST_RUN"
check "the duration is under the 60s the test allows" \
  python3 -c "import sys; d = float('$(gauge autohealer_scan_last_run_duration_seconds)'); sys.exit(0 if 0 < d < 60 else 1)"
check "the values in the JSON API are those the pass logged" \
  log_has first '.msg == "scan finished" and .success == true and .workloads == 2 and .restarted == 1 and .errors == 0'
# What Prometheus scrapes from the Pushgateway: the families the scan pushed, HELP and TYPE with them.
curl -fsS --max-time 5 "$PG/metrics" | awk '/^# (HELP|TYPE) autohealer_scan_/ || /^autohealer_scan_/' >"$WORK/pushed.prom"
check "the Pushgateway exposes the 7 pushed gauges" test "$(grep -c '^# TYPE autohealer_scan_.* gauge$' "$WORK/pushed.prom")" -eq 7
check "...with the group's labels" grep -q '^autohealer_scan_restarts{instance="",job="auto-healer-scan"} 1$' "$WORK/pushed.prom"
check "the pushed metrics pass promtool check metrics" bash -c "'$PROMTOOL' check metrics <'$WORK/pushed.prom'"

# --- a pass that cannot read pods: exit 1, success 0, the last success kept ----------------------
scan forbidden forbidden "$PG"
check "a pass that cannot list pods in shop exits 1" test "$RC" -eq 1
check "...logging the API server's 403 with its reason" \
  log_has forbidden '.msg == "cannot list pods" and .target == "shop/search" and (.error | test("answered 403 Forbidden: pods is forbidden"))'
check "...and still restarting firedrill/portal" \
  test "$(restarts forbidden | jq -r .path)" = /apis/apps/v1/namespaces/firedrill/deployments/portal
check "last_run_success 0" test "$(gauge autohealer_scan_last_run_success)" = 0
check "errors 1" test "$(gauge autohealer_scan_errors)" = 1
check "the last success timestamp is the previous run's" \
  test "$(gauge autohealer_scan_last_success_timestamp_seconds)" = "$LAST_SUCCESS"
check "the last run timestamp moved" \
  python3 -c "import sys; sys.exit(0 if float('$(gauge autohealer_scan_last_run_timestamp_seconds)') > float('$LAST_RUN') else 1)"

# --- the report cannot be pushed: exit 1 and one clear line -------------------------------------
not_pushed() { # name expected-error-regex
  log_has "$1" ".msg == \"report not pushed\" and (.error | test(\"$2\"))" &&
    test "$(log_lines "$1" '.level == "error"')" -eq 1
}
scan down healthy "http://127.0.0.1:$CLOSED_PORT"
check "a Pushgateway that is down fails the run: exit 1" test "$RC" -eq 1
check "...with one error line naming it and the connection refused" \
  not_pushed down "^push to the Pushgateway at http://127.0.0.1:$CLOSED_PORT: no response \\\\(curl error 7: .+\\\\)$"
check "...and the scan itself still logged as a success" log_has down '.msg == "scan finished" and .success == true'

# The real Pushgateway answers 400 to a push that does not fit what it holds: here another job's
# autohealer_scan_restarts, pushed as a counter once the scan's group was deleted.
curl -fsS --max-time 5 -X DELETE "$PG/metrics/job/auto-healer-scan" >/dev/null
printf '# TYPE autohealer_scan_restarts counter\nautohealer_scan_restarts 4\n' |
  curl -fsS --max-time 5 --data-binary @- "$PG/metrics/job/someone-else" >/dev/null
scan refused healthy "$PG"
check "a Pushgateway that refuses the push (400) fails the run: exit 1" test "$RC" -eq 1
check "...with one error line naming it and its answer" \
  not_pushed refused "^push to the Pushgateway at $PG: answered 400$"
check "...which stored nothing of it" test -z "$(gauge autohealer_scan_last_run_timestamp_seconds)"
check "the Pushgateway logged why it refused" grep -q 'pushed metrics are invalid or inconsistent' "$WORK/pushgateway.log"
curl -fsS --max-time 5 -X DELETE "$PG/metrics/job/someone-else" >/dev/null

# A proxy or ingress in front of the Pushgateway that fails answers 500 (the Pushgateway itself
# never does on a push); one that accepts the connection and never answers is cut by the timeout.
python3 - "$WORK/proxy.port" "$WORK/blackhole.port" >"$WORK/proxy.log" 2>&1 <<'PY' &
import http.server, os, socket, sys, threading
class Failing(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"upstream failed\n"
        self.send_response(500); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    do_PUT = do_POST
proxy = http.server.HTTPServer(("127.0.0.1", 0), Failing)
hole = socket.socket(); hole.bind(("127.0.0.1", 0)); hole.listen(16)  # never accepts, never answers
for path, port in ((sys.argv[1], proxy.server_port), (sys.argv[2], hole.getsockname()[1])):
    with open(path + ".partial", "w") as f: f.write(f"{port}\n")
    os.rename(path + ".partial", path)
proxy.serve_forever()
PY
PIDS+=($!)
wait_for 300 "the failing proxy" test -s "$WORK/blackhole.port"
PROXY=http://127.0.0.1:$(cat "$WORK/proxy.port") HOLE=http://127.0.0.1:$(cat "$WORK/blackhole.port")
scan failing healthy "$PROXY"
check "a Pushgateway behind a failing proxy (500) fails the run: exit 1" test "$RC" -eq 1
check "...with one error line naming it and the 500" not_pushed failing "^push to the Pushgateway at $PROXY: answered 500$"
T0=$(date +%s%N)
scan silent healthy "$HOLE" --request-timeout-outbound 1s
T1=$(date +%s%N)
check "a Pushgateway that never answers fails the run: exit 1" test "$RC" -eq 1
check "...after the 1s timeout, not the test's 60s" test $(( (T1 - T0) / 1000000 )) -lt 15000
check "...with one error line saying so" not_pushed silent "^push to the Pushgateway at $HOLE: no answer within the timeout$"

# --- bad configuration exits 2 with one line ------------------------------------------------------
set +e
"$AUTO_HEALER" scan --kube-api-url "$(cat "$WORK/healthy.url")" --kube-token-file "$WORK/token" \
  --pushgateway-url "$PG/prefix" >"$WORK/bad.out" 2>"$WORK/bad.log"; rc=$?
set -e
check "a Pushgateway URL with a path exits 2 naming the setting" \
  bash -c "test $rc -eq 2 && test \"\$(cat '$WORK/bad.log')\" = 'auto-healer: --pushgateway-url: the Pushgateway client cannot use a path prefix (see --help)'"

echo "$passed passed, $failed failed"
(( failed == 0 ))
