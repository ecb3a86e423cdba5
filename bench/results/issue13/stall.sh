#!/bin/bash
# five 60 s full-speed closed-loop runs, journal-sync=batch (the default), as in RELIABILITY.md
cd /work/main
for n in 1 2 3 4 5; do
  d=/tmp/stall/run$n; rm -rf $d; mkdir -p $d
  TAPSWITCH_NO_BUILD=1 ./tapswitch switch --demo --data-dir $d/data --port 22901 --metrics-port 22902 --set journal-sync=batch > $d/switch.log 2>&1 &
  sp=$!
  for i in $(seq 1 120); do grep -q "listening on" $d/switch.log && break; sleep 0.5; done
  TAPSWITCH_NO_BUILD=1 ./tapswitch fleet --port 22901 --rate max --duration 60 --terminals 200 --in-flight 1 > $d/fleet.log 2>&1
  curl -s localhost:22902/metrics | grep -E "^tapswitch_(response_drains_rescued|journal_slow_syncs|journal_syncs)[^ ]* " > $d/metrics.txt
  kill $sp; wait $sp
  echo "run $n load $(cut -d' ' -f1-3 /proc/loadavg)"; tail -6 $d/fleet.log; cat $d/metrics.txt
done
