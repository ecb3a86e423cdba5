#!/bin/bash
# The engine thread's page faults after each journal sync, and what they cost (issue 14, sixth session, B): the user's
# switch from TREE (CARDS demo cards, journal-sync=SYNC, default batch), a 5 s pipelined warm-up, then 2,000 terminals
# at 10,000 taps/s for DURATION s, during which perf follows the engine thread only: its page faults (count and the
# kernel path of each), and its CPU samples (how many of them are inside a write fault: do_page_mkwrite / ext4).
#   [DATA_ROOT=DIR] bench/results/issue14-s6-b/fault-probe.sh OUT TREE [CARDS] [DURATION] [SYNC] [PORT]   (the data directory under DATA_ROOT, default /tmp)
set -euo pipefail
mkdir -p "$1"; OUT=$(cd "$1" && pwd); TREE=$(cd "$2" && pwd); CARDS=${3:-100000}; DUR=${4:-15}; SYNC=${5:-batch}; PORT=${6:-22021}
data=$(mktemp -d "${DATA_ROOT:-/tmp}/b-fault-XXXXXX")
(cd "$TREE" && exec ./tapswitch switch --demo --demo-cards "$CARDS" --demo-terminals 2000 --port "$PORT" \
   --metrics-port $((PORT + 1)) --data-dir "$data" --set journal-sync="$SYNC") > "$OUT/switch.log" 2>&1 &
sw=$!
until grep -q "listening" "$OUT/switch.log"; do sleep 0.5; kill -0 $sw; done
pid=$(pgrep -P $sw java || echo $sw)
(cd "$TREE" && ./tapswitch fleet --port "$PORT" --terminals 64 --in-flight 16 --rate max --duration 5 --cards "$CARDS") > "$OUT/warm.txt" 2>&1
tid=$((16#$(jcmd "$pid" Thread.print 2>/dev/null | grep -o '"tapswitch-engine[^"]*".*nid=0x[0-9a-f]*' | head -1 | sed -E 's/.*nid=0x//')))
echo "engine thread $tid ($(cat /proc/$pid/task/$tid/comm)), load $(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/probe.txt"
f0=$(sed 's/.*) //' /proc/$pid/task/$tid/stat | awk '{print $8}')
perf record -q -o "$OUT/faults.data" -e page-faults -g -t "$tid" -- sleep "$DUR" > /dev/null 2>&1 &
pf=$!
perf record -q -o "$OUT/cpu.data" -e cpu-clock -F 4999 -g -t "$tid" -- sleep "$DUR" > /dev/null 2>&1 &
pc=$!
(cd "$TREE" && ./tapswitch fleet --port "$PORT" --terminals 2000 --rate 10000 --duration "$DUR" --cards "$CARDS") > "$OUT/fleet.txt" 2>&1 || true
wait $pf $pc || true
f1=$(sed 's/.*) //' /proc/$pid/task/$tid/stat | awk '{print $8}')
kill $sw; wait $sw 2>/dev/null || true; rm -rf "$data"
answered=$(grep -o 'answered [0-9]*' "$OUT/fleet.txt" | head -1 | awk '{print $2}')
{
  echo "minor faults of the engine thread during the run: $((f1 - f0)) for $answered answered ($(awk -v f=$((f1 - f0)) -v a="$answered" 'BEGIN {printf "%.3f", f/a}') per request)"
  echo "fault paths (kernel, callee first):"
  perf report -i "$OUT/faults.data" --stdio --no-children -g caller,0.5,callee --sort sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
  total=$(perf report -i "$OUT/cpu.data" --stdio --no-children --sort sym 2>/dev/null | grep -o 'of event.*' | head -1)
  echo "engine CPU samples: $(perf report -i "$OUT/cpu.data" --stdio 2>/dev/null | grep -m1 'Samples')"
  perf script -i "$OUT/cpu.data" 2>/dev/null | awk 'BEGIN {RS=""} {n++; if ($0 ~ /do_page_mkwrite|ext4_page_mkwrite|do_wp_page|wp_page/) w++; if ($0 ~ /handle_mm_fault/) f++} END {printf "samples %d, in a page fault %d (%.2f %%), in a write-protect fault (page_mkwrite) %d (%.2f %%)\n", n, f, 100*f/n, w, 100*w/n}'
  grep -E '^latency' "$OUT/fleet.txt"
} | tee -a "$OUT/probe.txt"
