#!/usr/bin/env bash
# Benchmarks the portal against nginx on loopback, in the same run, with the same wrk settings:
#   1. nginx `return 200` (the ceiling for this machine),
#   2. the portal, no faults (GET /api/items/{id}: routing, metrics and a fault check per request),
#   3. the portal with error_rate 0.1 (set through PUT /admin/faults).
# Prints requests/s and p99 for each, and the ratios. Targets (issue 3): portal >= 0.4 x nginx,
# p99 <= 5 ms, and with error_rate 0.1 within 10% of the no-fault rate. STRICT=1 makes a missed
# target exit 1; by default the verdict is printed only (the machine is shared and noisy).
#
# Usage: bench/portal.sh            (PORTAL_BIN, DURATION=10s, CONNECTIONS=64, THREADS=2)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}

find_portal() {
  if [[ -n "${PORTAL_BIN:-}" ]]; then echo "$PORTAL_BIN"; return; fi
  for candidate in "$root"/build/bin/portal "$root"/build-*/bin/portal; do
    if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
  done
}
portal_bin=$(find_portal)
if [[ -z "$portal_bin" || ! -x "$portal_bin" ]]; then
  echo "bench/portal.sh: no portal binary; build it (cmake --build build --target portal) or set PORTAL_BIN" >&2
  exit 2
fi
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/portal.sh: $tool is required" >&2; exit 2; }
done
if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
  echo "bench/portal.sh: installing nginx-light" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y nginx-light >&2
  else sudo apt-get install -y nginx-light >&2; fi
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

exec 3>&1  # the report goes to stdout; values pass between functions on their own stdout
work=$(mktemp -d /tmp/firedrill-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {  # url: waits up to 10 s for a 200
  for _ in $(seq 100); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) == 200 ]]; then return 0; fi
    sleep 0.1
  done
  echo "bench/portal.sh: $1 did not answer 200" >&2
  return 1
}

# wrk's "Requests/sec" and its 99th percentile, in ms.
run_wrk() {  # name url
  local out="$work/$1.wrk"
  wrk -t"$threads" -c"$connections" -d1s "$2" >/dev/null  # warm-up: connections, caches
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$2" >"$out"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/, "", v); v/=1000}
                          else if (v ~ /ms$/) {sub(/ms$/, "", v)}
                          else if (v ~ /s$/) {sub(/s$/, "", v); v*=1000}
                          printf "%.2f", v}' "$out")
  local non2xx
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  printf '%-24s %10s req/s   p99 %7s ms   non-2xx %s\n' "$1" "$rps" "$p99" "${non2xx:-0}" >&3
  echo "$rps $p99"
}

# nginx: its own prefix, config, pid and logs under $work; no root paths, no access log.
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { default_type application/json; return 200 '{"id":1}\n'; }
  }
}
CONF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" &
pids+=($!)

api_port=$(free_port)
ops_port=$(free_port)
"$portal_bin" --listen "127.0.0.1:$api_port" --ops-listen "127.0.0.1:$ops_port" \
  --access-log false --log-level warn --drain-delay 0 --seed 1 2>"$work/portal.log" &
pids+=($!)

wait_for "http://127.0.0.1:$nginx_port/"
wait_for "http://127.0.0.1:$ops_port/readyz"

echo "wrk -t$threads -c$connections -d$duration on $(nproc) cores; portal: $portal_bin"
read -r nginx_rps _ < <(run_wrk "nginx return 200" "http://127.0.0.1:$nginx_port/")
read -r portal_rps portal_p99 < <(run_wrk "portal" "http://127.0.0.1:$api_port/api/items/1")

curl -sf -X PUT -H 'Content-Type: application/json' -d '{"error_rate":0.1}' \
  "http://127.0.0.1:$ops_port/admin/faults" >/dev/null
read -r faulty_rps faulty_p99 < <(run_wrk "portal error_rate 0.1" "http://127.0.0.1:$api_port/api/items/1")
injected=$(curl -s "http://127.0.0.1:$ops_port/metrics" | awk '/^portal_faults_injected_total\{kind="error"\}/ {print $2}')
curl -sf -X DELETE "http://127.0.0.1:$ops_port/admin/faults" >/dev/null

verdict=$(python3 - "$nginx_rps" "$portal_rps" "$portal_p99" "$faulty_rps" "$faulty_p99" <<'PY'
import sys
nginx, portal, p99, faulty, faulty_p99 = map(float, sys.argv[1:])
ratio = portal / nginx
fault_ratio = faulty / portal
ok = ratio >= 0.4 and p99 <= 5.0 and fault_ratio >= 0.9
print(f"ratio portal/nginx {ratio:.2f} (target >= 0.40); portal p99 {p99:.2f} ms (target <= 5); "
      f"error_rate 0.1: {fault_ratio:.2f} of the no-fault rate (target >= 0.90), p99 {faulty_p99:.2f} ms")
print("PASS" if ok else "MISS")
PY
)
echo "portal_faults_injected_total{kind=\"error\"} after that run (and its 1 s warm-up): ${injected:-0}"
echo "${verdict%$'\n'*}"
status=${verdict##*$'\n'}
echo "verdict: $status"
if [[ "$status" != PASS && "${STRICT:-0}" == 1 ]]; then exit 1; fi
