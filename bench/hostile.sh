#!/usr/bin/env bash
# A hostile-client run against each service: for DURATION seconds (30), several clients send
# made-up methods, random paths and headers, regex matchers (the classic pathological ones among
# them) against a history holding an 8 KiB label value, oversized request lines and headers, and
# bodies trickled a byte at a time; meanwhile a probe client times /healthz on the ops listener.
# Prints the probe latency during the run, and RSS and the /metrics series count before and
# after (after a warm-up that makes every bounded series appear), and the method label's values. Loopback only, ports chosen by the kernel; every loop is bounded and the run stops by
# itself.
#   bench/hostile.sh            DURATION=30 CLIENTS=6 SEED=16
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-build/bin}
duration=${DURATION:-30}
clients=${CLIENTS:-6}
seed=${SEED:-16}
for b in portal mock-slack; do
  [[ -x $bin/$b ]] || { echo "build first: make build (needs $bin/$b)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/firedrill-hostile-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

port_of() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; return 1; }

token=hostile-$RANDOM$RANDOM
p_api=$(port_of); p_ops=$(port_of); m_api=$(port_of); m_ops=$(port_of)
"$bin/portal" --listen "127.0.0.1:$p_api" --ops-listen "127.0.0.1:$p_ops" --log-level warn \
  --drain-delay 0s >"$work/portal.log" 2>&1 &
pids+=($!); portal_pid=$!
"$bin/mock-slack" --listen "127.0.0.1:$m_api" --ops-listen "127.0.0.1:$m_ops" --log-level warn \
  --drain-delay 0s --db "$work/mock-slack.db" --webhook-token "$token" \
  --runbooks-dir runbooks >"$work/mock-slack.log" 2>&1 &
pids+=($!); mock_pid=$!
wait_up "http://127.0.0.1:$p_ops/healthz"
wait_up "http://127.0.0.1:$m_ops/healthz"

# One alert with an 8 KiB label value, for the matchers to run against.
python3 - "$m_api" "$token" <<'PY'
import json, sys, urllib.request
port, token = sys.argv[1], sys.argv[2]
labels = {"alertname": "Long", "service": "portal", "severity": "page", "long": "a" * 8192}
body = {"version": "4", "groupKey": "{}:{alertname=\"Long\"}", "truncatedAlerts": 0,
        "status": "firing", "receiver": "team-portal", "groupLabels": {"alertname": "Long"},
        "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
        "alerts": [{"status": "firing", "labels": labels, "annotations": {},
                    "startsAt": "2026-11-21T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://p", "fingerprint": "0123456789abcdef"}]}
req = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", json.dumps(body).encode(),
                             {"Content-Type": "application/json",
                              "Authorization": f"Bearer {token}"})
urllib.request.urlopen(req, timeout=10).read()
PY

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
series() { # port file: the count, and the series (name and labels) saved to the file
  curl -fsS --max-time 10 "http://127.0.0.1:$1/metrics" | grep -v '^#' | sed 's/ [^ ]*$//' | sort >"$2"
  wc -l <"$2"
}

cat >"$work/hostile.py" <<'PY'
import random, socket, sys, threading, time, urllib.parse

duration, clients, seed = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
targets = {"portal": (int(sys.argv[4]), int(sys.argv[5])),
           "mock-slack": (int(sys.argv[6]), int(sys.argv[7]))}
known = {"portal": ["/", "/api/items", "/api/items/1", "/api/orders", "/api/work"],
         "mock-slack": ["/", "/webhook", "/slack/pages", "/api/v1/alerts", "/api/v1/incidents",
                        "/api/v1/incidents/1", "/api/v1/messages", "/channels", "/runbooks/x"]}
matchers = ['long=~"(a|a)*c"', 'long=~"(a*)*b"', 'long!~"(x+x+)+y"', 'long=~"(.*a){20}"',
            'long=~"(a)\\1"', 'alertname=~"(?i)long"', 'long=~"' + "(a|b)" * 100 + '"']
