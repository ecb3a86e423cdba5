#!/bin/bash
# usage: ab-engine.sh OUT BEFORE_TREE AFTER_TREE ROUNDS SHAPE... -- prof.sh (per-thread CPU, no strace) of the user's
# switch built in each tree, alternating before/after per shape, ROUNDS times; prints each run's summary head
OUT=$(realpath -m $1); B=$2; A=$3; ROUNDS=$4; shift 4
export TAPSWITCH_NO_BUILD=1 STRACE=0
for r in $(seq 1 $ROUNDS); do for shape in "$@"; do for arm in before after; do
  tree=$B; [ $arm = after ] && tree=$A
  (cd $tree && bench/results/issue14-net-s5/prof.sh $OUT/$shape-$arm-$r $shape 10 100000 > /dev/null 2>&1)
  echo "== $shape $arm $r: $(head -1 $OUT/$shape-$arm-$r/summary.md)"
  grep -E "^\| (tapswitch-io|tapswitch-engin|tapswitch-journ|all) " $OUT/$shape-$arm-$r/summary.md
  grep -E "^#\[Max|p99 |^latency" $OUT/$shape-$arm-$r/plain.txt | head -2
done; done; done
