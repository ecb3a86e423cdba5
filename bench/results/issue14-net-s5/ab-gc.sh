#!/bin/bash
# usage: ab-gc.sh OUT ROUNDS [SCENARIO] -- bench load, one shape at 10 M cards, G1 (the defaults before) and ZGC
# (-XX:+UseZGC through --server-jvm) alternating, ROUNDS times; prints the switch's and the limits' lines
export TAPSWITCH_NO_BUILD=1
OUT=$1; ROUNDS=${2:-2}; SC=${3:-pipelined}; mkdir -p $OUT; cd "$(git rev-parse --show-toplevel)"
for r in $(seq 1 $ROUNDS); do
  for gc in g1 zgc; do
    opt=(); [ $gc = zgc ] && opt=(--server-jvm=-XX:+UseZGC)
    [ $gc = g1 ] && opt=(--server-jvm=-XX:+UseG1GC)
    ./tapswitch bench load --scenario $SC --cards 10000000 --only bare-durable,switch,switch-nosync "${opt[@]}" \
      --out $OUT/$gc-$r > $OUT/$gc-$r.txt 2>&1
    echo "== $gc round $r ($(cat /proc/loadavg))"; grep -E "^\| [0-9].*\| (bare-durable|switch|switch-nosync) \|" $OUT/$gc-$r/load.md
  done
done
