#!/bin/bash
# ab.sh OUT ROUNDS ARGS... : alternates the build BEFORE (default /tmp/c-main) and AFTER (default: the current directory)
# on ./tapswitch bench ingest ARGS; from the repository root. Each run's last line: taps/s and CPU per tap.
out=$(realpath -m $1); rounds=$2; shift 2
BEFORE=${BEFORE:-/tmp/c-main}; AFTER=${AFTER:-$PWD}
mkdir -p $out
for r in $(seq 1 $rounds); do
  for side in main c; do
    dir=$BEFORE; [ $side = c ] && dir=$AFTER
    (cd $dir && ./tapswitch bench ingest "$@" --out $out/$side-$r > $out/$side-$r.log 2>&1)
    echo "$side round $r: $(grep '^ingest:' $out/$side-$r.log)"
  done
done
