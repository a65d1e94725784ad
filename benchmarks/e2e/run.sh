#!/usr/bin/env bash
# End-to-end load test: Sluice (as a plain proxy, and with a JWT + RBAC + CORS plugin chain) against
# nginx as a reverse proxy, all in front of the same nginx upstream, plus the upstream directly, under
# wrk (HTTP/1.1 keep-alive) and, if asked for, h2load (HTTP/2 over clear text, prior knowledge).
#
#   benchmarks/e2e/run.sh [options]
#
# What one run does:
#   1. builds the distribution (skip with --no-build);
#   2. writes nginx and Sluice configs into a temp dir and starts, each pinned with taskset:
#        upstream     nginx on 127.0.0.1, serving /small (13 bytes) and /16k (16,384 bytes); with
#                     h2load also on a second port that speaks h2c (prior knowledge)
#        nginx        Debian nginx as a reverse proxy: upstream keepalive 64, proxy_http_version 1.1,
#                     Connection "", access_log off, one worker per CPU of the proxy's share, 16 KiB
#                     proxy buffers, and the forwarding / request-id headers a production config sets
#                     (Sluice sets them too); with h2load a second server block that speaks h2c and
#                     proxies the same way (HTTP/1.1 keep-alive to the upstream)
#        sluice       bin/sluice run with the launcher's default JVM settings, route /** -> upstream,
#                     access_log: false; its listener serves HTTP/1.1 and h2c on the same port
#        sluice-log   the same with access_log: true, its stdout appended to a file on disk
#        sluice-chain the same as sluice with a plugin chain on the route: cors (an allowed origin),
#                     jwt (HS256 with a secret generated for the run, verified-token cache on) and
#                     rbac (a rule the token's role passes); checked before the warm-up to answer
#                     401 without a token, 403 with a token lacking the role, 200 with the token
#        sluice-alt   a second Sluice for A/B comparisons (--alt-dist, --alt-opts), only if asked for
#        haproxy      Debian HAProxy as a reverse proxy, only if asked for: one thread per CPU of the
#                     proxy's share, http-reuse always to a keep-alive upstream pool, no logging, the
#                     same forwarding and request-id headers; with h2load a second frontend that speaks
#                     h2c (prior knowledge) and proxies the same way
#      every proxy runs for the whole test; only the one under load does work. Every request of
#      every load carries the same `Authorization: Bearer <token>` and `Origin` headers, so the load
#      is identical for all candidates (only sluice-chain looks at them);
#   3. warms every candidate up on every load and body size (not recorded); a warm-up that got
#      any answer other than 2xx/3xx stops the run;
#   4. runs ROUNDS rounds; each round loads every candidate once per load and body size, so
#      candidates are INTERLEAVED (A B C D, B C D A, ...: the start rotates each round) and drift
#      in the shared machine's load hits all of them alike;
#   5. for every measurement records the load generator's summary (requests, latency percentiles,
#      errors; for h2load the percentiles are computed from its per-request --log-file), the
#      proxy's CPU time (utime+stime from /proc/PID/stat, all of its processes) and its RSS
#      (VmRSS sampled every 0.5 s during the load), and the upstream's CPU time;
#   6. writes benchmarks/e2e/results/<UTC timestamp>/results.json (machine, versions, configs,
#      every measurement, medians and ratios) via report.py, and prints a table per load.
#      Raw wrk and h2load output, logs and JFR recordings go to raw/ beside it (not committed).
#
# Core split (--topology split, the default): the proxy under test gets CPU 1 to itself; the upstream and wrk share
# CPU 0. CPU 0 then does the same work per request for every candidate (wrk's and the
# upstream's), so it is a fixed ceiling, and "direct" (wrk -> upstream, all on CPU 0) is that
# ceiling: what a proxy that costs nothing would reach. Each proxy sees one CPU, so Sluice starts
# one event loop (event_loops: 0 = one per available CPU) and nginx one worker.
# --topology shared-core puts the upstream on the proxy's core instead (proxy and upstream on CPU 1,
# the load generator alone on CPU 0): the proxy then competes with the upstream for its core, as on
# a host that runs both, and a proxy that costs more CPU per request leaves the upstream less.
# docs/benchmarks.md gives the alternatives measured.
#
# Options (defaults in brackets):
#   --rounds N            measured rounds [5]
#   --duration S          seconds per measurement [10]
#   --warmup S            warm-up seconds per candidate and body size [15]
#   --quick               --rounds 2 --duration 5 --warmup 8: a profile in ~2.5 minutes
#   --connections N       connections, for wrk and h2load alike [64]
#   --wrk-threads N       wrk (and h2load) threads [number of CPUs in --wrk-cpus]
#   --loads LIST          loads, comma separated, of: wrk,h2load,h1-rate,h2-rate [wrk]
#                           wrk      HTTP/1.1 keep-alive, one request at a time per connection, as fast
#                                    as the proxy answers (saturation)
#                           h2load   HTTP/2 over clear text with prior knowledge (h2c), --h2-streams
#                                    concurrent streams per connection, duration-based (-D), saturation
#                           h1-rate  HTTP/1.1 keep-alive at the fixed offered rate of --rate requests/s,
#                                    spread evenly over the connections (h2load --h1 --rps), which open
#                                    one per millisecond so that they do not send in step: the tail of a
#                                    proxy that is not saturated
#                           h2-rate  the same over h2c, up to --h2-streams streams per connection
#   --rate N              requests/s offered in all by h1-rate and h2-rate [5000]. h2load measures a
#                         request from when it sends it; a request due while its connection is still
#                         busy waits unmeasured, so stalls longer than connections/N seconds are
#                         partly hidden (coordinated omission): keep N/connections well below the
#                         proxy's capacity per connection
#   --h2-streams N        h2load's concurrent streams per connection (-m), at most 100 [10]
#   --sizes LIST          body sizes, comma separated, of: small,16k [small,16k]
#   --candidates LIST     of: direct,nginx,nginx-cache,haproxy,sluice,sluice-log,sluice-chain,sluice-alt
#                         (nginx-cache: the nginx proxy with proxy_cache, every 200 stored for 1 h; compare
#                         with sluice-alt and --alt-append benchmarks/e2e/cache-hit.yaml)
#                         [direct,nginx,sluice,sluice-log,sluice-chain]
#   --topology NAME       split (upstream and load generator on CPU 0, proxy on CPU 1) or shared-core
#                         (upstream and proxy on CPU 1, load generator on CPU 0); sets the three
#                         --*-cpus options, which may still be given after it [split]
#   --proxy-cpus SPEC     taskset CPU list for the proxies [1]
#   --upstream-cpus SPEC  taskset CPU list for the upstream nginx [0]
#   --wrk-cpus SPEC       taskset CPU list for wrk and h2load [0]
#   --port-base P         ports P..P+11 on 127.0.0.1 [18080]
#   --sluice-opts OPTS    extra JVM options for sluice, sluice-log and sluice-chain (SLUICE_JAVA_OPTS) []
#   --alt-dist DIR        distribution for sluice-alt [the built one]
#   --alt-opts OPTS       SLUICE_JAVA_OPTS for sluice-alt []
#   --alt-label TEXT      what sluice-alt is, for the results [alt]
#   --alt-access-log      sluice-alt with access_log: true (to compare against sluice-log)
#   --alt-append FILE     YAML appended to sluice-alt's config, after its one route (`/**` to the
#                         upstream): `    plugins: [...]` lines for that route, and top-level keys
#                         such as `redis:` at column 0; e.g. benchmarks/e2e/rate-limit-local.yaml
#   --upstream-cache-control VALUE
#                         the upstream adds Cache-Control: VALUE to its answers, e.g. "public, max-age=3600"
#                         for cache candidates: the requests carry Authorization (for sluice-chain), and a
#                         shared cache stores answers to such requests only when they say public []
#   --pause-log           log every JVM safepoint (GC pauses and other stop-the-world operations) of
#                         each Sluice into raw/<candidate>-safepoints.log, with wall-clock times
#   --thread-cpu          sample the CPU time of every thread of each Sluice under load every 10 ms
#                         (thread_cpu.py, on the load generator's CPUs) into raw/threads-<load>-<tag>.txt
#   --keep-request-logs   keep h2load's per-request logs (every load but wrk) in raw/ as
#                         requests-<load>-<tag>.tsv; tail_causes.py RAW then tells what the slowest
#                         requests overlapped (safepoints with --pause-log, JIT and other JVM threads
#                         with --thread-cpu)
#   --jfr                 record JFR (settings=profile, stacks every 1 ms) of each Sluice during the
#                         measured rounds, into raw/<candidate>.jfr
#   --nice N              run upstream, proxies and wrk under `nice -n N`, and give this run's
#                         scheduling autogroup the same nice value (negative needs root): on a shared
#                         machine, keeps other work from preempting the benchmark [0]
#   --label TEXT          free text stored with the results (e.g. "baseline") []
#   --out DIR             results directory [benchmarks/e2e/results/<UTC timestamp>]
#   --no-build            use the distribution already in packaging/target/sluice
#   --update-docs         let report.py rewrite the results section of docs/benchmarks.md and the charts
#                         (docs/benchmarks-e2e.svg for wrk, docs/benchmarks-e2e-h2load.svg for h2load)
#   --keep-tmp            keep the temp dir (configs, logs) for inspection
#
# Needs: bash, JAVA_HOME pointing at Java 21+ (or such a java on PATH), nginx (Debian package),
# wrk, taskset (util-linux), curl, python3; h2load (Debian: nghttp2-client) for --loads h2load;
# haproxy (Debian package) for the haproxy candidate.
# Everything listens on 127.0.0.1 only. Every process started here is stopped on exit, including
# on Ctrl-C.
set -euo pipefail

