#!/usr/bin/env bash
# Where `make images` spends its time: builds the four images twice from a scratch copy of the
# working tree, first after a source change (a comment appended to mock-slack/src/webhook.cpp,
# new each time: a new commit, ccache warm), then unchanged, and prints each buildah invocation's
# seconds by kind of step, from scripts/images' IMAGES_LOG:
#   from       the stages' FROM (a working container of the base)
#   context    COPY . . (the build context)
#   compile    the build stage's RUN (cmake, the compiler through ccache, stage-runtime)
#   copy-from  the targets' COPY --from=build
#   config     ARG, WORKDIR, ENV, USER, EXPOSE, VOLUME, ENTRYPOINT and the package check
#   commit     from the final commit to buildah's exit (the commit and removing the containers)
# The images are tagged IMAGE_TAG=bench, removed at the end. Needs what scripts/images needs (root).
#   bench/images.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[[ $(id -u) == 0 ]] || { echo "bench/images: needs root (scripts/images does)" >&2; exit 1; }
export CONTAINERS_CONF=$root/images/containers.conf CONTAINERS_STORAGE_CONF=$root/images/storage.conf
work=$(mktemp -d /tmp/firedrill-bench-images.XXXXXX)
scratch=$work/tree # the build context: the logs stay out of it
mkdir "$scratch"
prefix=localhost/firedrill
cleanup() {
  local c
  for c in build-stage portal mock-slack batch-sync auto-healer; do
    podman rmi --force "$prefix/$c:bench" >/dev/null 2>&1 || true
  done
  podman image prune --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# The tracked files as they are in the working tree, uncommitted changes included.
git -C "$root" ls-files -z | (cd "$root" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) |
  tar -xf - -C "$scratch/"

# report LOG START END: one row per buildah invocation, seconds by kind of step; then the rest.
report() {
  awk -v start="$2" -v end="$3" '
    function close_step(t) { if (kind != "") sum[target, kind] += t - since; kind = "" }
    function open_step(t, k) { close_step(t); kind = k; since = t }
    $2 == "images:" && $3 == "bud" { target = $4; order[++n] = target; first[target] = $1
                                     if (n == 1) bases = $1 - start; next }
    $2 == "images:" && $3 == "end" { close_step($1); total[target] = $1 - first[target]; last = $1; next }
    / STEP [0-9]+\/[0-9]+: / {
      line = $0; sub(/^.* STEP [0-9]+\/[0-9]+: /, "", line)
      if (line ~ /^FROM /) k = "from"
      else if (line ~ /^COPY --from=/) k = "copy-from"
      else if (line ~ /^COPY /) k = "context"
      else if (line ~ /^RUN --mount=type=cache/) k = "compile"
      else k = "config"
      open_step($1, k); next
    }
    / COMMIT [^ ]+$/ { open_step($1, "commit"); next }
    END {
      split("from context compile copy-from config commit", kinds, " ")
      printf "  %-12s %7s", "", "total"; for (i = 1; i <= 6; i++) printf " %9s", kinds[i]; print ""
      printf "  %-12s %7.1f\n", "bases", bases
      for (j = 1; j <= n; j++) {
        t = order[j]; printf "  %-12s %7.1f", t, total[t]
        for (i = 1; i <= 6; i++) printf " %9.1f", sum[t, kinds[i]]
        print ""
      }
      printf "  %-12s %7.1f\n", "prune", end - last
      printf "  %-12s %7.1f\n", "all", end - start
    }' "$1"
}

run() { # NAME LABEL
  local log=$work/$1.log begin finish
  : >"$log"
  echo "== $2 (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  begin=$EPOCHREALTIME
  IMAGE_TAG=bench IMAGES_LOG=$log "$scratch/scripts/images" | sed 's/^/  /'
  finish=$EPOCHREALTIME
  report "$log" "$begin" "$finish"
}

printf '// bench/images.sh: %s\n' "$EPOCHREALTIME" >>"$scratch/mock-slack/src/webhook.cpp"
run new-commit "new commit (mock-slack/src/webhook.cpp changed)"
run unchanged "unchanged"
