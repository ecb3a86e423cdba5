#!/bin/bash
# usage: gc-hist.sh OUT "EXTRA_JAVA_OPTS" [CARDS] [SECONDS] -- the user's switch (defaults + EXTRA), 5 s pipelined
# warm-up, a class histogram (live objects are not forced: -all), SECONDS of pipelined 64x16, a second histogram;
# GC + safepoint log; CPU of the switch process over the measured run. From the repository root.
OUT=$1; EXTRA=$2; CARDS=${3:-10000000}; SECS=${4:-20}
mkdir -p $OUT; cd "$(git rev-parse --show-toplevel)"
DATA=/tmp/e-s5-gc-data; rm -rf $DATA; mkdir -p $DATA
JAVA_OPTS="$EXTRA -Xlog:gc*,safepoint:file=$OUT/gc.log:uptime,tid" ./tapswitch switch --demo --demo-cards $CARDS \
  --demo-terminals 2000 --port 25001 --metrics-port 25002 --data-dir $DATA > $OUT/switch.log 2>&1 &
SW=$!
until grep -q "listening" $OUT/switch.log; do sleep 0.5; kill -0 $SW || exit 1; done
PID=$(pgrep -P $SW java || echo $SW)
./tapswitch fleet --port 25001 --warmup 0 --terminals 64 --in-flight 16 --rate max --duration 5 --cards $CARDS > $OUT/warm.txt 2>&1
jcmd $PID GC.class_histogram -all > $OUT/histo-before.txt
T0=$(awk '{print $14+$15}' /proc/$PID/stat)
./tapswitch fleet --port 25001 --warmup 0 --terminals 64 --in-flight 16 --rate max --duration $SECS --cards $CARDS > $OUT/fleet.txt 2>&1
T1=$(awk '{print $14+$15}' /proc/$PID/stat)
jcmd $PID GC.class_histogram -all > $OUT/histo-after.txt
echo "switch cpu ticks during run: $((T1-T0)) (1/100 s); load: $(cat /proc/loadavg)" > $OUT/cpu.txt
kill $SW; wait $SW
grep -E "Pause Young.*ms$|Pause Remark.*ms$|Pause Full.*ms$|Pause Mark|Pause Relocate|Allocation Stall" $OUT/gc.log > $OUT/pauses.txt
grep -E "Eden regions|Survivor regions|Old regions|Humongous regions" $OUT/gc.log > $OUT/regions.txt