here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
repo=$(cd -P -- "$here/../.." && pwd -P)

rounds=5 duration=10 warmup=15 connections=64 wrk_threads="" rate=5000
sizes="small,16k" candidates="direct,nginx,sluice,sluice-log,sluice-chain" loads="wrk" h2_streams=10
proxy_cpus=1 upstream_cpus=0 wrk_cpus=0 port_base=18080 topology=split
pause_log=0 thread_cpu=0 keep_request_logs=0 upstream_cache_control="" nice_level=0 sluice_opts="" alt_dist="" alt_opts="" alt_label="alt" alt_access_log=false alt_append="" jfr=0 label="" out="" build=1 update_docs=0 keep_tmp=0

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
    --loads) need_value "$@"; loads=$2; shift 2 ;;
    --h2-streams) need_value "$@"; h2_streams=$2; shift 2 ;;
    --rate) need_value "$@"; rate=$2; shift 2 ;;
    --sizes) need_value "$@"; sizes=$2; shift 2 ;;
    --candidates) need_value "$@"; candidates=$2; shift 2 ;;
    --topology) need_value "$@"; topology=$2
      case $2 in
        split) proxy_cpus=1 upstream_cpus=0 wrk_cpus=0 ;;
        shared-core) proxy_cpus=1 upstream_cpus=1 wrk_cpus=0 ;;
        *) die "unknown topology '$2' (expected split or shared-core)" ;;
      esac
      shift 2 ;;
    --proxy-cpus) need_value "$@"; proxy_cpus=$2; shift 2 ;;
    --upstream-cpus) need_value "$@"; upstream_cpus=$2; shift 2 ;;
    --wrk-cpus) need_value "$@"; wrk_cpus=$2; shift 2 ;;
    --port-base) need_value "$@"; port_base=$2; shift 2 ;;
    --sluice-opts) need_value "$@"; sluice_opts=$2; shift 2 ;;
    --alt-dist) need_value "$@"; alt_dist=$2; shift 2 ;;
    --alt-opts) need_value "$@"; alt_opts=$2; shift 2 ;;
    --alt-label) need_value "$@"; alt_label=$2; shift 2 ;;
    --alt-access-log) alt_access_log=true; shift ;;
    --upstream-cache-control) need_value "$@"; upstream_cache_control=$2; shift 2 ;;
    --alt-append) need_value "$@"; alt_append=$(cd -- "$(dirname -- "$2")" && pwd -P)/$(basename -- "$2"); shift 2 ;;
    --jfr) jfr=1; shift ;;
    --pause-log) pause_log=1; shift ;;
    --thread-cpu) thread_cpu=1; shift ;;
    --keep-request-logs) keep_request_logs=1; shift ;;
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

