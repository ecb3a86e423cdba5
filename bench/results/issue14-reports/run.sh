#!/usr/bin/env bash
# Issue 14 (engineer D): the reports and GET /taps over the kept 50 M-tap month (/tmp/d-50m, 20 GB; rm -rf it when
# done), for the lead's quiet re-run (~3-5 min; --scan adds the checks against scans of the taps, 20-30 min). The month
# was built by ./tapswitch bench reports --dir /tmp/d-50m --build --taps 50000000 --cards 300000 and migrated to V88
# without V83 (C's, merged at the same time): run this from a checkout of b2c2653, e.g.
#   git -C /work/main worktree add /tmp/d-lead b2c2653 && /tmp/d-lead/bench/results/issue14-reports/run.sh
# (BENCHMARKS.md, "Reports over a month of 50 M taps (fourth session, engineer D)").
set -euo pipefail
cd "$(dirname "$0")/../../.."
uptime
./tapswitch bench reports --dir /tmp/d-50m --port 24080 --out bench/results/issue14-reports/quiet "$@"
uptime
