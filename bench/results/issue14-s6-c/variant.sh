#!/bin/bash
# variant.sh NAME "SQL before the copies": 100 COPY BINARY of 1 000 taps into the scratch copy of a 500 000-tap database
# (port 23001), in one transaction rolled back, the session as the ingester's (tapswitch.rollups = 'ingester');
# prints wall and backend CPU per tap (the fifth session's method, bench/results/issue14-ingest/2026-12-07-s5/variant.sh).
name=$1; pre=$2; W=/tmp/c-s6
{
  echo "BEGIN;"
  echo "SET tapswitch.rollups = 'ingester';"
  echo "$pre"
  echo "SELECT pg_backend_pid() AS pid \\gset"; echo "\\setenv PID :pid"
  echo "\\! awk '{print \$14+\$15}' /proc/\$PID/stat > $W/cpu0_$name"
  echo "SELECT clock_timestamp() AS t0 \\gset"
  for i in $(seq 0 99); do echo "COPY taps FROM '$W/chunks/c$i' (FORMAT binary);"; done
  echo "SELECT round(extract(epoch from clock_timestamp() - :'t0') * 1e6 / 100000, 2) AS wall \\gset"
  echo "\\! awk '{print \$14+\$15}' /proc/\$PID/stat > $W/cpu1_$name"
  echo "ROLLBACK;"
  echo "\\echo wall :wall"
} > $W/v_$name.sql
w=$(psql -q -h 127.0.0.1 -p 23001 -U postgres postgres -f $W/v_$name.sql | grep wall)
c0=$(cat $W/cpu0_$name); c1=$(cat $W/cpu1_$name)
echo "$name: $w us/tap, backend CPU $(( (c1-c0) * 10000 / 100000 )) us/tap"
