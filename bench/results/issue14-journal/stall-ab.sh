#!/bin/bash
# The pipelined stall before and after the journal's space written ahead (issue 14, fifth session, engineer B).
#   bench/results/issue14-journal/stall-ab.sh OUT BEFORE_TREE AFTER_TREE [CARDS] [ROUNDS] [PORT]
# BEFORE_TREE / AFTER_TREE: repository roots, each built (mvn -o -q -DskipTests package). For each round, before then
# after: the user's switch from that tree (./tapswitch switch --demo, defaults, CARDS demo cards, default 10 M) with a
# GC log, a 5 s pipelined warm-up, then 20 s pipelined 64 x 16 by AFTER_TREE's ./tapswitch fleet (the same generator
# for both), whose per-second lines give each second's p50, p99 and max. During the 20 s, strace -T follows only the
# switch's three journal threads (sync, pretouch, reserve: the engine and event loop run untraced): every fdatasync,
# msync, fallocate and pwrite64 with its duration, by thread. Ports PORT and PORT+1 (default 22001).
set -euo pipefail
mkdir -p "$1"; OUT=$(cd "$1" && pwd); BEFORE=$(cd "$2" && pwd); AFTER=$(cd "$3" && pwd); CARDS=${4:-10000000}; ROUNDS=${5:-2}; PORT=${6:-22001}
mkdir -p "$OUT"
summarize() {  # DIR NAME TREE: the figures of one run, from its files (also re-runnable on an old run)
  local dir=$1 name=$2 tree=$3
  set +e +o pipefail
  local trace="$dir/strace.txt"; [ -f "$trace" ] || trace=<(zcat "$dir/strace.txt.gz")
  {
    echo "== $name ($(cd "$tree" && git log --oneline -1 | cut -c1-60)) load $(cut -d' ' -f1-3 /proc/loadavg)"
    grep -E "^requests|^latency ms" "$dir/fleet.txt" | tr -s " "
    awk '{gsub("max=","",$NF); gsub("ms","",$NF); if ($NF+0 > m) m = $NF+0} END {printf "fleet: worst second max %.1f ms\n", m}' "$dir/seconds.txt"
    cat "$trace" > "$dir/.trace"
    while read -r tname tid; do
      grep -E "^$tid " "$dir/.trace" | grep -E "fdatasync|msync|fsync" | grep -o "<[0-9.]*>" | tr -d '<>' | sort -n | \
        awk -v t="$tname" '{a[NR]=$1; if ($1 > .02) o20++; if ($1 > .05) o50++} END {if (NR) printf "%s: %d syncs, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms, >20 ms %d, >50 ms %d\n", t, NR, a[int(NR/2)+1]*1e3, a[int(NR*0.99)+1]*1e3, a[int(NR*0.999)+1]*1e3, a[NR]*1e3, o20+0, o50+0}'
      grep -E "^$tid " "$dir/.trace" | grep -cE "fallocate|pwrite64" | awk -v t="$tname" '$1 > 0 {printf "%s: %d fallocate/pwrite64 calls\n", t, $1}'
    done < "$dir/journal-threads.txt"
    rm -f "$dir/.trace"
    awk '/Pause Young|Pause Full/ {v=$NF; sub("ms","",v); if (v+0 > m) m = v+0} END {printf "gc: longest pause %.1f ms\n", m}' "$dir/gc-pauses.txt"
  } | tee "$dir/summary.txt"
  set -e -o pipefail
}
run_one() {  # TREE NAME
  local tree=$1 name=$2 dir="$OUT/$2" data
  mkdir -p "$dir"; data=$(mktemp -d /tmp/b-stall-XXXXXX)
  (cd "$tree" && JAVA_OPTS="-Xlog:gc*,safepoint:file=$dir/gc.log:uptime,tid" exec ./tapswitch switch --demo --demo-cards "$CARDS" \
     --demo-terminals 2000 --port "$PORT" --metrics-port $((PORT + 1)) --data-dir "$data") > "$dir/switch.log" 2>&1 &
  local sw=$!
  until grep -q "listening" "$dir/switch.log"; do sleep 0.5; kill -0 $sw; done
  local pid; pid=$(pgrep -P $sw java || echo $sw)
  (cd "$AFTER" && ./tapswitch fleet --port "$PORT" --terminals 64 --in-flight 16 --rate max --duration 5 --cards "$CARDS") > "$dir/warm.txt" 2>&1
  jcmd "$pid" Thread.print 2>/dev/null | grep -o '"tapswitch-journal[^"]*".*nid=0x[0-9a-f]*' | \
    sed -E 's/^"([^"]*)".*nid=0x([0-9a-f]+)$/\1 \2/' | while read -r n h; do echo "$n $((16#$h))"; done > "$dir/journal-threads.txt"
  local args=(); while read -r _ tid; do args+=(-p "$tid"); done < "$dir/journal-threads.txt"
  strace -T -tt -e trace=fdatasync,fsync,msync,fallocate,pwrite64 "${args[@]}" -o "$dir/strace.txt" 2> "$dir/strace.err" &
  local st=$!; sleep 1
  (cd "$AFTER" && ./tapswitch fleet --port "$PORT" --terminals 64 --in-flight 16 --rate max --duration 20 --cards "$CARDS") > "$dir/fleet.txt" 2>&1
  kill $st; wait $st 2>/dev/null || true
  kill $sw; wait $sw 2>/dev/null || true
  rm -rf "$data"
  grep "^t=" "$dir/fleet.txt" | sed 's/declined\[[^]]*\]//' > "$dir/seconds.txt"
  grep -E "Pause .*ms$" "$dir/gc.log" > "$dir/gc-pauses.txt" || true
  summarize "$dir" "$name" "$tree"
  gzip -f "$dir/strace.txt"
}
if [ "${SUMMARY_ONLY:-0}" = 1 ]; then  # re-summarize OUT's runs
  for d in "$OUT"/*/; do n=$(basename "$d"); case $n in before-*) summarize "$d" "$n" "$BEFORE";; after-*) summarize "$d" "$n" "$AFTER";; esac; done
  cat "$OUT"/*/summary.txt > "$OUT/summary.txt"; exit 0
fi
for r in $(seq 1 "$ROUNDS"); do
  run_one "$BEFORE" "before-$r"
  run_one "$AFTER" "after-$r"
done
cat "$OUT"/*/summary.txt > "$OUT/summary.txt"
