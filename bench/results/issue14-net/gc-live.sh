#!/bin/bash
# usage: gc-live.sh OUT "EXTRA_JAVA_OPTS" -- the user's switch at 10 M cards, 5 s pipelined warm-up, 20 s pipelined
# with a live line per second; GC + safepoint log
OUT=$1; mkdir -p $OUT; cd "$(git rev-parse --show-toplevel)"
rm -rf /tmp/e-gc-data; mkdir -p /tmp/e-gc-data
JAVA_OPTS="$2 -Xlog:gc*,safepoint:file=$OUT/gc.log:uptime,tid" ./tapswitch switch --demo --demo-cards 10000000 --demo-terminals 2000 --port 25001 --metrics-port 25002 --data-dir /tmp/e-gc-data > $OUT/switch.log 2>&1 &
SW=$!
until grep -q "listening" $OUT/switch.log; do sleep 0.5; done
./tapswitch fleet --port 25001 --terminals 64 --in-flight 16 --rate max --duration 5 --cards 10000000 > $OUT/warm.txt 2>&1
./tapswitch fleet --port 25001 --terminals 64 --in-flight 16 --rate max --duration 20 --cards 10000000 > $OUT/fleet.txt 2>&1
kill $SW; wait $SW
grep -E "Pause Young.*ms$|Pause Remark.*ms$" $OUT/gc.log > $OUT/pauses.txt
