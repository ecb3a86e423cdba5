#!/bin/bash
# variant.sh NAME "SQL before the copies"  (session sets tapswitch.rollups = 'ingester' unless NOING=1)
name=$1; pre=$2
{
  echo "BEGIN;"
  [ -z "$NOING" ] && echo "SET tapswitch.rollups = 'ingester';"
  echo "$pre"
  echo "SELECT pg_backend_pid() AS pid \\gset"; echo "\\setenv PID :pid"
  echo "\\! awk '{print \$14+\$15}' /proc/\$PID/stat > /tmp/c-work/cpu0_$name"
  echo "SELECT clock_timestamp() AS t0 \\gset"
  for i in $(seq 0 99); do echo "COPY taps FROM '/tmp/c-work/chunks/c$i' (FORMAT binary);"; done
  echo "SELECT round(extract(epoch from clock_timestamp() - :'t0') * 1e6 / 100000, 2) AS wall \\gset"
  echo "\\! awk '{print \$14+\$15}' /proc/\$PID/stat > /tmp/c-work/cpu1_$name"
  echo "ROLLBACK;"
  echo "\\echo wall :wall"
} > /tmp/c-work/v_$name.sql
w=$(psql -q -h 127.0.0.1 -p 23001 -U postgres postgres -f /tmp/c-work/v_$name.sql | grep wall)
c0=$(cat /tmp/c-work/cpu0_$name); c1=$(cat /tmp/c-work/cpu1_$name)
echo "$name: $w us/tap, backend CPU $(( (c1-c0) * 10000 / 100000 )) us/tap"