for n in "$rounds" "$duration" "$warmup" "$connections" "$h2_streams" "$rate" "$port_base" ${wrk_threads:+"$wrk_threads"}; do
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
((rounds >= 1 && duration >= 1 && connections >= 1 && rate >= 1)) ||
  die "--rounds, --duration, --connections and --rate must be at least 1"
# Sluice refuses streams beyond server.http2.max_concurrent_streams (100 by default; nginx: 128).
((h2_streams >= 1 && h2_streams <= 100)) || die "--h2-streams must be 1 to 100"

IFS=, read -ra size_list <<<"$sizes"
IFS=, read -ra cand_list <<<"$candidates"
IFS=, read -ra load_list <<<"$loads"
for s in "${size_list[@]}"; do [[ $s == small || $s == 16k ]] || die "unknown size '$s' (expected small or 16k)"; done
for c in "${cand_list[@]}"; do
  case $c in direct | nginx | nginx-cache | haproxy | sluice | sluice-log | sluice-chain | sluice-alt) ;; *) die "unknown candidate '$c'" ;; esac
done
for l in "${load_list[@]}"; do
  case $l in wrk | h2load | h1-rate | h2-rate) ;; *) die "unknown load '$l' (expected wrk, h2load, h1-rate or h2-rate)" ;; esac
done
has_load() { local l; for l in "${load_list[@]}"; do [[ $l == "$1" ]] && return 0; done; return 1; }
load_tools=()
for l in "${load_list[@]}"; do if [[ $l == wrk ]]; then load_tools+=(wrk); else load_tools+=(h2load); fi; done
for tool in nginx taskset curl python3 "${load_tools[@]}"; do
  command -v "$tool" >/dev/null ||
    die "$tool is not installed (Debian: apt-get install nginx wrk nghttp2-client util-linux curl python3)"
