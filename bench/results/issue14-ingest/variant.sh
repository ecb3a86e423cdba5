#!/bin/bash
# Issue 14 (engineer C): PostgreSQL backend CPU per tap of 100 COPYs of 1 000 taps, in a transaction rolled back, with
# the schema changed by SQL run first in the same transaction (BENCHMARKS.md "Where PostgreSQL's time per tap goes").
# Setup used (PostgreSQL refuses to run as root; zonky's binaries are unpacked under /tmp/embedded-pg):
#   ./tapswitch bench ingest --taps 500000 --dir /tmp/c-work/base --keep
#   chown -R postgres /tmp/c-work/base/admin/pg; runuser -u postgres -- /tmp/embedded-pg/PG-*/bin/pg_ctl \
#     -D /tmp/c-work/base/admin/pg -o "-p 23001 -c listen_addresses=127.0.0.1" -l /tmp/c-work/pg.log start
#   then 100 chunk files /tmp/c-work/chunks/c0..c99 of 1 000 taps each (server-side COPY (SELECT receipt + 1000000,
#   ..., decided_at + interval '1 day', ... FROM taps WHERE receipt in (300000 + i*1000, 300000 + (i+1)*1000]) TO file)
# usage: variant.sh NAME "SQL before the copies (inside the transaction)"; prints wall and backend CPU µs per tap, e.g.
#   variant.sh all ""
#   variant.sh notrig "ALTER TABLE taps DISABLE TRIGGER taps_rollups;"
#   variant.sh no_program "DROP INDEX taps_program;"
name=$1; pre=$2
{
  echo "BEGIN;"
  echo "$pre"
  echo "SELECT pg_backend_pid() AS pid \\gset"; echo "\\setenv PID :pid"
  echo "\\! awk '{print \$14+\$15}' /proc/\$PID/stat > /tmp/c-work/cpu0_$name"
  echo "SELECT clock_timestamp() AS t0 \\gset"
  for i in $(seq 0 99); do echo "COPY taps FROM '/tmp/c-work/chunks/c$i';"; done
  echo "SELECT round(extract(epoch from clock_timestamp() - :'t0') * 1e6 / 100000, 2) AS wall \\gset"
  echo "\\! awk '{print \$14+\$15}' /proc/\$PID/stat > /tmp/c-work/cpu1_$name"
  echo "ROLLBACK;"
  echo "\\echo wall :wall"
} > /tmp/c-work/v_$name.sql
w=$(psql -q -h 127.0.0.1 -p 23001 -U postgres postgres -f /tmp/c-work/v_$name.sql | grep wall)
c0=$(cat /tmp/c-work/cpu0_$name); c1=$(cat /tmp/c-work/cpu1_$name)
echo "$name: $w us/tap, backend CPU $(( (c1-c0) * 10000 / 100000 )) us/tap"
