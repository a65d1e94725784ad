#!/usr/bin/env bash
# Where a gateway's resident memory goes: RSS under load with the launcher's defaults, the JVM's
# own breakdown of it (Native Memory Tracking), and the memory each idle client connection holds.
#
#   benchmarks/memory/run.sh [--dist DIR] [--connections N] [--load-seconds S] [--load wrk|h2load]
#
# SLUICE_JAVA_OPTS is passed on, to compare JVM options; --connections 0 skips step 2.
#
# 1. Starts nginx (`return 200`, CPU 0) and `sluice run` (CPU 1, launcher defaults plus
#    -XX:NativeMemoryTracking=summary) on a plain proxy route, loads it with wrk (CPU 0, 64
#    connections) or h2load (h2c, 16 connections x 4 streams) for S seconds, then prints RSS (the
#    highest of samples every 0.5 s, and at the end) and `jcmd VM.native_memory summary` by category.
# 2. Opens N idle HTTP/1.1 keep-alive connections (each made one request first), then N idle
#    HTTP/2 connections (preface, SETTINGS, one request), and prints the RSS growth per connection
#    after a GC (`jcmd GC.run`), so that only what the connections hold is counted.
# NMT itself costs a little memory (its own category in the summary). Needs: JAVA_HOME at Java 21+,
# nginx, wrk (h2load for --load h2load), taskset, python3, jcmd. Listens on 127.0.0.1 only. Raise `ulimit -n` above N + 100.
set -euo pipefail
here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
dist=$here/../../packaging/target/sluice connections=10000 load_seconds=20 load=wrk
while (($#)); do
  case $1 in
    --dist) dist=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --load-seconds) load_seconds=$2; shift 2 ;;
    --load) load=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
jcmd=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
# shellcheck source=../plain-proxy.sh
source "$here/../plain-proxy.sh"
start_gateway "$dist" "-XX:NativeMemoryTracking=summary"
jvm=$(pgrep -P "$pid" java || echo "$pid") # the launcher execs java, so this is normally $pid itself
rss() { awk '/^VmRSS/{print $2}' "/proc/$jvm/status"; }
echo "== idle after start: RSS $(( $(rss) / 1024 )) MiB"
peak=0
(while sleep 0.5; do r=$(rss); ((r > peak)) && peak=$r && echo "$peak" >"$tmp/peak"; done) &
sampler=$!
case $load in
  wrk) taskset -c 0 wrk -t1 -c64 -d"${load_seconds}s" "http://127.0.0.1:$gw/" | awk '/Requests\/sec/{print "== load: " $2 " requests/s"}'
       what="wrk, 64 connections" ;;
  h2load) taskset -c 0 h2load -c16 -m4 -D "$load_seconds" "http://127.0.0.1:$gw/" | awk '/^finished in/{print "== load: " $4 " requests/s"}'
       what="h2load, 16 connections x 4 streams" ;;
  *) echo "unknown load $load (expected wrk or h2load)" >&2; exit 2 ;;
esac
kill "$sampler"; wait "$sampler" 2>/dev/null || true
echo "== during ${load_seconds}s of load ($what): RSS at most $(( $(cat "$tmp/peak" 2>/dev/null || echo 0) / 1024 )) MiB, $(( $(rss) / 1024 )) MiB right after"
echo "== native memory by category (committed; NMT summary)"
"$jcmd" "$jvm" VM.native_memory summary | python3 -c '
import re, sys
text = sys.stdin.read()
total = re.search(r"Total: reserved=\d+KB, committed=(\d+)KB", text)
print(f"   {int(total.group(1)) // 1024:6d} MiB  total committed")
for name, committed in re.findall(r"^-\s+(.+?) \(reserved=\d+KB, committed=(\d+)KB", text, re.M):
    if int(committed) >= 1024:
        print(f"   {int(committed) // 1024:6d} MiB  {name.strip()}")
malloc = re.search(r"malloc: (\d+)KB #\d+, peak=(\d+)KB", text)
arenas = re.search(r"Compiler \(reserved.*?\n(?:.*\n)*?.*?\(arena=\d+KB #\d+\) \(peak=(\d+)KB", text)
if malloc:
    print(f"   malloc: {int(malloc.group(1)) // 1024} MiB now, {int(malloc.group(2)) // 1024} MiB at most"
          + (f"; the JIT compiler arenas {int(arenas.group(1)) // 1024} MiB at most" if arenas else ""))'

idle() { # $1 = http1|h2: opens $connections idle connections, prints the RSS growth per connection
  "$jcmd" "$jvm" GC.run >/dev/null
  sleep 1
  local before after
  before=$(rss)
  python3 - "$gw" "$connections" "$1" "$tmp/opened" <<'PY' &
import socket, sys, time
port, n, proto, flag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
# HTTP/2: preface, empty SETTINGS, HEADERS (stream 1, END_STREAM|END_HEADERS) with HPACK
# indexed :method GET (0x82), :scheme http (0x86), :path / (0x84) and :authority literal "bench".
h2 = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
      + b"\x00\x00\x0a\x01\x05\x00\x00\x00\x01" + b"\x82\x86\x84\x41\x05bench")
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request if proto == "http1" else h2)
    socks.append(s)
for s in socks:
    s.settimeout(10)
    s.recv(65536)  # the response (HTTP/2: SETTINGS and more), so the exchange is over
open(flag, "w").close()
time.sleep(3600)
PY
  local client=$!
  until [[ -f $tmp/opened ]]; do kill -0 "$client" 2>/dev/null || { echo "client failed" >&2; exit 1; }; sleep 0.2; done
  sleep 2
  "$jcmd" "$jvm" GC.run >/dev/null
  sleep 1
  after=$(rss)
  echo "== $connections idle $1 connections: RSS $(( before / 1024 )) -> $(( after / 1024 )) MiB, $(( (after - before) * 1024 / connections )) bytes per connection"
  kill "$client"; wait "$client" 2>/dev/null || true
  rm -f "$tmp/opened"
  sleep 2
}
if ((connections > 0)); then
  idle http1
  idle h2
fi
