#!/bin/bash
# The switch's latency tail with journal-sync=batch against the bare durable server, before and after (issue 14,
# sixth session, B).
#   bench/results/issue14-s6-b/tail-ab.sh OUT BEFORE_TREE AFTER_TREE ROUNDS SCENARIO [EXTRA bench load options...]
# SCENARIO: fixed-rate (2,000 terminals at 10,000 taps/s) or fleet-10k (10,000 terminals at 5,000 taps/s).
# Each round: ./tapswitch bench load --scenario SCENARIO --only bare-durable,switch from BEFORE_TREE, then from
# AFTER_TREE, into OUT/<before|after>-<round>; the shape's rows of each load.md are collected in OUT/summary.txt.
set -euo pipefail
mkdir -p "$1"; OUT=$(cd "$1" && pwd); BEFORE=$(cd "$2" && pwd); AFTER=$(cd "$3" && pwd); ROUNDS=$4; SCEN=$5; shift 5
for r in $(seq 1 "$ROUNDS"); do
  for side in before after; do
    tree=$BEFORE; [ "$side" = after ] && tree=$AFTER
    echo "== $side-$r ($(cd "$tree" && git log --oneline -1 | cut -c1-60)) $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
    (cd "$tree" && ./tapswitch bench load --scenario "$SCEN" --only bare-durable,switch --out "$OUT/$side-$r" "$@") > "$OUT/$side-$r.log" 2>&1
    grep -E '^\|' "$OUT/$side-$r/load.md" | grep -iE 'taps/s|terminals|shape|---' | head -8 | tee -a "$OUT/summary.txt" || true
  done
done
