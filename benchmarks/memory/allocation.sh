#!/usr/bin/env bash
# Bytes the gateway allocates on its heap per proxied request, from its own GC log: the plain
# proxy route of plain-proxy.sh under wrk (64 connections) or h2load (h2c, 16 connections x 4
# streams), after a warm-up of the same load.
#
#   benchmarks/memory/allocation.sh [--dist DIR] [--load wrk|h2load] [--seconds S]
#
# SLUICE_JAVA_OPTS is passed on, to compare JVM options. Prints the requests served in the measured
# S seconds, the young collections in them, the bytes allocated per request (what each collection
# found in the young generation, summed, over the requests), and the pauses. Deterministic enough
# to compare builds on a shared machine, where requests per second are not. Needs: JAVA_HOME at
# Java 21+, nginx, wrk or h2load, taskset, python3. Listens on 127.0.0.1 only.
set -euo pipefail
here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
dist=$here/../../packaging/target/sluice load=wrk seconds=15
while (($#)); do
  case $1 in
    --dist) dist=$2; shift 2 ;;
    --load) load=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $load == wrk || $load == h2load ]] || { echo "unknown load $load (expected wrk or h2load)" >&2; exit 2; }
# shellcheck source=../plain-proxy.sh
source "$here/../plain-proxy.sh"
start_gateway "$dist" "-Xlog:gc:file=$tmp/gc.log"
drive() { # $1 = seconds; prints the requests served
  if [[ $load == wrk ]]; then
    taskset -c 0 wrk -t1 -c64 -d"$1s" "http://127.0.0.1:$gw/" | awk '/^ +[0-9]+ requests in/{print $1}'
  else
    taskset -c 0 h2load -c16 -m4 -D "$1" "http://127.0.0.1:$gw/" | awk '/^requests:/{print $4}'
  fi
}
drive 15 >/dev/null
cp "$tmp/gc.log" "$tmp/before.log"
requests=$(drive "$seconds")
cp "$tmp/gc.log" "$tmp/after.log"
python3 - "$tmp/before.log" "$tmp/after.log" "$requests" "$seconds" "$load" <<'PY'
import re, sys
before, after, requests, seconds, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
pause = re.compile(r"Pause Young.*? (\d+)M->(\d+)M\(\d+M\) ([\d.]+)ms")
old = pause.findall(open(before).read())
new = pause.findall(open(after).read())[len(old):]
if not new:
    sys.exit("no young collection during the measured load; measure longer (--seconds)")
occupied = int(old[-1][1]) if old else 0  # the heap in use after the last collection before
allocated = 0
for used, left, _ in new:
    allocated += int(used) - occupied
    occupied = int(left)
ms = [float(p[2]) for p in new]
print(f"{load}: {requests} requests in {seconds:g} s, {len(new)} young collections, "
      f"~{allocated * 1048576 / requests:.0f} bytes allocated per request; "
      f"pauses {sum(ms) / len(ms):.2f} ms on average, {max(ms):.2f} ms at most, {sum(ms) / 10 / seconds:.2f}% of the time")
PY