done
has_h2load="" # set when a load speaks h2c: every candidate then gets an h2c port
if has_load h2load || has_load h2-rate; then has_h2load=1; fi
# h2load's --rps is per connection: the offered rate split evenly, as a decimal.
rps_per_connection=$(python3 -c 'import sys; print(f"{int(sys.argv[1]) / int(sys.argv[2]):.6g}")' "$rate" "$connections")
for c in "${cand_list[@]}"; do
  [[ $c != haproxy ]] || command -v haproxy >/dev/null || die "haproxy is not installed (Debian: apt-get install haproxy)"
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
port_sluice_chain=$((port_base + 5))
port_upstream_h2=$((port_base + 6))
port_nginx_h2=$((port_base + 7))
port_haproxy=$((port_base + 8))
port_haproxy_h2=$((port_base + 9))
port_nginx_cache=$((port_base + 10))
port_nginx_cache_h2=$((port_base + 11))
for p in "$port_upstream" "$port_nginx" "$port_sluice" "$port_sluice_log" "$port_sluice_alt" "$port_sluice_chain" \
  "$port_upstream_h2" "$port_nginx_h2" "$port_haproxy" "$port_haproxy_h2" "$port_nginx_cache" "$port_nginx_cache_h2"; do
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
# The listen lines of a server block on port $1: HTTP/1.1, or with $2 = h2c HTTP/2 over clear text
# (prior knowledge). nginx 1.25.1 replaced `listen ... http2` with the `http2` directive.
nginx_listen() {
  if [[ ${2:-} != h2c ]]; then
    printf '    listen 127.0.0.1:%s backlog=4096;\n' "$1"
  elif [[ $(printf '%s\n' 1.25.1 "$nginx_version" | sort -V | head -n 1) == 1.25.1 ]]; then
    printf '    listen 127.0.0.1:%s backlog=4096;\n    http2 on;\n' "$1"
  else
    printf '    listen 127.0.0.1:%s http2 backlog=4096;\n' "$1"
  fi
}
nginx_version=$(nginx -v 2>&1 | sed -n 's|^nginx version: nginx/\([0-9.]*\).*|\1|p')
[[ -n $nginx_version ]] || die "cannot tell nginx's version from: $(nginx -v 2>&1)"

upstream_headers=""
[[ -z $upstream_cache_control ]] || upstream_headers="add_header Cache-Control \"$upstream_cache_control\";"
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
  for protocol in http1 ${has_h2load:+h2c}; do
    echo "  server {"
    if [[ $protocol == h2c ]]; then nginx_listen "$port_upstream_h2" h2c; else nginx_listen "$port_upstream"; fi
    cat <<EOF
    root $tmp/www;
    location / { $upstream_headers }
  }
EOF
  done
  echo "}"
} >"$tmp/upstream/nginx.conf"

# The nginx reverse proxy in prefix dir $1 on ports $2 (HTTP/1.1) and $3 (h2c); with $4 = cache, the
# same proxy with proxy_cache in front: every 200 is stored for an hour (the upstream's static answers
# carry no Cache-Control), which is what `cache: { default_ttl: 1h }` does in Sluice.
nginx_proxy_conf() {
  local dir=$1 port=$2 port_h2=$3 cache=${4:-}
  nginx_common "$dir"
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
  temp_paths "$dir"
  if [[ $cache == cache ]]; then
    echo "  proxy_cache_path $dir/cache levels=1:2 keys_zone=bench:10m max_size=64m inactive=1h use_temp_path=off;"
  fi
  cat <<EOF
  upstream origin {
    server 127.0.0.1:$port_upstream;
    keepalive 64;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
  }
EOF
  # With h2load, a second server block speaks h2c to the client and proxies exactly as the first.
  for protocol in http1 ${has_h2load:+h2c}; do
    echo "  server {"
    if [[ $protocol == h2c ]]; then nginx_listen "$port_h2" h2c; else nginx_listen "$port"; fi
    cat <<EOF
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
EOF
    if [[ $cache == cache ]]; then
      cat <<EOF
      proxy_cache bench;
      proxy_cache_valid 200 1h;
      proxy_cache_lock on;
      add_header X-Cache-Status \$upstream_cache_status;
EOF
    fi
    cat <<EOF
    }
  }
EOF
  done
  echo "}"
}
mkdir -p "$tmp/nginx-cache"
nginx_proxy_conf "$tmp/nginx" "$port_nginx" "$port_nginx_h2" >"$tmp/nginx/nginx.conf"
nginx_proxy_conf "$tmp/nginx-cache" "$port_nginx_cache" "$port_nginx_cache_h2" cache >"$tmp/nginx-cache/nginx.conf"

