#!/usr/bin/env bash
# End-to-end load test: Sluice as a plain proxy against nginx as a reverse proxy, both in front
# of the same nginx upstream, plus the upstream directly, under wrk (HTTP/1.1 keep-alive).
#
#   benchmarks/e2e/run.sh [options]
#
# What one run does:
#   1. builds the distribution (skip with --no-build);
#   2. writes nginx and Sluice configs into a temp dir and starts, each pinned with taskset:
#        upstream   nginx on 127.0.0.1, serving /small (13 bytes) and /16k (16,384 bytes)
#        nginx      Debian nginx as a reverse proxy: upstream keepalive 64, proxy_http_version 1.1,
#                   Connection "", access_log off, one worker per CPU of the proxy's share, 16 KiB
#                   proxy buffers, and the forwarding / request-id headers a production config sets
#                   (Sluice sets them too)
#        sluice     bin/sluice run with the launcher's default JVM settings, route /** -> upstream,
#                   access_log: false
#        sluice-log the same with access_log: true, its stdout appended to a file on disk
#        sluice-alt a second Sluice for A/B comparisons (--alt-dist, --alt-opts), only if asked for
#      every proxy runs for the whole test; only the one under load does work;
#   3. warms every candidate up on every body size (not recorded);
#   4. runs ROUNDS rounds; each round loads every candidate once per body size, so candidates
#      are INTERLEAVED (A B C D, B C D A, ...: the start rotates each round) and drift in the
#      shared machine's load hits all of them alike;
#   5. for every measurement records wrk's summary (requests, latency percentiles, errors),
#      the proxy's CPU time (utime+stime from /proc/PID/stat, all of its processes) and its RSS
#      (VmRSS sampled every 0.5 s during the load), and the upstream's CPU time;
#   6. writes benchmarks/e2e/results/<UTC timestamp>/results.json (machine, versions, configs,
#      every measurement, medians and ratios) via report.py, and prints the table.
#      Raw wrk output, logs and JFR recordings go to raw/ beside it (not committed).
#
# Core split (default): the proxy under test gets CPU 1 to itself; the upstream and wrk share
# CPU 0. CPU 0 then does the same work per request for every candidate (wrk's and the
# upstream's), so it is a fixed ceiling, and "direct" (wrk -> upstream, all on CPU 0) is that
# ceiling: what a proxy that costs nothing would reach. Each proxy sees one CPU, so Sluice starts
# one event loop (event_loops: 0 = one per available CPU) and nginx one worker.
# docs/benchmarks.md gives the alternatives measured.
#
# Options (defaults in brackets):
#   --rounds N            measured rounds [5]
#   --duration S          seconds per measurement [10]
#   --warmup S            warm-up seconds per candidate and body size [15]
#   --quick               --rounds 2 --duration 5 --warmup 8: a profile in ~2.5 minutes
#   --connections N       wrk connections [64]
#   --wrk-threads N       wrk threads [number of CPUs in --wrk-cpus]
#   --sizes LIST          body sizes, comma separated, of: small,16k [small,16k]
#   --candidates LIST     of: direct,nginx,sluice,sluice-log,sluice-alt [direct,nginx,sluice,sluice-log]
#   --proxy-cpus SPEC     taskset CPU list for the proxies [1]
#   --upstream-cpus SPEC  taskset CPU list for the upstream nginx [0]
#   --wrk-cpus SPEC       taskset CPU list for wrk [0]
#   --port-base P         ports P..P+5 on 127.0.0.1 [18080]
#   --sluice-opts OPTS    extra JVM options for sluice and sluice-log (SLUICE_JAVA_OPTS) []
#   --alt-dist DIR        distribution for sluice-alt [the built one]
#   --alt-opts OPTS       SLUICE_JAVA_OPTS for sluice-alt []
#   --alt-label TEXT      what sluice-alt is, for the results [alt]
#   --alt-access-log      sluice-alt with access_log: true (to compare against sluice-log)
#   --jfr                 record JFR (settings=profile, stacks every 1 ms) of each Sluice during the
#                         measured rounds, into raw/<candidate>.jfr
#   --nice N              run upstream, proxies and wrk under `nice -n N`, and give this run's
#                         scheduling autogroup the same nice value (negative needs root): on a shared
#                         machine, keeps other work from preempting the benchmark [0]
#   --label TEXT          free text stored with the results (e.g. "baseline") []
#   --out DIR             results directory [benchmarks/e2e/results/<UTC timestamp>]
#   --no-build            use the distribution already in packaging/target/sluice
#   --update-docs         let report.py rewrite the results section of docs/benchmarks.md and the chart
#   --keep-tmp            keep the temp dir (configs, logs) for inspection
#
# Needs: bash, JAVA_HOME pointing at Java 21+ (or such a java on PATH), nginx (Debian package),
# wrk, taskset (util-linux), curl, python3. Everything listens on 127.0.0.1 only. Every process
# started here is stopped on exit, including on Ctrl-C.
set -euo pipefail

