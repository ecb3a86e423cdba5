#!/bin/bash
# Replay by effects before and after (issue 14, fifth session, engineer B), on ONE fixture, alternating; the sixth
# session's copy (A) also prints the replaying thread's user-mode CPU time (replayUserMs: the rest is the kernel's).
#   bench/results/issue14-s6-a/replay-ab.sh OUT BEFORE_TREE AFTER_TREE [CARDS] [TAPS] [ROUNDS] [FIXTURE_TMP]
# BEFORE_TREE / AFTER_TREE: repository roots, each built (mvn -o -q -DskipTests package). The demo fixture (CARDS
# cards, default 10 M; TAPS taps after its first snapshot, default 20 M, i.e. two city days: the second day expires
# the first from the idempotency table) is built once by BEFORE_TREE's RestartProbe under FIXTURE_TMP (default
# /tmp/b-replay-fix): its TAP records (version 3) and its snapshot are read by both trees (a newer tree loads the
# older snapshot versions). Then, ROUNDS times (default 2),
# before then after: a cold child JVM (-Xms8g -Xmx8g -XX:+UseParallelGC, as ./tapswitch bench replay) opens the
# engine from the snapshot taken before the taps (the newest is moved aside meanwhile) and replays the 20 M TAP
# records by their effects: Engine.replayNanos and the records replayed, printed as M records/s, and the CPU time
# of the replaying thread (M records per CPU-second: what the code costs, steadier on a shared machine).
set -euo pipefail
mkdir -p "$1"; OUT=$(cd "$1" && pwd); BEFORE=$(cd "$2" && pwd); AFTER=$(cd "$3" && pwd)
CARDS=${4:-10000000}; TAPS=${5:-20000000}; ROUNDS=${6:-2}; FIX=${7:-/tmp/b-replay-fix}
mkdir -p "$FIX"
FLAGS=(-XX:+UseTransparentHugePages -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED -Xms8g -Xmx8g -XX:+UseParallelGC "-Djava.io.tmpdir=$FIX")
HERE=$(cd "$(dirname "$0")/../../.." && pwd)  # this checkout's RestartProbe reports replayUserMs
probe() {  # TREE ARGS...: the fixture is built with the tree's own bench classes; a restart runs this checkout's
  # RestartProbe (it also reports the opening thread's CPU time in the replay: replayCpuMs) on the tree's engine
  local tree=$1; shift
  local cp="$tree/bench/target/classes:$tree/bench/target/lib/*"
  [ "$1" = restart ] && cp="$HERE/bench/target/classes:$tree/bench/target/lib/*"
  java "${FLAGS[@]}" -cp "$cp" io.tapswitch.bench.replay.RestartProbe "$@"
}
echo "fixture: $CARDS cards, $TAPS taps (built once by $BEFORE, whose snapshot both trees read; load $(cut -d' ' -f1-3 /proc/loadavg))" | tee "$OUT/summary.txt"
probe "$BEFORE" build "$CARDS" "$TAPS" > "$OUT/build.log" 2>&1
DATA=$(grep -o 'fixture=[^ ]*' "$OUT/build.log" | head -1 | cut -d= -f2)/data
NEWEST=$(ls "$DATA/snapshots"/snapshot-*.bin | sort -V | tail -1)
mv "$NEWEST" "$NEWEST.hidden"
trap 'mv "$NEWEST.hidden" "$NEWEST"' EXIT
for r in $(seq 1 "$ROUNDS"); do
  for side in before after; do
    tree=$BEFORE; [ "$side" = after ] && tree=$AFTER
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    probe "$tree" restart "$DATA" "$CARDS" true > "$OUT/$side-$r.log" 2>&1
    line=$(grep '^probe-result' "$OUT/$side-$r.log")
    ms=$(echo "$line" | grep -o 'replayMs=[0-9]*' | cut -d= -f2)
    n=$(echo "$line" | grep -o 'replayedRecords=[0-9]*' | cut -d= -f2)
    mm=$(echo "$line" | grep -o 'replayMismatches=[0-9]*' | cut -d= -f2)
    cpu=$(echo "$line" | grep -o 'replayCpuMs=[0-9-]*' | cut -d= -f2)
    user=$(echo "$line" | grep -o 'replayUserMs=[0-9-]*' | cut -d= -f2)
    printf "%s-%d (%s, load %s): %s records in %s ms = %.2f M records/s; CPU of the replaying thread %s ms (user %s) = %.2f M records per CPU-second; mismatches %s\n" "$side" "$r" \
      "$(cd "$tree" && git log --oneline -1 | cut -c1-50)" "$load" "$n" "$ms" "$(echo "$n / $ms / 1000" | bc -l)" "$cpu" "$user" "$(echo "$n / $cpu / 1000" | bc -l)" "$mm" | tee -a "$OUT/summary.txt"
  done
done
