#!/usr/bin/env bash
# What the kit's HTTP settings are worth: the same hello-world served by the kit (TCP_NODELAY,
# long keep-alive, a worker per expected client, backlog 1024) and by cpp-httplib with its own
# defaults (Nagle on, 5 requests per connection, 8 workers, backlog 5), under the same wrk load.
#   bench/kit.sh [duration=10s] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
connections=${2:-64}
bin=${BIN:-build/bin}
[[ -x $bin/firedrill-hello ]] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null || scripts/install-deps

port_of() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run() { # label args...
  local label=$1; shift
  local port; port=$(port_of)
  "$bin/firedrill-hello" --listen "127.0.0.1:$port" "$@" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  local out; out=$(wrk -t2 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port/" 2>&1)
  kill -TERM $pid; wait $pid || true
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local errors; errors=$(grep -E 'Socket errors|Non-2xx' <<<"$out" | tr '\n' ' ' || true)
  printf '%-22s %12s req/s   p99 %-9s %s\n' "$label" "$rps" "$p99" "$errors"
  echo "$rps" > "/tmp/kit-bench-$label"
}

echo "wrk -t2 -c$connections -d$duration, hello-world on loopback ($(nproc) cores)"
run kit --log-level warn
run kit-access-log --access-log=true --log-level info
run kit-8-workers --threads 8 --log-level warn
run httplib-defaults --httplib-defaults --log-level warn
awk -v a="$(cat /tmp/kit-bench-kit)" -v b="$(cat /tmp/kit-bench-httplib-defaults)" \
  'BEGIN { printf "kit / httplib defaults: %.1fx\n", a / b }'