here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
repo=$(cd -P -- "$here/../.." && pwd -P)

rounds=5 duration=10 warmup=15 connections=64 wrk_threads=""
sizes="small,16k" candidates="direct,nginx,sluice,sluice-log"
proxy_cpus=1 upstream_cpus=0 wrk_cpus=0 port_base=18080
nice_level=0 sluice_opts="" alt_dist="" alt_opts="" alt_label="alt" alt_access_log=false jfr=0 label="" out="" build=1 update_docs=0 keep_tmp=0

die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }
need_value() { [[ $# -ge 2 && -n $2 ]] || die "option $1 needs a value"; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) need_value "$@"; rounds=$2; shift 2 ;;
    --duration) need_value "$@"; duration=$2; shift 2 ;;
    --warmup) need_value "$@"; warmup=$2; shift 2 ;;
    --quick) rounds=2 duration=5 warmup=8; shift ;;
    --connections) need_value "$@"; connections=$2; shift 2 ;;
    --wrk-threads) need_value "$@"; wrk_threads=$2; shift 2 ;;
    --sizes) need_value "$@"; sizes=$2; shift 2 ;;
    --candidates) need_value "$@"; candidates=$2; shift 2 ;;
    --proxy-cpus) need_value "$@"; proxy_cpus=$2; shift 2 ;;
    --upstream-cpus) need_value "$@"; upstream_cpus=$2; shift 2 ;;
    --wrk-cpus) need_value "$@"; wrk_cpus=$2; shift 2 ;;
    --port-base) need_value "$@"; port_base=$2; shift 2 ;;
    --sluice-opts) need_value "$@"; sluice_opts=$2; shift 2 ;;
    --alt-dist) need_value "$@"; alt_dist=$2; shift 2 ;;
    --alt-opts) need_value "$@"; alt_opts=$2; shift 2 ;;
    --alt-label) need_value "$@"; alt_label=$2; shift 2 ;;
    --alt-access-log) alt_access_log=true; shift ;;
    --jfr) jfr=1; shift ;;
    --nice) need_value "$@"; nice_level=$2; shift 2 ;;
    --label) need_value "$@"; label=$2; shift 2 ;;
    --out) need_value "$@"; out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --update-docs) update_docs=1; shift ;;
    --keep-tmp) keep_tmp=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

for n in "$rounds" "$duration" "$warmup" "$connections" "$port_base" ${wrk_threads:+"$wrk_threads"}; do
  [[ $n =~ ^[0-9]+$ ]] || die "'$n' is not a whole number"
done
[[ $nice_level =~ ^-?[0-9]+$ ]] || die "--nice needs a whole number"
prio=()
if ((nice_level != 0)); then
  prio=(nice -n "$nice_level")
  # With autogroup scheduling, CPU time is first shared between sessions, so a process's own nice
  # value only counts inside its session: raise the weight of this run's session as well.
  if [[ -w /proc/self/autogroup ]]; then echo "$nice_level" >/proc/self/autogroup || die "cannot set the autogroup nice value"; fi
fi
((rounds >= 1 && duration >= 1 && connections >= 1)) || die "--rounds, --duration and --connections must be at least 1"
for tool in nginx wrk taskset curl python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian: apt-get install nginx wrk util-linux curl python3)"
done

IFS=, read -ra size_list <<<"$sizes"
IFS=, read -ra cand_list <<<"$candidates"
for s in "${size_list[@]}"; do [[ $s == small || $s == 16k ]] || die "unknown size '$s' (expected small or 16k)"; done
for c in "${cand_list[@]}"; do
  case $c in direct | nginx | sluice | sluice-log | sluice-alt) ;; *) die "unknown candidate '$c'" ;; esac
done

