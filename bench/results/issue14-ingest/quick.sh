#!/usr/bin/env bash
# Issue 14, admin side (engineer C, fourth session): the ingest targets in four short runs, each under ~5 min on 2
# quiet cores (~1 GB in /tmp each, deleted after). From the repository root:
#   bench/results/issue14-ingest/quick.sh [OUT_DIR]     (default bench/results/issue14-ingest/<UTC date-time>-quick)
# Target: >= 100 000 taps/s sustained (runs 1, 4), lag <= 1 s at 50 000 taps/s (run 3). Every run writes its ingest.md.
set -euo pipefail
OUT="${1:-bench/results/issue14-ingest/$(date -u +%Y%m%dT%H%M)-quick}"
mkdir -p "$OUT"
run() { local name=$1; shift; echo "== $name: ./tapswitch bench ingest $*"; ./tapswitch bench ingest "$@" --out "$OUT/$name" | tail -12; }
# 1-2. ingest rate and CPU per tap from a prepared 2 M-tap journal, the default 2 streams and 1 stream
run max-2-streams --taps 2000000 --streams 2
run max-1-stream  --taps 2000000 --streams 1
# 3. lag at a sustained 50 000 taps/s for 60 s
run rate50k-2-streams  --rate 50000 --duration 60 --streams 2
# 4. at a sustained 100 000 taps/s for 60 s: does it keep up?
run rate100k-2-streams --rate 100000 --duration 60 --streams 2
echo "results in $OUT"
