#!/bin/bash
# dirty-probe.sh from BEFORE_TREE then AFTER_TREE, alternating ROUNDS times (issue 14, sixth session, B): the journal
# sync thread's fdatasyncs over 20 / 100 ms and the longest, the fleet's p99 / p99.9 / max, 2,000 terminals at
# 10,000 taps/s for DURATION s from the moment the user's switch (CARDS demo cards) listens.
#   bench/results/issue14-s6-b/stall-probe-ab.sh OUT BEFORE_TREE AFTER_TREE ROUNDS [CARDS] [DURATION]
set -euo pipefail
mkdir -p "$1"; OUT=$(cd "$1" && pwd); BEFORE=$(cd "$2" && pwd); AFTER=$(cd "$3" && pwd); ROUNDS=$4; CARDS=${5:-10000000}; DUR=${6:-45}
HERE=$(cd "$(dirname "$0")" && pwd)
for r in $(seq 1 "$ROUNDS"); do
  for side in before after; do
    tree=$BEFORE; [ "$side" = after ] && tree=$AFTER
    d="$OUT/$side-$r"
    start="$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$HERE/dirty-probe.sh" "$d" "$tree" "$CARDS" "$DUR" > /dev/null 2>&1 || true
    syncs=$(grep -c fdatasync "$d/strace.txt" || true)
    awk -v name="$side-$r ($(cd "$tree" && git log --oneline -1 | cut -c1-40)) $start" -v n="$syncs" '
      {d=$NF; gsub("[<>]","",d); d*=1000; if (d>20) o20++; if (d>100) o100++; if (d>m) {m=d; at=$1}}
      END {printf "== %s\n  journal sync thread: %d fdatasync, >20 ms %d, >100 ms %d, longest %.1f ms at %s\n", name, n, o20, o100, m, at}' \
      "$d/long-syncs.txt" | tee -a "$OUT/summary.txt"
    echo "  $(grep -o 'published.*' "$d/switch.log" | head -1 | cut -c1-120); listening $(grep listening "$d/meminfo.txt" | cut -d' ' -f2)" | tee -a "$OUT/summary.txt"
    echo "  fleet: $(grep '^latency' "$d/seconds.txt" | tr -s ' ')" | tee -a "$OUT/summary.txt"
  done
done
