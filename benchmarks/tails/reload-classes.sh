#!/usr/bin/env bash
# Whether config reloads load classes that a collection could unload (docs/benchmarks.md): starts the
# distribution on its quickstart config, sends 60 SIGHUPs, then 60 more, then runs a full GC, and
# prints the JVM's loaded and unloaded class counts (jstat -class) after each step.
#
#   benchmarks/tails/reload-classes.sh [DIST]     # DIST: packaging/target/sluice by default
set -euo pipefail
here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
dist=${1:-$here/../../packaging/target/sluice}
[[ -n ${JAVA_HOME:-} ]] || { echo "reload-classes.sh: set JAVA_HOME (Java 21+)" >&2; exit 2; }
log=$(mktemp /tmp/sluice-reloads.XXXXXX)
"$dist/bin/sluice" run --config "$dist/conf/sluice.yaml" >"$log" 2>&1 &
jvm=$!
trap 'kill $jvm 2>/dev/null || true; rm -f "$log"' EXIT
sleep 4
classes() { printf '%-28s' "$1"; "$JAVA_HOME/bin/jstat" -class "$jvm" | awk 'NR == 2 {print "loaded " $1 ", unloaded " $3}'; }
classes "started"
for batch in "first 60 reloads" "next 60 reloads"; do
  for _ in $(seq 60); do kill -HUP "$jvm"; sleep 0.15; done
  sleep 1
  classes "after the $batch"
done
"$JAVA_HOME/bin/jcmd" "$jvm" GC.run >/dev/null
classes "after a full GC"
echo "reloads logged: $(grep -c reload "$log")"
