#!/usr/bin/env bash
# One Sluice alone on CPU 1, an nginx upstream and h2load on CPU 0, for what the JVM does between
# the requests of a fixed-rate load (docs/benchmarks.md, "Tails at a fixed rate").
#
#   benchmarks/tails/standalone.sh [--dist DIR] [--cycles N] [--out DIR]
#
# Phases: 15 s of saturating HTTP/1.1 (h2load --h1 -c 64), 15 s of saturating h2c (-m 10), then N
# cycles [4] of 10 s idle and 10 s at 5,000 requests/s over HTTP/1.1, 10 s idle and 10 s at
# 5,000 requests/s over h2c (64 connections opened one per millisecond, as run.sh's h1-rate and
# h2-rate). The JVM logs its deoptimizations and compilations (-Xlog, wall-clock ms). Prints per
# phase: compilations, deoptimizations, p99 and p99.9 of the fixed-rate loads; then the CPU time
# of the JVM's threads other than the event loop over the whole run, and its young collections.
# Needs nginx, h2load, taskset, python3 and JAVA_HOME (Java 21+); uses ports 18997-18998.
set -euo pipefail
here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
dist=$here/../../packaging/target/sluice cycles=4 out=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --dist) dist=$2; shift 2 ;;
    --cycles) cycles=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "standalone.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $dist/bin/sluice ]] || { echo "standalone.sh: no distribution at $dist" >&2; exit 2; }
out=${out:-$(mktemp -d /tmp/sluice-standalone.XXXXXX)}
# shellcheck source=static-nginx.sh
source "$here/static-nginx.sh"
static_nginx "$out" 18998
cat >"$out/sluice.yaml" <<CONF
server:
  listeners:
    - { name: bench, bind: 127.0.0.1, port: 18997 }
  access_log: false
upstreams:
  origin:
    endpoints: ["http://127.0.0.1:18998"]
routes:
  - id: all
    match: { path: /** }
    upstream: origin
CONF
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
taskset -c 0 nginx -p "$out" -c "$out/nginx.conf" & pids+=($!)
SLUICE_JAVA_OPTS="-Xlog:deoptimization=debug:file=$out/deopt.log:timemillis -Xlog:jit+compilation=debug:file=$out/jit.log:timemillis" \
  taskset -c 1 "$dist/bin/sluice" run --config "$out/sluice.yaml" >"$out/sluice.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do curl -fsS -o /dev/null http://127.0.0.1:18997/small 2>/dev/null && break; sleep 0.1; done
jvm=${pids[1]}
phase() { echo "$(date +%s%3N) $1" >>"$out/phases"; }
: >"$out/phases"
phase saturating-h1; taskset -c 0 h2load --h1 -c 64 -D 15 http://127.0.0.1:18997/small >/dev/null
phase saturating-h2; taskset -c 0 h2load -c 64 -m 10 -D 15 http://127.0.0.1:18997/small >/dev/null
threads_before=$(for t in /proc/$jvm/task/*; do echo "$(tr ' ' _ <"$t/comm") $(cut -d' ' -f1 "$t/schedstat")"; done)
ygc_before=$("$JAVA_HOME/bin/jstat" -gc "$jvm" | awk 'NR == 2 {print $(NF - 6)}')
for ((i = 1; i <= cycles; i++)); do
  for protocol in h1 h2; do
    phase "idle-$protocol-$i"; sleep 10
    phase "$protocol-$i"
    if [[ $protocol == h1 ]]; then args=(--h1); else args=(-m 10); fi
    taskset -c 0 h2load -c 64 "${args[@]}" --rps=78.125 -r 1 --rate-period=1ms -n 50000 \
      --log-file="$out/requests-$protocol-$i.tsv" http://127.0.0.1:18997/small >/dev/null
  done
done
phase end
ygc_after=$("$JAVA_HOME/bin/jstat" -gc "$jvm" | awk 'NR == 2 {print $(NF - 6)}')
threads_after=$(for t in /proc/$jvm/task/*; do echo "$(tr ' ' _ <"$t/comm") $(cut -d' ' -f1 "$t/schedstat")"; done)
python3 - "$out" "$ygc_before" "$ygc_after" "$threads_before" "$threads_after" <<'PY'
import collections, glob, math, os, re, sys
out, ygc0, ygc1, before, after = sys.argv[1:6]
phases = [(int(t), n) for t, n in (line.split() for line in open(f"{out}/phases"))]
def phase_of(ms):
    name = None
    for start, n in phases:
        if ms >= start:
            name = n
    return name
deopts, compiles = collections.Counter(), collections.Counter()
for line in open(f"{out}/deopt.log"):
    m = re.match(r"\[(\d+)ms\].*trap_bci", line)
    if m:
        deopts[phase_of(int(m[1]))] += 1
for line in open(f"{out}/jit.log"):
    m = re.match(r"\[(\d+)ms\]", line)
    if m:
        compiles[phase_of(int(m[1]))] += 1
def pct(times, p):
    return times[max(0, math.ceil(p / 100 * len(times)) - 1)] / 1000
print("| phase | compilations | deoptimizations | p99 ms | p99.9 ms |")
print("|---|--:|--:|--:|--:|")
for _, name in phases[:-1]:
    cells = ["", ""]
    log = f"{out}/requests-{name}.tsv"
    if os.path.exists(log):
        times = sorted(int(l.split("\t")[2]) for l in open(log) if l.strip())
        cells = [f"{pct(times, 99):.2f}", f"{pct(times, 99.9):.2f}"]
    print(f"| {name} | {compiles[name]} | {deopts[name]} | {cells[0]} | {cells[1]} |")
cpu0 = collections.Counter(); cpu1 = collections.Counter()
for text, cpu in ((before, cpu0), (after, cpu1)):
    for line in text.splitlines():
        name, ns = line.rsplit(" ", 1)
        cpu[name] += int(ns)
print(f"\nyoung collections during the cycles: {int(float(ygc1)) - int(float(ygc0))}")
print("CPU of the JVM's other threads during the cycles (ms):")
for name in sorted(cpu1, key=lambda n: cpu0[n] - cpu1[n]):
    ms = (cpu1[name] - cpu0[name]) / 1e6
    if ms >= 0.05 and not name.startswith("sluice-io"):
        print(f"  {name}: {ms:.1f}")
PY
echo "logs: $out"
