#!/bin/bash
# usage: ab-gc2.sh OUT ROUNDS "GC_B" [SCENARIO] -- bench load, one shape at 10 M cards, G1 and GC_B (e.g.
# -XX:+UseShenandoahGC) alternating through --server-jvm, ROUNDS times; every server JVM logs its GC to
# OUT/ARM-ROUND/gc-PID.log; prints the lines of the switch and the limits, and each switch's longest pauses
export TAPSWITCH_NO_BUILD=1
OUT=$1; ROUNDS=${2:-2}; GCB=$3; SC=${4:-pipelined}; mkdir -p $OUT; cd "$(git rev-parse --show-toplevel)"
for r in $(seq 1 $ROUNDS); do
  for arm in g1 b; do
    gc=-XX:+UseG1GC; [ $arm = b ] && gc=$GCB
    mkdir -p $OUT/$arm-$r
    ./tapswitch bench load --scenario $SC --cards 10000000 --only bare-durable,switch,switch-nosync \
      --server-jvm=$gc --server-jvm=-Xlog:gc:file=$PWD/$OUT/$arm-$r/gc-%p.log --out $OUT/$arm-$r > $OUT/$arm-$r.txt 2>&1
    echo "== $arm ($gc) round $r ($(cat /proc/loadavg))"; grep -E "^\| [0-9].*\| (bare-durable|switch|switch-nosync) \|" $OUT/$arm-$r/load.md
    for f in $OUT/$arm-$r/gc-*.log; do echo "  $(basename $f): longest pauses (ms): $(grep -oE 'Pause[^)]*\)?.* ([0-9.]+)ms$' $f | grep -oE '[0-9.]+ms$' | sort -n | tail -3 | tr '\n' ' ')"; done
  done
done