# HAProxy: the same job as the nginx proxy. One thread per CPU of the proxy's share, connections to
# the upstream kept alive and shared between clients (http-reuse always, like nginx's keepalive
# pool), no logging; X-Forwarded-For and X-Forwarded-Proto added, and a request id sent upstream and
# returned to the client, as nginx and Sluice do.
mkdir -p "$tmp/haproxy"
{
  cat <<EOF
global
  nbthread $proxy_workers
  maxconn 8192
  tune.bufsize 32768
defaults
  mode http
  timeout connect 5s
  timeout client 75s
  timeout server 75s
  timeout http-keep-alive 75s
  option http-keep-alive
  http-reuse always
  unique-id-format %{+X}o%ci%cp_%Ts_%rt
backend origin
  server up 127.0.0.1:$port_upstream maxconn 64
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Request-Id %[unique-id]
  http-response set-header X-Request-Id %[unique-id]
  option forwardfor
EOF
  echo "frontend bench"
  echo "  bind 127.0.0.1:$port_haproxy"
  echo "  default_backend origin"
  if [[ -n $has_h2load ]]; then
    echo "frontend bench-h2c"
    echo "  bind 127.0.0.1:$port_haproxy_h2 proto h2"
    echo "  default_backend origin"
  fi
} >"$tmp/haproxy/haproxy.cfg"

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
# sluice-chain: the plain route with the chain an API behind a browser app would have, listed in the
# order the plugins run (by phase: cors edge, jwt authentication, rbac authorization). The jwt
# plugin's verified-token cache is on (its default size, written out): every request after the
# first is a cache hit, as for a client that reuses its token. The secret comes from the
# environment, so the copy of this file in raw/ holds no key.
sluice_chain_plugins() {
  cat <<EOF
    plugins:
      - cors:
          allow_origins: ["$bench_origin"]
          allow_headers: [authorization, content-type]
          expose_headers: [x-request-id]
          allow_credentials: true
      - jwt:
          issuers:
            - issuer: $bench_issuer
              secrets: ["\${SLUICE_BENCH_JWT_SECRET}"]
              algorithms: [HS256]
              audiences: [$bench_audience]
          forward_claims: { sub: x-user-id }
          cache_size: 10000
      - rbac:
          roles_from: [roles]
          role_permissions: { reader: ["bench:read"] }
          rules:
            - { methods: [GET, HEAD], paths: ["/**"], require_any: ["bench:read"] }
          default: deny
EOF
}
bench_origin=https://app.example.com bench_issuer=https://bench.sluice.invalid bench_audience=sluice-bench
# HS256 token with a 10-year expiry; $1 = the JSON list of its roles.
hs256_token() {
  python3 - "$bench_secret" "$bench_issuer" "$bench_audience" "$1" <<'EOF'
import base64, hashlib, hmac, json, sys, time
secret, issuer, audience, roles = sys.argv[1].encode(), sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
def part(data):
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
now = int(time.time())
signing_input = part({"alg": "HS256", "typ": "JWT"}) + "." + part(
    {"iss": issuer, "aud": audience, "sub": "bench-client", "roles": roles, "iat": now, "exp": now + 10 * 365 * 86400})
print(signing_input + "." + part(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()))
EOF
}
bench_secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))') # only sluice-chain gets it
bench_token=$(hs256_token '["reader"]')
# The headers every request of every load carries.
request_headers=("Authorization: Bearer $bench_token" "Origin: $bench_origin")
header_args=()
for h in "${request_headers[@]}"; do header_args+=(-H "$h"); done

sluice_config "$port_sluice" false >"$tmp/sluice.yaml"
sluice_config "$port_sluice_log" true >"$tmp/sluice-log.yaml"
{ sluice_config "$port_sluice_alt" "$alt_access_log"; [[ -z $alt_append ]] || cat -- "$alt_append"; } >"$tmp/sluice-alt.yaml"
{ sluice_config "$port_sluice_chain" false; sluice_chain_plugins; } >"$tmp/sluice-chain.yaml"
cp "$tmp/upstream/nginx.conf" "$raw/upstream-nginx.conf"
cp "$tmp/nginx/nginx.conf" "$raw/proxy-nginx.conf"
cp "$tmp/nginx-cache/nginx.conf" "$raw/proxy-nginx-cache.conf"
cp "$tmp/haproxy/haproxy.cfg" "$raw/proxy-haproxy.cfg"
cp "$tmp/sluice.yaml" "$raw/sluice.yaml"
cp "$tmp/sluice-chain.yaml" "$raw/sluice-chain.yaml"
cp "$tmp/sluice-alt.yaml" "$raw/sluice-alt.yaml"

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
declare -A url_port=([direct]=$port_upstream [nginx]=$port_nginx [nginx-cache]=$port_nginx_cache [haproxy]=$port_haproxy [sluice]=$port_sluice
  [sluice-log]=$port_sluice_log [sluice-alt]=$port_sluice_alt [sluice-chain]=$port_sluice_chain)
# h2load's ports: nginx speaks h2c on separate ports, Sluice's listeners on the same one.
declare -A h2_port=([direct]=$port_upstream_h2 [nginx]=$port_nginx_h2 [nginx-cache]=$port_nginx_cache_h2 [haproxy]=$port_haproxy_h2 [sluice]=$port_sluice
  [sluice-log]=$port_sluice_log [sluice-alt]=$port_sluice_alt [sluice-chain]=$port_sluice_chain)
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
    if curl -fsS -o /dev/null "${header_args[@]}" "http://127.0.0.1:$2/small" 2>/dev/null; then return 0; fi
    kill -0 "${main_pid[$1]}" 2>/dev/null || die "$1 exited at start; see $raw/$1.log"
    sleep 0.2
  done
  die "$1 did not answer on 127.0.0.1:$2 within 30 s; see $raw/$1.log"
}

echo "== starting upstream (CPUs $upstream_cpus), proxies (CPUs $proxy_cpus), wrk on CPUs $wrk_cpus"
start_bg upstream "$upstream_cpus" nginx -p "$tmp/upstream" -c "$tmp/upstream/nginx.conf" -e "$tmp/upstream/error.log"
wait_ready upstream "$port_upstream"
main_pid[direct]=""

# With --pause-log, the JVM option that logs each safepoint of candidate $1 with the wall-clock time in
# milliseconds (the clock of h2load's request log); a leading space joins it to the other options.
pause_log_opts() {
  ((pause_log)) || return 0
  printf ' -Xlog:safepoint=info:file=%s:timemillis' "$raw/$1-safepoints.log"
}