# Number of CPUs in a taskset list such as "1", "0-1" or "0,2-3".
cpu_count() {
  local part n=0 parts
  IFS=, read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    if [[ $part =~ ^([0-9]+)-([0-9]+)$ ]]; then
      n=$((n + BASH_REMATCH[2] - BASH_REMATCH[1] + 1))
    elif [[ $part =~ ^[0-9]+$ ]]; then
      n=$((n + 1))
    else
      die "bad CPU list '$1'"
    fi
  done
  echo "$n"
}
proxy_workers=$(cpu_count "$proxy_cpus")
[[ -n $wrk_threads ]] || wrk_threads=$(cpu_count "$wrk_cpus")
((wrk_threads <= connections)) || wrk_threads=$connections
cpu_count "$upstream_cpus" >/dev/null

# --- Java and the distribution.
if [[ -n ${JAVA_HOME:-} ]]; then java=$JAVA_HOME/bin/java; else java=$(command -v java) || die "no Java: set JAVA_HOME"; fi
dist=$repo/packaging/target/sluice
if ((build)); then
  echo "== building (./mvnw -q -B -DskipTests package)"
  (cd "$repo" && ./mvnw -q -B -DskipTests package)
fi
[[ -x $dist/bin/sluice ]] || die "no distribution at $dist: build it or drop --no-build"
[[ -n $alt_dist ]] || alt_dist=$dist
[[ -x $alt_dist/bin/sluice ]] || die "no distribution at $alt_dist"

# --- Ports: everything on loopback, refuse to start over something already listening.
port_upstream=$port_base
port_nginx=$((port_base + 1))
port_sluice=$((port_base + 2))
port_sluice_log=$((port_base + 3))
port_sluice_alt=$((port_base + 4))
for p in "$port_upstream" "$port_nginx" "$port_sluice" "$port_sluice_log" "$port_sluice_alt"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p on 127.0.0.1 is in use (choose --port-base)"; fi
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
[[ -n $out ]] || out=$here/results/$stamp
mkdir -p "$out/raw"
out=$(cd -P -- "$out" && pwd -P)
raw=$out/raw
tmp=$(mktemp -d /tmp/sluice-e2e.XXXXXX)
chmod 755 "$tmp" # nginx workers run as another user and must read www/

# --- Cleanup: stop exactly the processes started here.
started_pids=()
sampler=""
cleanup() {
  local status=$? pid
  trap - EXIT INT TERM
  [[ -z $sampler ]] || kill "$sampler" 2>/dev/null || true
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if ((keep_tmp)); then echo "temp dir kept: $tmp"; else rm -rf "$tmp"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Upstream content and configs.
mkdir -p "$tmp/www" "$tmp/upstream" "$tmp/nginx"
printf 'Hello, world\n' >"$tmp/www/small"
python3 -c 'import sys; sys.stdout.write(("0123456789abcdef" * 64 + "\n")[:1024] * 16)' >"$tmp/www/16k"
[[ $(stat -c %s "$tmp/www/16k") == 16384 ]] || die "16k body is not 16384 bytes"

nginx_common() { # $1 = prefix dir
  cat <<EOF
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
EOF
}
temp_paths() { # nginx-light still wants writable temp paths, even unused
  printf '  client_body_temp_path %s/t-body; proxy_temp_path %s/t-proxy; fastcgi_temp_path %s/t-fcgi;\n' "$1" "$1" "$1"
  printf '  uwsgi_temp_path %s/t-uwsgi; scgi_temp_path %s/t-scgi;\n' "$1" "$1"
}

{
  nginx_common "$tmp/upstream"
  cat <<EOF
worker_processes $(cpu_count "$upstream_cpus");
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 10000000;   # no reconnects in the middle of a measurement
  open_file_cache max=16 inactive=300s;
  open_file_cache_valid 300s;
EOF
  temp_paths "$tmp/upstream"
  cat <<EOF
  server {
    listen 127.0.0.1:$port_upstream backlog=4096;
    root $tmp/www;
    location / { }
  }
}
EOF
} >"$tmp/upstream/nginx.conf"