deadline = time.monotonic() + duration
counts = {"requests": 0, "refused": 0, "errors": 0}
lock = threading.Lock()

def exchange(port, data, trickle=None):
    """Sends data (then trickle, one byte per 0.2 s) and reads the answer; bounded by the run."""
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    try:
        s.sendall(data)
        if trickle:
            s.settimeout(0.2)
            for b in trickle:
                if time.monotonic() > deadline:
                    break
                try:
                    if s.recv(1, socket.MSG_PEEK):
                        break  # the server answered (408)
                except socket.timeout:
                    pass
                s.sendall(bytes([b]))
            s.settimeout(15)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while len(out) < 1 << 20:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()

def tok(rng, n, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(rng.choice(alphabet) for _ in range(n))

def one(rng, service):
    api, _ = targets[service]
    kind = rng.randrange(7)
    path = rng.choice(known[service]) if rng.random() < 0.5 else "/" + tok(rng, rng.randint(1, 40))
    method = rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
                         "M" + tok(rng, rng.randint(1, 20)).upper()])
    hdrs = "".join(f"X-{tok(rng, 8)}: {tok(rng, rng.randint(0, 80))}\r\n"
                   for _ in range(rng.randint(0, 8)))
    trickle = None
    if kind == 1 and service == "mock-slack":  # a matcher query
        method, path = "GET", "/api/v1/alerts?matcher=" + urllib.parse.quote(rng.choice(matchers))
    elif kind == 2:  # an oversized request line
        path = "/" + "a" * rng.randint(9000, 200000)
    elif kind == 3:  # too many headers
        hdrs = "".join(f"X-H{i}: v\r\n" for i in range(rng.randint(101, 5000)))
    elif kind == 4:  # one oversized header
        hdrs = "X-Big: " + "b" * rng.randint(9000, 100000) + "\r\n"
    elif kind == 5:  # a slow body
        method, hdrs = "POST", "Content-Length: 100000\r\nContent-Type: application/json\r\n"
        trickle = b"{" * 100000
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\n{hdrs}Content-Length: 0\r\n\r\n" \
        if trickle is None else f"{method} {path} HTTP/1.1\r\nHost: x\r\n{hdrs}\r\n"
    try:
        out = exchange(api, head.encode(), trickle)
        status = out[9:12]
        with lock:
            counts["requests"] += 1
            if status in (b"408", b"414", b"431"):
                counts["refused"] += 1
    except OSError:
        with lock:
            counts["errors"] += 1

