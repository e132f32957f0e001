#!/usr/bin/env bash
# The images, run as the manifests say (issue 21): builds them (scripts/images), renders the dev
# overlay (k8s/render dev) and plays its portal and mock-slack workloads with podman kube play, as
# far as podman supports the kinds (tests/images/kube_pods.py prints what it translates). Checks
# that each container runs as the user, with the read-only root file system and without the
# capabilities its manifest says; that its probes and /metrics answer; that mock-slack stores a
# webhook posted with the Secret's token, serves the runbooks it carries, and writes only to its
# volume.
# Usage: tests/images/run.sh    (root; podman, buildah and mmdebstrap: scripts/install-deps)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
source "$ROOT/tests/lib.sh"
export CONTAINERS_CONF=$ROOT/images/containers.conf CONTAINERS_STORAGE_CONF=$ROOT/images/storage.conf
work=$(mktemp -d /tmp/firedrill-images-test.XXXXXX)
played=""
cleanup() {
  if [[ -n $played ]]; then
    podman kube down "$played" >/dev/null 2>&1 || true
    podman volume rm -f data-mock-slack-0 >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$ROOT/scripts/images"
"$ROOT/k8s/render" dev >"$work/dev.yaml"

play() {
  read -r portal_http portal_ops mockslack_http <<<"$(free_ports 3)"
  python3 "$ROOT/tests/images/kube_pods.py" "$work/dev.yaml" localhost/firedrill \
    "portal=http:$portal_http" "portal=ops:$portal_ops" "mock-slack=http:$mockslack_http" \
    >"$work/play.yaml"
  played=$work/play.yaml
  podman kube play --network host --replace "$work/play.yaml" >"$work/play.log"
}
play

# ctr NAME: the container of Deployment NAME (podman names it <name>-pod-0-<container>).
ctr() { echo "$1-pod-0-$1"; }
field() { podman inspect --format "$2" "$(ctr "$1")"; }
status_field() { # WORKLOAD FIELD: the field of /proc/<pid>/status of the container's process
  awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$(field "$1" '{{.State.Pid}}')/status"
}
up() { curl -fsS -o /dev/null "http://127.0.0.1:$1$2"; }
ids_are() { # WORKLOAD FIELD ID: the real, effective, saved and file-system ids are all ID
  local ids
  read -r -a ids <<<"$(status_field "$1" "$2")"
  [[ ${#ids[@]} == 4 && ${ids[*]} == "$3 $3 $3 $3" ]]
}
root_read_only() { # WORKLOAD: the mount at / of the container's process carries "ro"
  awk '$5 == "/" { found = 1; if ($6 !~ /(^|,)ro(,|$)/) exit 1 } END { exit !found }' \
    "/proc/$(field "$1" '{{.State.Pid}}')/mountinfo"
}

wait_for 60 "portal answers /readyz" up "$portal_ops" /readyz
wait_for 60 "mock-slack answers /readyz" up "$mockslack_http" /readyz

for w in portal mock-slack; do
  check "$w runs as uid 65532" ids_are "$w" Uid 65532
  check "$w runs as gid 65532" ids_are "$w" Gid 65532
  check "$w has no effective capabilities" test "$(status_field "$w" CapEff)" = 0000000000000000
  check "$w cannot gain privileges (no_new_privs)" test "$(status_field "$w" NoNewPrivs)" = 1
  check "$w has a read-only root file system" test "$(field "$w" '{{.HostConfig.ReadonlyRootfs}}')" = true
  check "$w's root is mounted read-only" root_read_only "$w"
done

check "portal /healthz" up "$portal_ops" /healthz
check "portal serves its API" up "$portal_http" /
curl -fsS "http://127.0.0.1:$portal_ops/metrics" >"$work/portal.metrics"
check "portal /metrics passes promtool" promtool check metrics <"$work/portal.metrics"
check "mock-slack /healthz" up "$mockslack_http" /healthz
curl -fsS "http://127.0.0.1:$mockslack_http/metrics" >"$work/mock-slack.metrics"
check "mock-slack /metrics passes promtool" promtool check metrics <"$work/mock-slack.metrics"

secret() { # NAME: the rendered Secret's "token"
  python3 - "$work/dev.yaml" "$1" <<'PY'
import base64, sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "Secret" and d["metadata"]["name"] == sys.argv[2]:
        data = d.get("data", {})
        print(base64.b64decode(data["token"]).decode().strip() if "token" in data
              else d["stringData"]["token"].strip())
PY
}
# On Kubernetes the portal's faults come from its ConfigMap, mounted read-only: the admin API
# says so instead of failing.
admin_put() {
  curl -s -o "$work/admin.out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $(secret portal-admin-token)" \
    -H "Content-Type: application/json" --data '{"error_rate":0.5}' "http://127.0.0.1:$portal_ops/admin/faults"
}
check "portal's admin API answers 409 for a fault change: the ConfigMap holds the faults" \
  test "$(admin_put)" = 409
check "the 409 names the read-only fault file" grep -q "read-only" "$work/admin.out"
token=$(secret mock-slack-webhook-token)
webhook='{"version":"4","groupKey":"{}:{alertname=\"ImageTest\"}","truncatedAlerts":0,"status":"firing",
 "receiver":"pages","groupLabels":{"alertname":"ImageTest"},"commonLabels":{"alertname":"ImageTest"},
 "commonAnnotations":{},"externalURL":"http://alertmanager:9093","alerts":[{"status":"firing",
 "labels":{"alertname":"ImageTest","service":"portal","severity":"page"},"annotations":{},
 "startsAt":"2026-12-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph",
 "fingerprint":"0123456789abcdef"}]}'
post() { curl -s -o /dev/null -w '%{http_code}' -H "Content-Type: application/json" "$@" \
  --data "$webhook" "http://127.0.0.1:$mockslack_http/webhook"; }
check "mock-slack refuses a webhook without the Secret's token" test "$(post)" = 401
check "mock-slack stores a webhook posted with the Secret's token" \
  test "$(post -H "Authorization: Bearer $token")" = 200
check "the stored alert is listed" \
  bash -c "curl -fsS 'http://127.0.0.1:$mockslack_http/api/v1/alerts?alertname=ImageTest' | grep -q 0123456789abcdef"
runbooks=("$ROOT"/runbooks/*.md)
runbook=$(basename "${runbooks[0]}" .md)
check "mock-slack serves the runbooks its image carries (/runbooks/$runbook)" up "$mockslack_http" "/runbooks/$runbook"
# podman diff lists what differs from the image; the runtime itself makes the mount points (and
# their parent folders) of the container's volumes, which are not the process's writes.
unexpected_changes() { # WORKLOAD: prints the changed paths that are not mount points or their parents
  local mounts
  mounts=$(podman inspect --format '{{range .Mounts}}{{.Destination}} {{end}}' "$(ctr "$1")")
  podman diff "$(ctr "$1")" | awk '{ print $2 }' | while read -r path; do
    local ok=0 m
    for m in $mounts; do [[ $m == "$path" || $m == "$path"/* ]] && ok=1; done
    ((ok)) || echo "$path"
  done
}
for w in portal mock-slack; do
  check "$w changed nothing in its image's file system (podman diff, less the mount points)" \
    test -z "$(unexpected_changes "$w")"
done
volume=$(podman volume inspect --format '{{.Mountpoint}}' data-mock-slack-0)
check "mock-slack's database is on its volume, owned by 65532" \
  test "$(stat -c %u "$volume/mock-slack.db" 2>/dev/null)" = 65532

echo "images: $passed passed, $failed failed"
((failed == 0))
