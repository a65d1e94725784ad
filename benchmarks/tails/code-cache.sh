#!/usr/bin/env bash
# Dead compiled code and G1's remark pause (docs/benchmarks.md, "Dead compiled code and the remark
# pause"): Sluice alone on CPU 1 in front of nginx (`return 200`), h2load on CPU 0, three cycles of
# 8 s of saturating HTTP/1.1 (64 connections) and 8 s of saturating h2c (64 x 10 streams), so that
# code compiled for one protocol is deoptimized and compiled again for the other.
#
#   benchmarks/tails/code-cache.sh [--dist DIR] [--code-cache SIZE] [--mixed N]
#
# The code cache is small (--code-cache, -XX:ReservedCodeCacheSize [24m]) so that the JVM's own
# code-cache-driven collections (at 15% of it allocated since the last one) come within the run.
# Prints the requests/s of each phase, then the code cache at the end (`jcmd Compiler.codecache`),
# how many collections the code cache asked for, and every remark pause with its duration.
# With --mixed N, instead: N periods of 10 s of HTTP/1.1 (32 connections) and h2c (32 x 10 streams)
# at the same time, with the JVM's own code cache size unless --code-cache is given, printing the code
# cache in use after each period. SLUICE_JAVA_OPTS is passed on: compare the launcher's default with
# SLUICE_JAVA_OPTS=-XX:-ClassUnloadingWithConcurrentMark.
# Needs nginx, h2load, taskset, python3 and JAVA_HOME (Java 21+). Listens on 127.0.0.1 only.
set -euo pipefail
here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
dist=$here/../../packaging/target/sluice code_cache="" mixed=0
while (($#)); do
  case $1 in
    --dist) dist=$2; shift 2 ;;
    --code-cache) code_cache=$2; shift 2 ;;
    --mixed) mixed=$2; shift 2 ;;
    *) echo "code-cache.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $dist/bin/sluice ]] || { echo "code-cache.sh: no distribution at $dist" >&2; exit 2; }
jcmd=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
# shellcheck source=../plain-proxy.sh
source "$here/../plain-proxy.sh"
((mixed > 0)) || code_cache=${code_cache:-24m}
start_gateway "$dist" "${code_cache:+-XX:ReservedCodeCacheSize=$code_cache} -Xlog:gc:file=$tmp/gc.log:uptimemillis"
if ((mixed > 0)); then
  for period in $(seq "$mixed"); do
    taskset -c 0 h2load --h1 -c 32 -D 10 "http://127.0.0.1:$gw/" >/dev/null & h1=$!
    taskset -c 0 h2load -c 32 -m 10 -D 10 "http://127.0.0.1:$gw/" >/dev/null & h2=$!
    wait "$h1" "$h2"
    echo "after $((period * 10)) s: $("$jcmd" "$pid" Compiler.codecache | grep '^CodeCache:')"
  done
  exit 0
fi
for cycle in 1 2 3; do
  h1=$(taskset -c 0 h2load --h1 -c 64 -D 8 "http://127.0.0.1:$gw/" | awk '/^finished in/{print $4}')
  h2=$(taskset -c 0 h2load -c 64 -m 10 -D 8 "http://127.0.0.1:$gw/" | awk '/^finished in/{print $4}')
  echo "cycle $cycle: HTTP/1.1 $h1 requests/s, h2c $h2 requests/s"
done
"$jcmd" "$pid" Compiler.codecache | grep -E '^CodeCache:|total_blobs|^Compilation'
echo "collections the code cache asked for: $(grep -c 'CodeCache GC' "$tmp/gc.log"), full collections: $(grep -c 'Pause Full' "$tmp/gc.log")"
echo "remark pauses: $(grep 'Pause Remark' "$tmp/gc.log" | grep -oE '[0-9.]+ms$' | tr '\n' ' ')"