def enumerate_kinds(service):
    """Every kind of request once on every path: after this each bounded series the run can
    reach exists (slow bodies, which take the request timeout each, run in parallel)."""
    rng = random.Random(seed)
    api, _ = targets[service]
    paths = known[service] + ["/" + tok(rng, 12)]
    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "MADEUP"]
    slow = []
    for path in paths:
        for method in methods:
            exchange(api, f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
            # A body cut short, as a slow body is when the run ends: 400.
            exchange(api, f"{method} {path} HTTP/1.1\r\nContent-Length: 10\r\n\r\n{{}}".encode())
    # What the guard refuses counts under "unmatched" and the method: one of each per method.
    for method in methods:
        exchange(api, f"{method} /{'a' * 9000} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        exchange(api, f"{method} / HTTP/1.1\r\nX-Big: {'b' * 9000}\r\n\r\n".encode())
        slow.append(threading.Thread(target=exchange, args=(api, f"{method} / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n".encode(), b"{" * 100000)))
    if service == "mock-slack":
        for m in matchers:
            exchange(api, ("GET /api/v1/alerts?matcher=" + urllib.parse.quote(m) + " HTTP/1.1\r\nHost: x\r\n\r\n").encode())
    for t in slow:
        t.start()
    for t in slow:
        t.join()

if len(sys.argv) > 8 and sys.argv[8] == "enumerate":
    deadline = time.monotonic() + 60
    for name in targets:
        enumerate_kinds(name)
    sys.exit(0)

def attacker(i):
    rng = random.Random(seed * 1000 + i)
    while time.monotonic() < deadline:
        one(rng, "portal" if i % 2 == 0 else "mock-slack")

latencies = {name: [] for name in targets}
failures = {name: 0 for name in targets}

def prober():
    while time.monotonic() < deadline:
        for name, (_, ops) in targets.items():
            t0 = time.monotonic()
            try:
                out = exchange(ops, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                ok = out.startswith(b"HTTP/1.1 200")
            except OSError:
                ok = False
            latencies[name].append(time.monotonic() - t0)
            if not ok:
                failures[name] += 1
        time.sleep(0.1)  # the probe's pace, as a kubelet's period

threads = [threading.Thread(target=attacker, args=(i,)) for i in range(clients)]
threads.append(threading.Thread(target=prober))
for t in threads:
    t.start()
for t in threads:
    t.join()

print(f"hostile run: {duration:.0f} s, {clients} clients, seed {seed}: {counts['requests']} "
      f"requests answered ({counts['refused']} with 408/414/431), {counts['errors']} "
      "connections reset or refused")
print(f"{'probe /healthz (ops)':<22} {'probes':>7} {'failed':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for name, l in latencies.items():
    l = sorted(l)
    if not l:
        continue
    q = lambda p: l[min(len(l) - 1, int(p * len(l)))] * 1000
    print(f"{name:<22} {len(l):>7} {failures[name]:>7} {q(0.5):>8.1f} {q(0.99):>8.1f} {l[-1] * 1000:>8.1f}")
PY

# A warm-up first: every kind of request once on every path, then a short random run with another
# seed, so that every bounded series (route x method x code) the run can reach exists before
# "before" is measured, and "before" and "after" compare like with like.
echo "warm-up: every kind of request on every path, then ${WARMUP:-5} s of random ones"
python3 "$work/hostile.py" 0 "$clients" "$seed" "$p_api" "$p_ops" "$m_api" "$m_ops" enumerate
python3 "$work/hostile.py" "${WARMUP:-5}" "$clients" "$((seed + 1))" "$p_api" "$p_ops" "$m_api" \
  "$m_ops" >/dev/null
# The scrapes that measure count themselves: one first, so that "before" holds their series.
series "$p_ops" /dev/null >/dev/null
series "$m_ops" /dev/null >/dev/null
before_portal_rss=$(rss_kb "$portal_pid"); before_portal_series=$(series "$p_ops" "$work/portal.before")
before_mock_rss=$(rss_kb "$mock_pid"); before_mock_series=$(series "$m_ops" "$work/mock.before")
python3 "$work/hostile.py" "$duration" "$clients" "$seed" "$p_api" "$p_ops" "$m_api" "$m_ops"

after_portal_rss=$(rss_kb "$portal_pid"); after_portal_series=$(series "$p_ops" "$work/portal.after")
after_mock_rss=$(rss_kb "$mock_pid"); after_mock_series=$(series "$m_ops" "$work/mock.after")
printf '%-12s %14s %14s %16s %16s\n' service "RSS before" "RSS after" "series before" "series after"
printf '%-12s %11s KiB %11s KiB %16s %16s\n' portal "$before_portal_rss" "$after_portal_rss" \
  "$before_portal_series" "$after_portal_series"
printf '%-12s %11s KiB %11s KiB %16s %16s\n' mock-slack "$before_mock_rss" "$after_mock_rss" \
  "$before_mock_series" "$after_mock_series"
methods() { curl -fsS "http://127.0.0.1:$1/metrics" | grep -o 'method="[^"]*"' | sort -u | tr '\n' ' '; }
echo "method label values: portal $(methods "$p_ops")"
echo "                     mock-slack $(methods "$m_ops")"
for s in portal mock; do
  comm -13 "$work/$s.before" "$work/$s.after" | sed "s/^/new series ($s): /"
done
