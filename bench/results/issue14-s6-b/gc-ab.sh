#!/bin/bash
# What a day's idempotency results cost the collector, before and after they moved off the heap (issue 14, sixth
# session, B): for each tree, the user's switch (CARDS demo cards, JAVA_OPTS=EXTRA, e.g. -XX:+UseG1GC) with a GC log,
# a 5 s pipelined warm-up, a class histogram, SECONDS of pipelined 64 x 16, a second histogram; then the growth of
# long[] and int[] between them, the answered requests, and the GC pauses of the measured run.
#   bench/results/issue14-s6-b/gc-ab.sh OUT BEFORE_TREE AFTER_TREE "EXTRA" [CARDS] [SECONDS] [PORT]
set -euo pipefail
mkdir -p "$1"; OUT=$(cd "$1" && pwd); BEFORE=$(cd "$2" && pwd); AFTER=$(cd "$3" && pwd); EXTRA=$4; CARDS=${5:-100000}; SECS=${6:-20}; PORT=${7:-22031}
for side in before after; do
  tree=$BEFORE; [ "$side" = after ] && tree=$AFTER
  d="$OUT/$side"; mkdir -p "$d"; data=$(mktemp -d /tmp/b-gc-XXXXXX)
  (cd "$tree" && JAVA_OPTS="$EXTRA -Xlog:gc*,safepoint:file=$d/gc.log:uptime,tid" exec ./tapswitch switch --demo \
     --demo-cards "$CARDS" --demo-terminals 2000 --port "$PORT" --metrics-port $((PORT + 1)) --data-dir "$data") > "$d/switch.log" 2>&1 &
  sw=$!
  until grep -q "listening" "$d/switch.log"; do sleep 0.5; kill -0 $sw; done
  pid=$(pgrep -P $sw java || echo $sw)
  (cd "$AFTER" && ./tapswitch fleet --port "$PORT" --terminals 64 --in-flight 16 --rate max --duration 5 --cards "$CARDS") > "$d/warm.txt" 2>&1
  jcmd "$pid" GC.class_histogram -all > "$d/histo-before.txt"
  up0=$(awk '{print $1}' /proc/uptime); jvm0=$(jcmd "$pid" VM.uptime | tail -1 | awk '{print $1}')
  (cd "$AFTER" && ./tapswitch fleet --port "$PORT" --terminals 64 --in-flight 16 --rate max --duration "$SECS" --cards "$CARDS") > "$d/fleet.txt" 2>&1
  jvm1=$(jcmd "$pid" VM.uptime | tail -1 | awk '{print $1}')
  jcmd "$pid" GC.class_histogram -all > "$d/histo-after.txt"
  grep -E "^(Rss|AnonHugePages)" /proc/$pid/smaps_rollup > "$d/rss.txt" || true
  kill $sw; wait $sw 2>/dev/null || true; rm -rf "$data"
  set +e +o pipefail
  {
    echo "== $side ($(cd "$tree" && git log --oneline -1 | cut -c1-60)) load $(cut -d' ' -f1-3 /proc/loadavg)"
    grep -E "^requests" "$d/fleet.txt" | head -1
    for cls in '\[J' '\[I'; do
      b=$(grep -E " $cls( |\$)" "$d/histo-before.txt" | head -1 | awk '{print $3}'); a=$(grep -E " $cls( |\$)" "$d/histo-after.txt" | head -1 | awk '{print $3}')
      echo "  $cls bytes: $b -> $a (+$(( (a - b) / 1048576 )) MiB)"
    done
    awk -v t0="${jvm0%s}" -v t1="${jvm1%s}" '/Pause/ && /ms$/ {u=$1; gsub("[\\[\\]s]","",u); if (u+0 >= t0 && u+0 <= t1) {v=$NF; sub("ms","",v); n++; s+=v; if (v+0>m) m=v+0}} END {printf "  GC pauses in the measured run: %d, total %.1f ms, longest %.1f ms\n", n, s, m}' "$d/gc.log"
    sed 's/^/  /' "$d/rss.txt"
  } | tee -a "$OUT/summary.txt"
  set -e -o pipefail
done
