#!/usr/bin/env bash
# Warm-up with and without the AOT cache of `sluice train` (Java 25+): how soon a new gateway
# process listens, and how many requests it serves in its first seconds.
#
#   benchmarks/warmup/run.sh [--trials N] [--dist DIR]
#
# Records the cache once (bin/sluice train, into a temp file), then runs N trials of each variant,
# interleaved (with, without, with, ...): start `sluice run` (pinned to CPU 1) on a plain proxy route
# in front of nginx (`return 200`, CPU 0), time until its listener is announced, then load it with
# wrk (CPU 0, 32 connections) for two 3 s periods right away. Prints each trial and the medians.
# Needs: JAVA_HOME at Java 25+, nginx, wrk, taskset, python3. Listens on 127.0.0.1 only.
set -euo pipefail
here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
dist=$here/../../packaging/target/sluice trials=5
while (($#)); do
  case $1 in
    --trials) trials=$2; shift 2 ;;
    --dist) dist=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
# shellcheck source=../plain-proxy.sh
source "$here/../plain-proxy.sh"
echo "== recording the AOT cache (bin/sluice train)"
SLUICE_AOT_CACHE=$tmp/sluice.aot "$dist/bin/sluice" train 2>&1 | grep -E '^trained|creation is complete'

load() { # requests served in 3 s, or the reason there were none
  local out
  out=$(taskset -c 0 wrk -t1 -c32 -d3s "http://127.0.0.1:$gw/" 2>&1) || { echo "wrk failed: $out" >&2; cat "$tmp/run.log" >&2; exit 1; }
  awk '/requests in/{print $1}' <<<"$out"
}

trial() { # $1 = with|without
  local cache=$tmp/sluice.aot start ready first second log=$tmp/run-$1-$RANDOM.log
  [[ $1 == without ]] && cache=$tmp/none.aot
  start=$(date +%s%N)
  SLUICE_AOT_CACHE=$cache taskset -c 1 "$dist/bin/sluice" run --config "$tmp/sluice.yaml" >"$log" 2>&1 &
  pid=$!
  ln -sf "$log" "$tmp/run.log"
  until grep -qs "accepting" "$log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.005
  done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  first=$(load) second=$(load)
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo "$1 $ready $first $second" | tee -a "$tmp/results"
}
echo "== $trials trials each, interleaved: variant, ms to listening, requests in 0-3 s, requests in 3-6 s"
for ((i = 0; i < trials; i++)); do trial with; trial without; done
python3 - "$tmp/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for variant in ("with", "without"):
    r = [list(map(int, row[1:])) for row in rows if row[0] == variant]
    med = [statistics.median(col) for col in zip(*r)]
    print(f"median {variant:7} AOT cache: listening after {med[0]:.0f} ms, {med[1]:.0f} requests in 0-3 s, {med[2]:.0f} in 3-6 s")
PY