{
  nginx_common "$tmp/nginx"
  cat <<EOF
worker_processes $proxy_workers;
worker_rlimit_nofile 65536;
events { worker_connections 8192; }
http {
  access_log off;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 10000000;
  server_tokens off;
EOF
  temp_paths "$tmp/nginx"
  cat <<EOF
  upstream origin {
    server 127.0.0.1:$port_upstream;
    keepalive 64;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:$port_nginx backlog=4096;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # A response of up to 16 KiB fits one buffer: one read from the upstream instead of four
      # (the default buffers are one 4 KiB page each).
      proxy_buffer_size 16k;
      proxy_buffers 8 16k;
      proxy_set_header Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Request-Id \$request_id;
      add_header X-Request-Id \$request_id always;
    }
  }
}
EOF
} >"$tmp/nginx/nginx.conf"

sluice_config() { # $1 = port, $2 = access_log
  cat <<EOF
server:
  listeners:
    - { name: bench, bind: 127.0.0.1, port: $1 }
  access_log: $2
upstreams:
  origin:
    endpoints: ["http://127.0.0.1:$port_upstream"]
routes:
  - id: all
    match: { path: /** }
    upstream: origin
EOF
}
sluice_config "$port_sluice" false >"$tmp/sluice.yaml"
sluice_config "$port_sluice_log" true >"$tmp/sluice-log.yaml"
sluice_config "$port_sluice_alt" "$alt_access_log" >"$tmp/sluice-alt.yaml"
cp "$tmp/upstream/nginx.conf" "$raw/upstream-nginx.conf"
cp "$tmp/nginx/nginx.conf" "$raw/proxy-nginx.conf"
cp "$tmp/sluice.yaml" "$raw/sluice.yaml"

cat >"$tmp/report.lua" <<'EOF'
-- Prints wrk's summary as one JSON line (latencies in microseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"duration_us":%.0f,"requests":%.0f,"bytes":%.0f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
    '"latency_us":{"min":%.0f,"mean":%.1f,"stdev":%.1f,"max":%.0f,"p50":%.0f,"p75":%.0f,"p90":%.0f,"p99":%.0f,"p999":%.0f}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end
EOF

# --- Start everything.
declare -A url_port=([direct]=$port_upstream [nginx]=$port_nginx [sluice]=$port_sluice
  [sluice-log]=$port_sluice_log [sluice-alt]=$port_sluice_alt)
declare -A main_pid=()

start_bg() { # $1 = name, $2 = cpus, rest = command; stdout/stderr to raw/<name>.log
  local name=$1 cpus=$2
  shift 2
  "${prio[@]}" taskset -c "$cpus" "$@" >>"$tmp/$name.out" 2>"$raw/$name.log" &
  started_pids+=($!)
  main_pid[$name]=$!
}

wait_ready() { # $1 = name, $2 = port
  local i
  for i in $(seq 150); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$2/small" 2>/dev/null; then return 0; fi
    kill -0 "${main_pid[$1]}" 2>/dev/null || die "$1 exited at start; see $raw/$1.log"
    sleep 0.2
  done
  die "$1 did not answer on 127.0.0.1:$2 within 30 s; see $raw/$1.log"
}

echo "== starting upstream (CPUs $upstream_cpus), proxies (CPUs $proxy_cpus), wrk on CPUs $wrk_cpus"
start_bg upstream "$upstream_cpus" nginx -p "$tmp/upstream" -c "$tmp/upstream/nginx.conf" -e "$tmp/upstream/error.log"
wait_ready upstream "$port_upstream"
main_pid[direct]=""

has_candidate() { local c; for c in "${cand_list[@]}"; do [[ $c == "$1" ]] && return 0; done; return 1; }
if has_candidate nginx; then
  start_bg nginx "$proxy_cpus" nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log"
  wait_ready nginx "$port_nginx"
fi
if has_candidate sluice; then
  SLUICE_JAVA_OPTS=$sluice_opts start_bg sluice "$proxy_cpus" "$dist/bin/sluice" run --config "$tmp/sluice.yaml"
  wait_ready sluice "$port_sluice"
fi
if has_candidate sluice-log; then
  SLUICE_JAVA_OPTS=$sluice_opts start_bg sluice-log "$proxy_cpus" "$dist/bin/sluice" run --config "$tmp/sluice-log.yaml"
  wait_ready sluice-log "$port_sluice_log"
fi
if has_candidate sluice-alt; then
  SLUICE_JAVA_OPTS=$alt_opts start_bg sluice-alt "$proxy_cpus" "$alt_dist/bin/sluice" run --config "$tmp/sluice-alt.yaml"
  wait_ready sluice-alt "$port_sluice_alt"
fi

# The processes whose CPU and memory count for a candidate: nginx's master and workers, the JVM.
pids_of() {
  local root=${main_pid[$1]:-}
  [[ -n $root ]] || return 0
  echo "$root"
  if [[ $1 == upstream || $1 == nginx ]]; then pgrep -P "$root" || true; fi
}

cpu_ticks() { # "utime stime" of the given PIDs, summed, in clock ticks
  local user=0 system=0 pid line fields
  for pid in "$@"; do
    line=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    read -ra fields <<<"${line##*) }"
    user=$((user + fields[11]))
    system=$((system + fields[12]))
  done
  echo "$user $system"
}

steal_ticks() { # time the hypervisor ran something else while this VM wanted the CPUs, in clock ticks
  local label user nice system idle iowait irq softirq steal
  read -r label user nice system idle iowait irq softirq steal _ </proc/stat
  echo "${steal:-0}"
}

rss_kb() { # summed VmRSS of the given PIDs
  local total=0 pid key value
  for pid in "$@"; do
    while read -r key value _; do
      if [[ $key == VmRSS: ]]; then total=$((total + value)); break; fi
    done 2>/dev/null <"/proc/$pid/status" || true
  done
  echo "$total"
}

sample_rss() { # $1 = file, $2 = samples, rest = PIDs; one sample every 0.5 s, bounded
  local file=$1 count=$2 i
  shift 2
  for ((i = 0; i < count; i++)); do
    rss_kb "$@" >>"$file"
    sleep 0.5
  done
}

# --- Machine and versions.
java_version=$("$java" -version 2>&1 | head -n 1)
git_rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
git_dirty=$(git -C "$repo" status --porcelain --untracked-files=no -- gateway-core packaging 2>/dev/null | head -c 1)
json_str() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }
cmdline_of() { [[ -n ${main_pid[$1]:-} ]] && tr '\0' ' ' <"/proc/${main_pid[$1]}/cmdline" || true; }
{
  echo "{"
  echo "\"label\": $(json_str "$label"),"
  echo "\"started\": \"$stamp\","
  echo "\"rounds\": $rounds, \"duration_s\": $duration, \"warmup_s\": $warmup, \"connections\": $connections, \"wrk_threads\": $wrk_threads,"
  echo "\"sizes\": $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "${size_list[@]}"),"
  echo "\"candidates\": $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "${cand_list[@]}"),"
  echo "\"cpus\": {\"proxy\": \"$proxy_cpus\", \"upstream\": \"$upstream_cpus\", \"wrk\": \"$wrk_cpus\"}, \"nice\": $nice_level,"
  echo "\"machine\": {\"cpu\": $(json_str "$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"), \"cpus\": $(nproc),"
  echo "  \"mem_gib\": $(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo), \"kernel\": $(json_str "$(uname -r)"),"
  echo "  \"virtualization\": $(json_str "$(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -n 1)")},"
  echo "\"versions\": {\"java\": $(json_str "$java_version"), \"nginx\": $(json_str "$(nginx -v 2>&1)"),"
  echo "  \"wrk\": $(json_str "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"), \"sluice\": $(json_str "$git_rev${git_dirty:+ (modified)}")},"
  echo "\"sluice_opts\": $(json_str "$sluice_opts"), \"alt_opts\": $(json_str "$alt_opts"), \"alt_label\": $(json_str "$alt_label"), \"alt_access_log\": $alt_access_log,"
  echo "\"commands\": {\"sluice\": $(json_str "$(cmdline_of sluice)"), \"sluice-alt\": $(json_str "$(cmdline_of sluice-alt)")}"
  echo "}"
} >"$raw/meta.json"

# --- One measurement.
runs=$raw/runs.jsonl
: >"$runs"

measure() { # $1 = candidate, $2 = size, $3 = round (0 = warm-up), $4 = seconds
  local cand=$1 size=$2 round=$3 secs=$4 pids upstream_pids tag wrk_out line
  local cpu0 cpu1 sys0 sys1 up0 up1 upsys0 upsys1 samples_file
  mapfile -t pids < <(pids_of "$cand")
  mapfile -t upstream_pids < <(pids_of upstream)
  tag="$cand-$size-r$round"
  wrk_out=$raw/wrk-$tag.txt
  samples_file=$tmp/rss-$tag
  : >"$samples_file"
  if ((${#pids[@]})); then
    sample_rss "$samples_file" $((secs * 2 + 4)) "${pids[@]}" &
    sampler=$!
  fi
  read -r cpu0 sys0 < <(cpu_ticks "${pids[@]}")
  read -r up0 upsys0 < <(cpu_ticks "${upstream_pids[@]}")
  local load_before steal0 steal1
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  steal0=$(steal_ticks)
  "${prio[@]}" taskset -c "$wrk_cpus" wrk -t"$wrk_threads" -c"$connections" -d"${secs}s" --latency -s "$tmp/report.lua" \
    "http://127.0.0.1:${url_port[$cand]}/$size" >"$wrk_out" 2>&1 || die "wrk failed: $(tail -n 3 "$wrk_out")"
  steal1=$(steal_ticks)
  read -r cpu1 sys1 < <(cpu_ticks "${pids[@]}")
  read -r up1 upsys1 < <(cpu_ticks "${upstream_pids[@]}")
  if [[ -n $sampler ]]; then
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    sampler=""
  fi
  if [[ $cand == sluice-log || $cand == sluice-alt ]]; then : >"$tmp/$cand.out"; fi  # keep access logs from filling the disk
  ((round > 0)) || return 0
  line=$(sed -n 's/^WRKJSON //p' "$wrk_out")
  [[ -n $line ]] || die "no summary in $wrk_out"
  printf '{"candidate":"%s","size":"%s","round":%d,"wrk":%s,"proxy_cpu_ticks":{"user":%d,"system":%d},"upstream_cpu_ticks":{"user":%d,"system":%d},"rss_kb":[%s],"loadavg_before":%s,"steal_ticks":%d,"clk_tck":%d}\n' \
    "$cand" "$size" "$round" "$line" $((cpu1 - cpu0)) $((sys1 - sys0)) $((up1 - up0)) $((upsys1 - upsys0)) "$(paste -sd, "$samples_file")" \
    "$load_before" $((steal1 - steal0)) "$(getconf CLK_TCK)" >>"$runs"
  printf '   %-11s %-5s round %d: %s\n' "$cand" "$size" "$round" \
    "$(grep -E '^Requests/sec' "$wrk_out" | tr -s ' ')"
}

echo "== warm-up: ${warmup}s per candidate and body size"
if ((warmup > 0)); then
  for cand in "${cand_list[@]}"; do
    for size in "${size_list[@]}"; do measure "$cand" "$size" 0 "$warmup"; done
  done
fi

if ((jfr)); then
  # The profile settings, with Java stacks sampled every millisecond instead of every 10 ms.
  "${java%/java}/jfr" configure --input profile --output "$tmp/e2e.jfc" 'jdk.ExecutionSample#period=1ms' >/dev/null
  for cand in sluice sluice-log sluice-alt; do
    [[ -n ${main_pid[$cand]:-} ]] || continue
    "${java%/java}/jcmd" "${main_pid[$cand]}" JFR.start name=e2e settings="$tmp/e2e.jfc" >/dev/null
  done
fi

echo "== $rounds rounds x ${duration}s, $connections connections, candidates interleaved"
n=${#cand_list[@]}
for ((round = 1; round <= rounds; round++)); do
  for size in "${size_list[@]}"; do
    for ((i = 0; i < n; i++)); do
      measure "${cand_list[$(((i + round - 1) % n))]}" "$size" "$round" "$duration"
    done
  done
done

# Steady-state memory after the load, and the JFR recordings.
declare -A rss_after=()
for cand in "${cand_list[@]}"; do
  [[ $cand == direct ]] && continue
  mapfile -t pids < <(pids_of "$cand")
  rss_after[$cand]=$(rss_kb "${pids[@]}")
  if ((jfr)) && [[ $cand == sluice* ]]; then
    "${java%/java}/jcmd" "${main_pid[$cand]}" JFR.dump name=e2e filename="$raw/$cand.jfr" >/dev/null
    echo "   JFR: $raw/$cand.jfr"
  fi
done
{
  printf '{'
  sep=""
  for cand in "${!rss_after[@]}"; do printf '%s"%s":%d' "$sep" "$cand" "${rss_after[$cand]}"; sep=","; done
  printf '}\n'
} >"$raw/rss-after.json"

python3 "$here/report.py" collect "$out"
if ((update_docs)); then
  python3 "$here/report.py" docs "$out" --doc "$repo/docs/benchmarks.md" --svg "$repo/docs/benchmarks-e2e.svg"
fi
echo "== results: $out/results.json"