has_candidate() { local c; for c in "${cand_list[@]}"; do [[ $c == "$1" ]] && return 0; done; return 1; }
if has_candidate nginx; then
  start_bg nginx "$proxy_cpus" nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log"
  wait_ready nginx "$port_nginx"
fi
if has_candidate nginx-cache; then
  start_bg nginx-cache "$proxy_cpus" nginx -p "$tmp/nginx-cache" -c "$tmp/nginx-cache/nginx.conf" -e "$tmp/nginx-cache/error.log"
  wait_ready nginx-cache "$port_nginx_cache"
fi
if has_candidate haproxy; then
  haproxy -c -q -f "$tmp/haproxy/haproxy.cfg" || die "haproxy refused its config: see $raw/proxy-haproxy.cfg"
  start_bg haproxy "$proxy_cpus" haproxy -db -f "$tmp/haproxy/haproxy.cfg"
  wait_ready haproxy "$port_haproxy"
fi
if has_candidate sluice; then
  SLUICE_JAVA_OPTS="$sluice_opts$(pause_log_opts sluice)" start_bg sluice "$proxy_cpus" "$dist/bin/sluice" run --config "$tmp/sluice.yaml"
  wait_ready sluice "$port_sluice"
fi
if has_candidate sluice-log; then
  SLUICE_JAVA_OPTS="$sluice_opts$(pause_log_opts sluice-log)" start_bg sluice-log "$proxy_cpus" "$dist/bin/sluice" run --config "$tmp/sluice-log.yaml"
  wait_ready sluice-log "$port_sluice_log"
fi
if has_candidate sluice-chain; then
  SLUICE_BENCH_JWT_SECRET=$bench_secret SLUICE_JAVA_OPTS="$sluice_opts$(pause_log_opts sluice-chain)" start_bg sluice-chain "$proxy_cpus" \
    "$dist/bin/sluice" run --config "$tmp/sluice-chain.yaml"
  wait_ready sluice-chain "$port_sluice_chain"
fi
if has_candidate sluice-alt; then
  SLUICE_JAVA_OPTS="$alt_opts$(pause_log_opts sluice-alt)" start_bg sluice-alt "$proxy_cpus" "$alt_dist/bin/sluice" run --config "$tmp/sluice-alt.yaml"
  wait_ready sluice-alt "$port_sluice_alt"
fi

# Before any load: each plugin of sluice-chain must be doing its work, or its numbers would be those
# of a cheaper path (a 401 is answered without the upstream).
expect_status() { # $1 = expected status, $2 = what it means when not, rest = curl options
  local want=$1 why=$2 got
  shift 2
  got=$(curl -sS -o /dev/null -w '%{http_code}' "$@" "http://127.0.0.1:$port_sluice_chain/small") || got="no answer"
  [[ $got == "$want" ]] || die "sluice-chain answered $got, expected $want: $why; see $raw/sluice-chain.log"
}
if has_candidate sluice-chain; then
  expect_status 401 "without a token the jwt plugin must refuse"
  expect_status 403 "a token without the reader role must be refused by rbac" \
    -H "Authorization: Bearer $(hs256_token '[]')" -H "Origin: $bench_origin"
  expect_status 200 "the harness's token and origin must pass the chain" "${header_args[@]}"
  curl -sS -D - -o /dev/null "${header_args[@]}" "http://127.0.0.1:$port_sluice_chain/small" |
    grep -qi "^access-control-allow-origin: $bench_origin" || die "sluice-chain's answer has no CORS headers"
  echo "   sluice-chain: 401 without a token, 403 without the role, 200 with CORS headers with the bench token"
fi
# With h2load, every candidate must answer HTTP/2 with prior knowledge on its h2c port.
if [[ -n $has_h2load ]]; then
  for cand in "${cand_list[@]}"; do
    got=$(curl -sS --http2-prior-knowledge -o /dev/null -w '%{http_version} %{http_code}' "${header_args[@]}" \
      "http://127.0.0.1:${h2_port[$cand]}/small") || got="no answer"
    [[ $got == "2 200" ]] || die "$cand on 127.0.0.1:${h2_port[$cand]} answered '$got' to h2c (expected HTTP/2 200)"
  done
fi

