#!/usr/bin/env bash
# the lead's quiet measurements after the sixth session (BENCHMARKS.md, "the lead's quiet run after the sixth session"),
# from the repository root. The A/B steps read the session's start (main 53596dd) built aside:
#   git worktree add --detach /tmp/a-before-s6 53596dd && (cd /tmp/a-before-s6 && mvn -o -q -DskipTests package)
#   (/tmp/c-before-s6 the same); A's replay fixture copy in /tmp/a-replay-fix (bench replay makes it when missing).
# each step's start and load average in quiet-s6-log.txt beside this script
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
R=bench/results/issue14-s6-quiet
L=$R/quiet-s6-log.txt
step() { echo "=== $(date -u +%H:%M:%S) $1 | $(cut -d' ' -f1-3 /proc/loadavg)" >> $L; }
step "build"
mvn -o -q -DskipTests package > $R/build.txt 2>&1
step "bench load 10m"
./tapswitch bench load --cards 10000000 --out $R/load-10m > $R/load-10m-stdout.txt 2>&1
./tapswitch bench plot $R/load-10m >> $R/load-10m-stdout.txt 2>&1
step "replay a/b"
bench/results/issue14-s6-a/replay-ab.sh $R/replay-ab /tmp/a-before-s6 . 10000000 20000000 2 /tmp/a-replay-fix > $R/replay-ab-stdout.txt 2>&1
step "ingest 2M before (53596dd)"
(cd /tmp/c-before-s6 && ./tapswitch bench ingest --taps 2000000 --streams 2 --out /tmp/quiet-s6-ingest-before) > $R/ingest-2m-before-stdout.txt 2>&1
mkdir -p $R/ingest-2m-before && cp -r /tmp/quiet-s6-ingest-before/. $R/ingest-2m-before/
step "ingest 2M after"
./tapswitch bench ingest --taps 2000000 --streams 2 --out $R/ingest-2m > $R/ingest-2m-stdout.txt 2>&1
step "ingest lag 50k"
./tapswitch bench ingest --rate 50000 --duration 60 --streams 2 --out $R/ingest-rate50k > $R/ingest-rate50k-stdout.txt 2>&1
step "agree"
bench/results/issue14-switch/agree.sh $R/agree 10 1 > $R/agree-stdout.txt 2>&1
step "done"
