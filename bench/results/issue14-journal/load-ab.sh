#!/bin/bash
# bench load's pipelined shape before and after the journal's space written ahead (issue 14, fifth session, B).
#   bench/results/issue14-journal/load-ab.sh OUT BEFORE_TREE AFTER_TREE [ROUNDS] [EXTRA bench load options...]
# Each round: ./tapswitch bench load --scenario pipelined (bare, bare durable, switch, switch-nosync; the demo's
# 100,000 cards) from BEFORE_TREE, then from AFTER_TREE, each into OUT/<before|after>-<round>; then the switch rows
# of each load.md side by side (req/s, p99, p99.9, max, and the ratios to the bare servers).
set -euo pipefail
mkdir -p "$1"; OUT=$(cd "$1" && pwd); BEFORE=$(cd "$2" && pwd); AFTER=$(cd "$3" && pwd); ROUNDS=${4:-2}; shift 3; shift || true
for r in $(seq 1 "$ROUNDS"); do
  for side in before after; do
    tree=$BEFORE; [ "$side" = after ] && tree=$AFTER
    echo "== $side-$r ($(cd "$tree" && git log --oneline -1 | cut -c1-50)) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
    (cd "$tree" && ./tapswitch bench load --scenario pipelined --out "$OUT/$side-$r" "$@") > "$OUT/$side-$r.log" 2>&1
    grep -E '64 conn' "$OUT/$side-$r/load.md" | tee -a "$OUT/summary.txt"
  done
done