# The processes whose CPU and memory count for a candidate: nginx's master and workers, the JVM.
pids_of() {
  local root=${main_pid[$1]:-}
  [[ -n $root ]] || return 0
  echo "$root"
  if [[ $1 == upstream || $1 == nginx || $1 == nginx-cache ]]; then pgrep -P "$root" || true; fi
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
git_dirty=$(git -C "$repo" status --porcelain --untracked-files=no -- gateway-core plugins packaging 2>/dev/null | head -c 1)
json_str() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }
json_list() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@"; }
tool_version() { # $1 = tool; its name and version, or "" when it is not installed
  case $1 in
    wrk) command -v wrk >/dev/null && wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2 ;;
    h2load) command -v h2load >/dev/null && h2load --version 2>&1 | head -n 1 ;;
  esac
  return 0
}
cmdline_of() { [[ -n ${main_pid[$1]:-} ]] && tr '\0' ' ' <"/proc/${main_pid[$1]}/cmdline" || true; }
{
  echo "{"
  echo "\"label\": $(json_str "$label"),"
  echo "\"started\": \"$stamp\","
  echo "\"rounds\": $rounds, \"duration_s\": $duration, \"warmup_s\": $warmup, \"connections\": $connections, \"wrk_threads\": $wrk_threads,"
  echo "\"sizes\": $(json_list "${size_list[@]}"),"
  echo "\"candidates\": $(json_list "${cand_list[@]}"),"
  echo "\"loads\": $(json_list "${load_list[@]}"), \"h2_streams\": $h2_streams, \"rate\": $rate, \"rps_per_connection\": $rps_per_connection,"
  # The token itself is left out: it is of no use outside the run.
  echo "\"request_headers\": $(json_list "Authorization: Bearer <HS256 JWT, iss $bench_issuer, aud $bench_audience, roles [reader], 10-year expiry>" "Origin: $bench_origin"),"
  echo "\"topology\": $(json_str "$topology"), \"cpus\": {\"proxy\": \"$proxy_cpus\", \"upstream\": \"$upstream_cpus\", \"wrk\": \"$wrk_cpus\"}, \"nice\": $nice_level,"
  echo "\"machine\": {\"cpu\": $(json_str "$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"), \"cpus\": $(nproc),"
  echo "  \"mem_gib\": $(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo), \"kernel\": $(json_str "$(uname -r)"),"
  echo "  \"virtualization\": $(json_str "$(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -n 1)")},"
  echo "\"versions\": {\"java\": $(json_str "$java_version"), \"nginx\": $(json_str "$(nginx -v 2>&1)"),"
  echo "  \"haproxy\": $(json_str "$(command -v haproxy >/dev/null && haproxy -v 2>&1 | head -n 1)"),"
  echo "  \"wrk\": $(json_str "$(tool_version wrk)"), \"h2load\": $(json_str "$(tool_version h2load)"),"
  echo "  \"sluice\": $(json_str "$git_rev${git_dirty:+ (modified)}")},"
  echo "\"sluice_opts\": $(json_str "$sluice_opts"), \"alt_opts\": $(json_str "$alt_opts"), \"alt_label\": $(json_str "$alt_label"), \"alt_access_log\": $alt_access_log,"
  echo "\"alt_config\": $(json_str "$(cat "$tmp/sluice-alt.yaml")"),"
  echo "\"commands\": {\"sluice\": $(json_str "$(cmdline_of sluice)"), \"sluice-chain\": $(json_str "$(cmdline_of sluice-chain)"),"
  echo "  \"sluice-alt\": $(json_str "$(cmdline_of sluice-alt)")},"
  echo "\"sluice_chain_config\": $(json_str "$(cat "$tmp/sluice-chain.yaml")")"
  echo "}"
} >"$raw/meta.json"

# --- One measurement.
runs=$raw/runs.jsonl
: >"$runs"

