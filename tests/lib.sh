# shellcheck shell=bash
# What the shell tests share (tests/*/run.sh, <component>/tests/integration_test.sh): free
# loopback ports, a pass/fail tally, and a bounded poll. Sourced, never run:
#   source "$ROOT/tests/lib.sh"

# free_ports N: N ports free on 127.0.0.1 now, separated by spaces (the kernel's choice of
# ephemeral ports; another process may still take one before it is bound, which the stack's own
# retry covers).
free_ports() { python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
PY
}

# check DESCRIPTION COMMAND...: runs COMMAND, prints "ok   DESCRIPTION" or "FAIL DESCRIPTION",
# and counts it in $passed or $failed.
passed=0 failed=0
check() {
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}

# wait_for SECONDS DESCRIPTION COMMAND...: runs COMMAND (its output discarded) every
# $WAIT_FOR_POLL seconds (default 0.2) until it succeeds; after SECONDS, prints
# "FAIL timed out after SECONDS s: DESCRIPTION" and returns 1 (under set -e, the test ends).
wait_for() {
  local bound=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + bound ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) > deadline )); then echo "FAIL timed out after ${bound}s: $what"; return 1; fi
    sleep "${WAIT_FOR_POLL:-0.2}"
  done
}

# stop_children PID...: stops the processes a test started and reaps them.
stop_children() {
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

# tail_logs LINES FILE...: the last LINES lines of each file, each under a "--- tail FILE" line.
tail_logs() {
  local lines=$1 f; shift
  for f in "$@"; do echo "--- tail $f"; tail -n "$lines" "$f"; done
}
