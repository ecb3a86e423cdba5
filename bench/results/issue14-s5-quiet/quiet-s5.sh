#!/usr/bin/env bash
# the lead's quiet measurements after the fifth session (BENCHMARKS.md, "the lead's quiet run after the fifth session"),
# from the repository root (the A/B steps need the session's start built aside:
#   git worktree add --detach /tmp/b-before f5490ac && (cd /tmp/b-before && mvn -o -q -DskipTests package));
# each step's start and load average in quiet-s5-log.txt beside this script
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
R=bench/results/issue14-s5-quiet
L=$R/quiet-s5-log.txt
step() { echo "=== $(date -u +%H:%M:%S) $1 | $(cut -d' ' -f1-3 /proc/loadavg)" >> $L; }
step "build"
mvn -o -q -DskipTests package > $R/build.txt 2>&1
step "bench load 10m"
./tapswitch bench load --cards 10000000 --out $R/load-10m > $R/load-10m-stdout.txt 2>&1
./tapswitch bench plot $R/load-10m >> $R/load-10m-stdout.txt 2>&1
step "engine jmh a/b"
bench/results/issue14-engine/s5/quiet.sh $R/engine-ab > $R/engine-ab-stdout.txt 2>&1
step "replay a/b"
bench/results/issue14-replay/replay-ab.sh $R/replay-ab /tmp/b-before . 10000000 20000000 2 > $R/replay-ab-stdout.txt 2>&1
step "ingest 2M"
./tapswitch bench ingest --taps 2000000 --streams 2 --out $R/ingest-2m > $R/ingest-2m-stdout.txt 2>&1
step "ingest lag 50k"
./tapswitch bench ingest --rate 50000 --duration 60 --streams 2 --out $R/ingest-rate50k > $R/ingest-rate50k-stdout.txt 2>&1
step "stall a/b"
bench/results/issue14-journal/stall-ab.sh $R/stall-ab /tmp/b-before . 10000000 2 > $R/stall-ab-stdout.txt 2>&1
step "agree"
bench/results/issue14-switch/agree.sh $R/agree 10 1 > $R/agree-stdout.txt 2>&1
step "done"