measure() { # $1 = load (wrk, h2load, h1-rate or h2-rate), $2 = candidate, $3 = size, $4 = round (0 = warm-up), $5 = seconds
  local load=$1 cand=$2 size=$3 round=$4 secs=$5 pids upstream_pids tag load_out h2_log line
  local cpu0 cpu1 sys0 sys1 up0 up1 upsys0 upsys1 samples_file
  mapfile -t pids < <(pids_of "$cand")
  mapfile -t upstream_pids < <(pids_of upstream)
  tag="$cand-$size-r$round"
  load_out=$raw/$load-$tag.txt
  h2_log=$tmp/h2load-$tag.log
  samples_file=$tmp/rss-$load-$tag
  : >"$samples_file"
  if ((${#pids[@]})); then
    sample_rss "$samples_file" $((secs * 2 + 4)) "${pids[@]}" &
    sampler=$!
  fi
  local thread_sampler=""
  if ((thread_cpu && round > 0)) && [[ $cand == sluice* ]]; then
    taskset -c "$wrk_cpus" python3 "$here/thread_cpu.py" "${main_pid[$cand]}" $((secs + 2)) "$raw/threads-$load-$tag.txt" &
    thread_sampler=$!
    sleep 0.3 # Python's start, so that the first samples cover the first requests
  fi
  read -r cpu0 sys0 < <(cpu_ticks "${pids[@]}")
  read -r up0 upsys0 < <(cpu_ticks "${upstream_pids[@]}")
  local load_before steal0 steal1
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  steal0=$(steal_ticks)
  case $load in
    wrk)
      "${prio[@]}" taskset -c "$wrk_cpus" wrk -t"$wrk_threads" -c"$connections" -d"${secs}s" --latency -s "$tmp/report.lua" \
        "${header_args[@]}" "http://127.0.0.1:${url_port[$cand]}/$size" >"$load_out" 2>&1 ||
        die "wrk failed: $(tail -n 3 "$load_out")"
      ;;
    h2load)
      # h2load prints min/max/mean/sd of the request times only; the per-request log gives the
      # percentiles. It is written on warm-ups too, so that h2load does the same work every time.
      "${prio[@]}" taskset -c "$wrk_cpus" h2load -t"$wrk_threads" -c"$connections" -m"$h2_streams" -D "$secs" \
        --log-file="$h2_log" "${header_args[@]}" "http://127.0.0.1:${h2_port[$cand]}/$size" >"$load_out" 2>&1 ||
        die "h2load failed: $(tail -n 3 "$load_out")"
      ;;
    h1-rate | h2-rate)
      local protocol=(--h1) port=${url_port[$cand]}
      [[ $load == h1-rate ]] || protocol=(-m"$h2_streams") port=${h2_port[$cand]}
      # Each connection sends at --rps from when it opens, so connections opened together send in
      # bursts: open one per millisecond (-r 1) to spread them over the interval between requests.
      # -r rules out -D: the measurement is rate x seconds requests long instead.
      "${prio[@]}" taskset -c "$wrk_cpus" h2load -t"$wrk_threads" -c"$connections" "${protocol[@]}" --rps="$rps_per_connection" \
        -r 1 --rate-period=1ms -n $((rate * secs)) --log-file="$h2_log" "${header_args[@]}" "http://127.0.0.1:$port/$size" \
        >"$load_out" 2>&1 ||
        die "h2load failed: $(tail -n 3 "$load_out")"
      ;;
  esac
  steal1=$(steal_ticks)
  if [[ -n $thread_sampler ]]; then
    kill "$thread_sampler" 2>/dev/null || true
    wait "$thread_sampler" 2>/dev/null || true
  fi
  read -r cpu1 sys1 < <(cpu_ticks "${pids[@]}")
  read -r up1 upsys1 < <(cpu_ticks "${upstream_pids[@]}")
  if [[ -n $sampler ]]; then
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    sampler=""
  fi
  if [[ $cand == sluice-log || $cand == sluice-alt ]]; then : >"$tmp/$cand.out"; fi  # keep access logs from filling the disk
  # A warm-up that got refusals or errors stops the run: the numbers would be those of another path.
  local check=()
  ((round > 0)) || check=(--fail-on-errors "$cand")
  line=$(python3 "$here/report.py" summary "$load" "$load_out" --log-file "$h2_log" "${check[@]}") ||
    die "$load against $cand: see $load_out"
  if ((keep_request_logs && round > 0)) && [[ -f $h2_log ]]; then
    mv "$h2_log" "$raw/requests-$load-$tag.tsv"
  else
    rm -f "$h2_log"
  fi
  ((round > 0)) || return 0
  printf '{"load":"%s","candidate":"%s","size":"%s","round":%d,"summary":%s,"proxy_cpu_ticks":{"user":%d,"system":%d},"upstream_cpu_ticks":{"user":%d,"system":%d},"rss_kb":[%s],"loadavg_before":%s,"steal_ticks":%d,"clk_tck":%d}\n' \
    "$load" "$cand" "$size" "$round" "$line" $((cpu1 - cpu0)) $((sys1 - sys0)) $((up1 - up0)) $((upsys1 - upsys0)) "$(paste -sd, "$samples_file")" \
    "$load_before" $((steal1 - steal0)) "$(getconf CLK_TCK)" >>"$runs"
  printf '   %-6s %-12s %-5s round %d: %s\n' "$load" "$cand" "$size" "$round" \
    "$(grep -E '^(Requests/sec|finished in)' "$load_out" | tr -s ' ')"
}

echo "== warm-up: ${warmup}s per candidate, load and body size"
if ((warmup > 0)); then
  for cand in "${cand_list[@]}"; do
    for load in "${load_list[@]}"; do
      for size in "${size_list[@]}"; do measure "$load" "$cand" "$size" 0 "$warmup"; done
    done
  done
fi

if ((jfr)); then
  # The profile settings, with Java stacks sampled every millisecond instead of every 10 ms.
  "${java%/java}/jfr" configure --input profile --output "$tmp/e2e.jfc" 'jdk.ExecutionSample#period=1ms' >/dev/null
  for cand in sluice sluice-log sluice-chain sluice-alt; do
    [[ -n ${main_pid[$cand]:-} ]] || continue
    "${java%/java}/jcmd" "${main_pid[$cand]}" JFR.start name=e2e settings="$tmp/e2e.jfc" >/dev/null
  done
fi

echo "== $rounds rounds x ${duration}s, $connections connections${has_h2load:+ (h2c: up to $h2_streams streams each)}, candidates interleaved"
n=${#cand_list[@]}
for ((round = 1; round <= rounds; round++)); do
  for load in "${load_list[@]}"; do
    for size in "${size_list[@]}"; do
      for ((i = 0; i < n; i++)); do
        measure "$load" "${cand_list[$(((i + round - 1) % n))]}" "$size" "$round" "$duration"
      done
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
  python3 "$here/report.py" docs "$out" --doc "$repo/docs/benchmarks.md" --svg "$repo/docs/benchmarks-e2e.svg" \
    --svg-h2load "$repo/docs/benchmarks-e2e-h2load.svg"
fi
echo "== results: $out/results.json"
