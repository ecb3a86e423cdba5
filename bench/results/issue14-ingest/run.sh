#!/usr/bin/env bash
# Issue 14, admin side (engineer C): the ingest and report figures of BENCHMARKS.md "Admin ingest and reports
# (issue 14, engineer C)", to re-run on a quiet machine. From the repository root:
#   bench/results/issue14-ingest/run.sh [OUT_DIR]        (default bench/results/issue14-ingest/<UTC date-time>)
# Takes about 20-30 min on 2 quiet cores and ~6 GB in /tmp (the 10 M bulk month). Every run writes its own .md.
set -euo pipefail
OUT="${1:-bench/results/issue14-ingest/$(date -u +%Y%m%dT%H%M)}"
mkdir -p "$OUT"
run() { local name=$1; shift; echo "== $name: ./tapswitch bench ingest $*"; ./tapswitch bench ingest "$@" --out "$OUT/$name" | tail -20; }

# 1. ingest rate from a prepared journal: one stream (the ingester before issue 14's streams) vs the default two
run max-1-stream   --taps 2000000 --streams 1
run max-2-streams  --taps 2000000 --streams 2
# what the rollup trigger costs (attribution only: the reports are empty in this run)
run max-2-streams-no-rollups --taps 2000000 --streams 2 --without-rollups
# 2. lag at a sustained 50 000 taps/s for 60 s (target: lag <= 1 s), and at 100 000 taps/s (target: keeps up)
run rate50k-1-stream  --rate 50000 --duration 60 --streams 1
run rate50k-2-streams --rate 50000 --duration 60 --streams 2
run rate100k-2-streams --rate 100000 --duration 60 --streams 2
# 3. the month's aid and meals reports over 1 M and 10 M taps (bulk-built month, rollups rebuilt from the taps),
#    with the old scans for comparison and a check that both give the same rows
run reports-1m  --bulk --taps 1000000 --reports --scan
run reports-10m --bulk --taps 10000000 --reports --scan
echo "results in $OUT"
