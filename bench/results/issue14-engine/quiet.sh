#!/usr/bin/env bash
# Issue 14, engine and replay (engineer A, fourth session): the lead's quiet re-run, from the repository root of main.
# Usage: bench/results/issue14-engine/quiet.sh jmh|replay|replay-base [OUT]
#   jmh          (~6 min) EngineDecisionBenchmark.approveWarmed at 10 M cards, before (4ad28e6, the session's start,
#                built in a temporary worktree) and after (this checkout), alternating twice, each fork with its own
#                fixture directory (the fixture is rebuilt when the engine's classes differ: ~1 min each, once)
#   replay       (~8 min) ./tapswitch bench replay --cards 10000000 --taps 20000000: effects (version 3 records) and
#                replay=verify in one run
#   replay-base  (~8 min) the same command at 4ad28e6 (version 2 records, effects then looked up the card and holder)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
OUT="${2:-$ROOT/bench/results/issue14-engine/quiet-$(date -u +%Y%m%dT%H%M)}"
BASE=/tmp/tapswitch-issue14-base
mkdir -p "$OUT"
base_checkout() {
  if [ ! -d "$BASE" ]; then git -C "$ROOT" worktree add --detach "$BASE" 4ad28e6; fi
  (cd "$BASE" && mvn -o -q -DskipTests package)
}
case "${1:-}" in
  jmh)
    base_checkout
    for round in 1 2; do
      (cd "$BASE" && ./tapswitch bench jmh --no-gc-profiler --tmpdir /tmp/issue14-fix-base \
        --json "$OUT/jmh-base-$round.json" 'EngineDecisionBenchmark.approveWarmed') > "$OUT/jmh-base-$round.txt" 2>&1
      (cd "$ROOT" && ./tapswitch bench jmh --no-gc-profiler --tmpdir /tmp/issue14-fix-new \
        --json "$OUT/jmh-new-$round.json" 'EngineDecisionBenchmark.approveWarmed') > "$OUT/jmh-new-$round.txt" 2>&1
    done
    grep -H 'approveWarmed  ' "$OUT"/jmh-*.txt; grep -H 'cpu\]' "$OUT"/jmh-*.txt | tail -20 ;;
  replay)
    (cd "$ROOT" && JAVA_OPTS=-Djava.io.tmpdir=/tmp/issue14-fix-new ./tapswitch bench replay --cards 10000000 \
      --taps 20000000 --out "$OUT/replay") ;;
  replay-base)
    base_checkout
    (cd "$BASE" && ./tapswitch bench replay --cards 10000000 --taps 20000000 --out "$OUT/replay-base") ;;
  *) echo "usage: $0 jmh|replay|replay-base [OUT]" >&2; exit 2 ;;
esac
