#!/usr/bin/env bash
# The promtool test of an idle portal (alert-rules/tests/slo-portal-sli.test.yml) feeds the SLI
# series the real portal exposes before its first request, captured from its /metrics. This
# checks the capture is still true: a real portal, started on ephemeral ports and sent no
# request, exposes exactly the series between the test's "captured" markers, each at 0.
#   tests/idle-portal/captured-series.sh [--print]   (--print: show what the portal exposes)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
TEST=$ROOT/alert-rules/tests/slo-portal-sli.test.yml
WORK=$(mktemp -d /tmp/firedrill-capture-XXXXXX)
read -r API_PORT OPS_PORT <<<"$(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')"
"$BIN/portal" --listen "127.0.0.1:$API_PORT" --ops-listen "127.0.0.1:$OPS_PORT" --drain-delay 0 \
  --access-log=false >"$WORK/portal.log" 2>&1 &
portal=$!
trap 'kill $portal 2>/dev/null; wait $portal 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
  curl -fsS -o "$WORK/metrics" "http://127.0.0.1:$OPS_PORT/metrics" 2>/dev/null && break
  sleep 0.1
done
# The SLI's series (API routes, "/" and "/api/..."), as the portal writes them, with their values.
grep -E '^(http_requests_total|http_request_duration_seconds_bucket)\{' "$WORK/metrics" |
  grep -E 'handler="(/|/api/[^"]*)"' | grep -E '^http_requests_total|le="\+Inf"' | sort > "$WORK/exposed"
if [[ ${1:-} == --print ]]; then cat "$WORK/exposed"; exit 0; fi
if awk '{print $2}' "$WORK/exposed" | grep -qv '^0$'; then
  echo "FAIL an idle portal exposes a non-zero SLI series:"; cat "$WORK/exposed"; exit 1
fi
sed -n '/# captured: begin/,/# captured: end/p' "$TEST" | grep -E "^\s*- series:" |
  sed -E "s/^\s*- series: '(.*)'$/\1/; s/,job=\"portal\",instance=\"127.0.0.1:8081\"//" | sort > "$WORK/fixture"
awk '{print $1}' "$WORK/exposed" > "$WORK/exposed-names"
if ! diff -u "$WORK/fixture" "$WORK/exposed-names"; then
  echo "FAIL $TEST does not feed what the real portal exposes (- test, + portal)"; exit 1
fi
echo "ok   $(wc -l < "$WORK/fixture") SLI series of an idle portal, as the promtool test feeds them"
