#!/usr/bin/env bash
# the lead's quiet measurements after the fourth session (BENCHMARKS.md, "the lead's quiet run after the fourth session")
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
L=bench/results/issue14-net/quiet-s4-log.txt
step() { echo "=== $(date -u +%H:%M:%S) $1 | $(uptime)" >> $L; }
step "bench load 10m"
./tapswitch bench load --cards 10000000 --out bench/results/issue14-net/load-quiet-10m > bench/results/issue14-net/load-quiet-10m-stdout.txt 2>&1
./tapswitch bench plot bench/results/issue14-net/load-quiet-10m >> bench/results/issue14-net/load-quiet-10m-stdout.txt 2>&1
step "ingest lag 50k"
./tapswitch bench ingest --rate 50000 --duration 60 --streams 2 > bench/results/issue14-ingest/2026-12-07-s4/quiet-rate50k.txt 2>&1
step "ingest 2M"
./tapswitch bench ingest --taps 2000000 --streams 2 > bench/results/issue14-ingest/2026-12-07-s4/quiet-2m-s2.txt 2>&1
step "agree"
bench/results/issue14-switch/agree.sh bench/results/issue14-net/agree-quiet-s4 10 1 > bench/results/issue14-net/agree-quiet-s4-stdout.txt 2>&1
step "replay"
bench/results/issue14-engine/quiet.sh replay bench/results/issue14-engine/quiet-s4 > bench/results/issue14-engine/quiet-s4-replay-stdout.txt 2>&1
step "jmh"
bench/results/issue14-engine/quiet.sh jmh bench/results/issue14-engine/quiet-s4 > bench/results/issue14-engine/quiet-s4-jmh-stdout.txt 2>&1
step "done"
