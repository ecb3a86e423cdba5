#!/usr/bin/env bash
# Issue 14 (engineer D): the reports and GET /taps over the kept 50 M-tap month, for the lead's quiet re-run (~3-5 min
# without --scan). The month was built by
#   ./tapswitch bench reports --dir /tmp/d-50m --build --taps 50000000 --cards 300000
# (see BENCHMARKS.md, "Reports over a month of 50 M taps"); it is kept in /tmp/d-50m (about 20 GB: remove it with
# rm -rf /tmp/d-50m when done). Add --scan to also check every report against a scan of the taps (about 20-30 min).
set -euo pipefail
cd "$(dirname "$0")/../../.."
uptime
./tapswitch bench reports --dir /tmp/d-50m --port 24080 --out bench/results/issue14-reports/quiet "$@"
uptime
