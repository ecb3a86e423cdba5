#!/usr/bin/env bash
# Issue 14, engine decisions (fifth session, engineer A): the lead's quiet A/B, from the repository root of main (~5 min).
# EngineDecisionBenchmark.approveWarmed at 10 M cards (3 warm-up + 5 measured iterations of 1 s, one fork), before
# (f5490ac, the session's start, built in a temporary worktree outside the checkout) and after (this checkout),
# alternating twice; each build with its own fixture directory (built once, about a minute each the first time).
# Usage: bench/results/issue14-engine/s5/quiet.sh [OUT]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
OUT="${1:-$ROOT/bench/results/issue14-engine/s5/quiet-$(date -u +%Y%m%dT%H%M)}"
BASE=/tmp/tapswitch-issue14-base-s5
mkdir -p "$OUT"
if [ ! -d "$BASE" ]; then git -C "$ROOT" worktree add --detach "$BASE" f5490ac; fi
(cd "$BASE" && mvn -o -q -DskipTests package)
(cd "$ROOT" && mvn -o -q -DskipTests package)
run() { # name dir fixture-dir round
  echo "== $1 $4 $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/summary.txt"
  (cd "$2" && TAPSWITCH_NO_BUILD=1 ./tapswitch bench jmh --no-gc-profiler --tmpdir "$3" --json "$OUT/jmh-$1-$4.json" \
    'EngineDecisionBenchmark.approveWarmed') > "$OUT/jmh-$1-$4.txt" 2>&1
  echo "CPU ns per decision, per iteration (3 warm-up, 5 measured): $(grep 'cpu\]' "$OUT/jmh-$1-$4.txt" | awk '{printf "%s ", $4}')" >> "$OUT/summary.txt"
  grep 'approveWarmed  ' "$OUT/jmh-$1-$4.txt" >> "$OUT/summary.txt"
}
for round in 1 2; do
  run base "$BASE" /tmp/issue14-fix-base-s5 "$round"
  run new "$ROOT" /tmp/issue14-fix-new-s5 "$round"
done
cat "$OUT/summary.txt"
