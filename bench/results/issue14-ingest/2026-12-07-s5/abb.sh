#!/bin/bash
out=$1; rounds=$2; shift 2
mkdir -p $out
for r in $(seq 1 $rounds); do
  for b in 1000 4000; do
    (cd /work/wt/c && ./tapswitch bench ingest "$@" --batch $b --out $out/b$b-$r > $out/b$b-$r.log 2>&1)
    echo "batch $b round $r: $(grep '^ingest:' $out/b$b-$r.log)"
  done
done
