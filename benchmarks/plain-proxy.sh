# Sourced by benchmarks/warmup/run.sh and benchmarks/memory/run.sh: a temp dir, an nginx upstream
# (`return 200 "hello"`, pinned to CPU 0) and a Sluice config with one plain proxy route to it.
# Sets: tmp (removed on exit), up and gw (the upstream's and the gateway's ports), pid (the
# gateway's process, set by start_gateway or the caller; stopped on exit). Writes $tmp/sluice.yaml.
tmp=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [[ -f $tmp/nginx.pid ]] && nginx -c "$tmp/nginx.conf" -p "$tmp" -s stop 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up=$(free_port) gw=$(free_port)
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$up; location / { return 200 "hello"; } } }
CONF
taskset -c 0 nginx -c "$tmp/nginx.conf" -p "$tmp"
cat >"$tmp/sluice.yaml" <<CONF
server:
  listeners: [ { name: bench, bind: 127.0.0.1, port: $gw } ]
  access_log: false
upstreams:
  origin: { endpoints: ["http://127.0.0.1:$up"] }
routes:
  - { id: all, match: { path: /** }, upstream: origin }
CONF

start_gateway() { # $1 = the dist, $2 = JVM options added before SLUICE_JAVA_OPTS; Sluice on CPU 1, sets pid
  SLUICE_JAVA_OPTS="$2 ${SLUICE_JAVA_OPTS:-}" taskset -c 1 "$1/bin/sluice" run --config "$tmp/sluice.yaml" >"$tmp/run.log" 2>&1 &
  pid=$!
  until grep -qs "accepting" "$tmp/run.log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/run.log" >&2; exit 1; }
    sleep 0.05
  done
}
