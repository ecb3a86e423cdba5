#!/bin/bash
# Where the one long journal sync per run comes from (issue 14, sixth session, B): the user's switch at CARDS demo
# cards (journal-sync=batch, the default), 2,000 terminals at 10,000 taps/s for DURATION s right after it listens,
# with the page cache's Dirty and Writeback (/proc/meminfo) sampled every 0.5 s and strace -T on the journal sync
# thread; then the fleet's per-second max beside the samples.
#   bench/results/issue14-s6-b/dirty-probe.sh OUT TREE [CARDS] [DURATION] [PORT]
set -euo pipefail
mkdir -p "$1"; OUT=$(cd "$1" && pwd); TREE=$(cd "$2" && pwd); CARDS=${3:-10000000}; DUR=${4:-50}; PORT=${5:-22011}
data=$(mktemp -d /tmp/b-dirty-XXXXXX)
(cd "$TREE" && exec ./tapswitch switch --demo --demo-cards "$CARDS" --demo-terminals 2000 --port "$PORT" \
   --metrics-port $((PORT + 1)) --data-dir "$data") > "$OUT/switch.log" 2>&1 &
sw=$!
( while kill -0 $sw 2>/dev/null; do echo "$(date -u +%H:%M:%S.%N | cut -c1-12) $(grep -E '^(Dirty|Writeback):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"; sleep 0.5; done ) > "$OUT/meminfo.txt" &
mem=$!
until grep -q "listening" "$OUT/switch.log"; do sleep 0.5; kill -0 $sw; done
echo "listening $(date -u +%H:%M:%S.%N | cut -c1-12)" >> "$OUT/meminfo.txt"
pid=$(pgrep -P $sw java || echo $sw)
tid=$(jcmd "$pid" Thread.print 2>/dev/null | grep -o '"tapswitch-journal-sync".*nid=0x[0-9a-f]*' | sed -E 's/.*nid=0x//')
strace -T -tt -e trace=fdatasync,msync -p $((16#$tid)) -o "$OUT/strace.txt" 2> "$OUT/strace.err" &
st=$!
(cd "$TREE" && ./tapswitch fleet --port "$PORT" --terminals 2000 --rate 10000 --duration "$DUR" --cards "$CARDS") > "$OUT/fleet.txt" 2>&1 || true
kill $st; wait $st 2>/dev/null || true
kill $sw; wait $sw 2>/dev/null || true
kill $mem 2>/dev/null || true
du -sh "$data"/* > "$OUT/data-sizes.txt"; rm -rf "$data"
awk '{d=$NF; gsub("[<>]","",d); if (d+0 > 0.02) print}' "$OUT/strace.txt" > "$OUT/long-syncs.txt"
grep -E "^t=|^latency" "$OUT/fleet.txt" | sed 's/declined\[[^]]*\]//' > "$OUT/seconds.txt"
cat "$OUT/long-syncs.txt" "$OUT/data-sizes.txt"; tail -1 "$OUT/seconds.txt"
