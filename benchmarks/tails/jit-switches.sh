#!/usr/bin/env bash
# What the JIT compilers do when the load switches protocol (docs/benchmarks.md, "Tails at a fixed
# rate"): Sluice alone on CPU 1 in front of nginx (`return 200`), h2load on CPU 0, four phases of
# saturating load of S seconds each: HTTP/1.1 (64 connections), h2c (64 x 10 streams), HTTP/1.1,
# h2c.
#
#   benchmarks/tails/jit-switches.sh [--dist DIR] [--seconds S] [--out DIR] [--compiler-memory]
#
# The JVM records every compilation and deoptimization (JFR, jdk.Compilation with no threshold).
# Prints per phase: requests/s, deoptimizations, C2 compilations and their summed duration, and the
# CPU time of the C2 compiler threads (from /proc); then the methods C2 compiled most often and the
# longest compilations. With --compiler-memory, also the compilations that needed the most memory
# (-XX:CompileCommand=MemStat, `jcmd Compiler.memory`; Java 23+). SLUICE_JAVA_OPTS is passed on,
# to compare JVM options.
# Needs nginx, h2load, taskset, python3 and JAVA_HOME (Java 21+). Listens on 127.0.0.1 only.
set -euo pipefail
here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
dist=$here/../../packaging/target/sluice seconds=10 out="" memstat=""
while (($#)); do
  case $1 in
    --dist) dist=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --compiler-memory) memstat="-XX:CompileCommand=quiet -XX:CompileCommand=MemStat,*.*"; shift ;;
    *) echo "jit-switches.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $dist/bin/sluice ]] || { echo "jit-switches.sh: no distribution at $dist" >&2; exit 2; }
out=${out:-$(mktemp -d /tmp/sluice-jit.XXXXXX)}
mkdir -p "$out"
jfr=${JAVA_HOME:+$JAVA_HOME/bin/}jfr jcmd=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
# shellcheck source=../plain-proxy.sh
source "$here/../plain-proxy.sh"
start_gateway "$dist" "$memstat -XX:StartFlightRecording:filename=$out/jit.jfr,jdk.Compilation#threshold=0ms,jdk.Deoptimization#enabled=true"
c2_cpu() { # CPU seconds of the C2 compiler threads so far
  local t total=0
  for t in /proc/"$pid"/task/*; do
    [[ $(cat "$t/comm" 2>/dev/null) == C2* ]] || continue
    total=$((total + $(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}
: >"$out/phases"
for phase in h1 h2 h1 h2; do
  before=$(c2_cpu) start=$(date +%s%3N)
  if [[ $phase == h1 ]]; then args=(--h1 -c 64); else args=(-c 64 -m 10); fi
  rate=$(taskset -c 0 h2load "${args[@]}" -D "$seconds" "http://127.0.0.1:$gw/" | awk '/^finished in/{print $4}')
  echo "$phase $start $(date +%s%3N) $rate $before $(c2_cpu)" >>"$out/phases"
done
if [[ -n $memstat ]]; then
  echo "compilations that needed the most memory:"
  "$jcmd" "$pid" Compiler.memory | awk 'NR > 2 && $1 ~ /^c[12]$/' | sort -k2 -rn | head -5 |
    awk '{printf "  %s %5.1f MB  %s\n", $1, $2 / 1048576, $NF}'
fi
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
"$jfr" print --json --events jdk.Compilation,jdk.Deoptimization "$out/jit.jfr" >"$out/jit.json"
python3 - "$out" "$(getconf CLK_TCK)" <<'PY'
import collections, json, re, sys
from datetime import datetime
out, tck = sys.argv[1], int(sys.argv[2])
events = json.load(open(f"{out}/jit.json"))["recording"]["events"]
def ms(stamp): return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000
def seconds(d):
    m = re.match(r"PT(?:(\d+)H)?(?:(\d+)M)?([\d.]+)S", d)
    return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3)) if m else 0.0
def name(m): return m["type"]["name"].replace("/", ".") + "." + m["name"]
phases = [line.split() for line in open(f"{out}/phases")]
print("| phase | requests/s | deoptimizations | C2 compilations | their summed duration | C2 threads' CPU |")
print("|---|--:|--:|--:|--:|--:|")
for i, (proto, start, end, rate, c2_before, c2_after) in enumerate(phases, 1):
    inside = [e for e in events if int(start) <= ms(e["values"]["startTime"]) < int(end)]
    deopts = sum(e["type"] == "jdk.Deoptimization" for e in inside)
    c2 = [e for e in inside if e["type"] == "jdk.Compilation" and e["values"]["compileLevel"] == 4]
    took = sum(seconds(e["values"]["duration"]) for e in c2)
    cpu = (int(c2_after) - int(c2_before)) / tck
    print(f"| {i}: {'HTTP/1.1' if proto == 'h1' else 'h2c'} | {float(rate):,.0f} | {deopts} | {len(c2)} | {took:.2f} s | {cpu:.2f} s |")
c2 = [e["values"] for e in events if e["type"] == "jdk.Compilation" and e["values"]["compileLevel"] == 4]
times = collections.Counter(name(v["method"]) for v in c2)
print("\nC2 compiled most often (whole run):")
for method, n in times.most_common(10): print(f"  {n}x  {method}")
print("\nlongest C2 compilations (whole run):")
for v in sorted(c2, key=lambda v: -seconds(v["duration"]))[:10]:
    print(f"  {seconds(v['duration']) * 1000:6.0f} ms  {v.get('codeSize', 0) / 1024:5.1f} KiB of code  {name(v['method'])}")
deopts = collections.Counter((e["values"]["reason"], name(e["values"]["method"])) for e in events if e["type"] == "jdk.Deoptimization")
print("\ndeoptimizations by reason (whole run):")
for reason, n in collections.Counter(r for (r, _), c in deopts.items() for _ in range(c)).most_common(8): print(f"  {n:4d}  {reason}")
PY
echo "(recording and phases in $out)"
