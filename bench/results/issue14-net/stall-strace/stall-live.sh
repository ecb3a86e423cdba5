#!/bin/bash
# The pipelined stall, found second by second (issue 14, engineer E). Run from the repository root:
#   bench/results/issue14-net/stall-strace/stall-live.sh OUT [CARDS] [STRACE=1]
# The user's switch (./tapswitch switch --demo, defaults) at CARDS demo cards (default 10 M) with a GC + safepoint log,
# a 5 s pipelined warm-up, then 20 s pipelined (64 x 16) by ./tapswitch fleet, whose per-second lines give each
# second's p50, p99 and max; with STRACE=1 (default) strace -f -T -tt of every switch thread's sync, mapping and futex
# calls during the 20 s (slows the switch; take the seconds' max as a locator, not a figure). Ports 25001-25002.
set -euo pipefail
OUT=$1; CARDS=${2:-10000000}; STRACE=${3:-1}
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/e-stall-XXXXXX)
JAVA_OPTS="-Xlog:gc*,safepoint:file=$OUT/gc.log:uptime,tid" ./tapswitch switch --demo --demo-cards "$CARDS" --demo-terminals 2000 --port 25001 --metrics-port 25002 --data-dir "$DATA" > "$OUT/switch.log" 2>&1 &
SW=$!
until grep -q "listening" "$OUT/switch.log"; do sleep 0.5; done
PID=$(pgrep -P $SW java || echo $SW)
./tapswitch fleet --port 25001 --terminals 64 --in-flight 16 --rate max --duration 5 --cards "$CARDS" > "$OUT/warm.txt" 2>&1
for t in /proc/$PID/task/*; do echo "$(basename "$t") $(cat "$t/comm")"; done > "$OUT/threads.txt"
ST=
if [ "$STRACE" = 1 ]; then
  strace -f -T -tt -e trace=msync,fdatasync,fsync,mmap,munmap,fallocate,ftruncate,madvise,openat,futex -p "$PID" -o "$OUT/strace.txt" &
  ST=$!
  sleep 1
fi
date -u +"fleet start %H:%M:%S.%N" > "$OUT/fleet-start.txt"
./tapswitch fleet --port 25001 --terminals 64 --in-flight 16 --rate max --duration 20 --cards "$CARDS" > "$OUT/fleet.txt" 2>&1
[ -n "$ST" ] && kill "$ST" && sleep 0.5
kill $SW; wait $SW || true
rm -rf "$DATA"
grep -E "Pause .*ms$" "$OUT/gc.log" > "$OUT/gc-pauses.txt" || true
if [ -f "$OUT/strace.txt" ]; then
  grep fdatasync "$OUT/strace.txt" | grep -o "<[0-9.]*>" | tr -d '<>' | sort -n | awk '{a[NR]=$1} END {printf "fdatasync: %d calls, p50 %.2f ms, p99 %.2f ms, max %.1f ms\n", NR, a[int(NR/2)]*1e3, a[int(NR*0.99)]*1e3, a[NR]*1e3}' > "$OUT/fdatasync.txt"
  awk -F'<' '{t=$NF; sub(">.*","",t); if (t+0 > 0.05) print}' "$OUT/strace.txt" | grep -E "sync|fallocate|mmap" >> "$OUT/fdatasync.txt" || true
  gzip -f "$OUT/strace.txt"
fi
grep "^t=" "$OUT/fleet.txt" | sed 's/declined\[[^]]*\]//' > "$OUT/seconds.txt"
cat "$OUT/seconds.txt" "$OUT/gc-pauses.txt" "$OUT/fdatasync.txt" 2>/dev/null
