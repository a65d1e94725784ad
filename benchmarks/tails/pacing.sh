#!/usr/bin/env bash
# Why run.sh opens the connections of its fixed-rate loads one per millisecond (docs/benchmarks.md,
# Method): h2load at 5,000 requests/s over 64 HTTP/1.1 connections straight to an nginx serving a
# small file, once with the connections opened together (-D) and once opened one per millisecond
# (-r 1 --rate-period=1ms). Prints p10, p50 and p99, and in how many milliseconds requests were sent
# (64 per millisecond means they left in step). nginx on CPU 1, h2load on CPU 0; port 18996.
set -euo pipefail
dir=$(mktemp -d /tmp/sluice-pacing.XXXXXX)
# shellcheck source=static-nginx.sh
source "$(dirname -- "$0")/static-nginx.sh"
static_nginx "$dir" 18996
taskset -c 1 nginx -p "$dir" -c "$dir/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -fsS -o /dev/null http://127.0.0.1:18996/small 2>/dev/null && break; sleep 0.1; done
for how in together spread; do
  if [[ $how == together ]]; then args=(-D 4); else args=(-r 1 --rate-period=1ms -n 20000); fi
  taskset -c 0 h2load --h1 -c 64 --rps=78.125 "${args[@]}" --log-file="$dir/$how.tsv" http://127.0.0.1:18996/small >/dev/null
  python3 - "$how" "$dir/$how.tsv" <<'PY'
import collections, math, sys
rows = [line.split("\t") for line in open(sys.argv[2]) if line.strip()]
times = sorted(int(r[2]) for r in rows)
pct = lambda p: times[max(0, math.ceil(p / 100 * len(times)) - 1)] / 1000
per_ms = sorted(collections.Counter(int(r[0]) // 1000 for r in rows).values())
print(f"connections opened {sys.argv[1]:8s}: p10 {pct(10):.2f} ms, p50 {pct(50):.2f} ms, p99 {pct(99):.2f} ms; "
      f"requests sent in {len(per_ms)} milliseconds, {per_ms[len(per_ms) // 2]} in the median one")
PY
done
