#!/bin/bash
# A/B: base = main 7f5fc9f (COPY BINARY, rollup trigger) built in /tmp/c-base; new = branch c (ingester-kept rollups)
cd /work/wt/c
for round in 1 2; do
 for s in 2 1; do
  (cd /tmp/c-base && ./tapswitch bench ingest --taps 500000 --streams $s --out /work/wt/c/bench/results/issue14-ingest/2026-12-07-s4/ab/base-s$s-r$round) 2>&1 | grep -E "^ingest:" | sed "s/^/base s$s r$round /"
  ./tapswitch bench ingest --taps 500000 --streams $s --out bench/results/issue14-ingest/2026-12-07-s4/ab/new-s$s-r$round 2>&1 | grep -E "^ingest:" | sed "s/^/new  s$s r$round /"
 done
done
