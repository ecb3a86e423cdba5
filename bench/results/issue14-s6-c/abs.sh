#!/bin/bash
# abs.sh OUT ROUNDS "NAME=k=v,k=v" ... -- ARGS : alternates PostgreSQL settings on ./tapswitch bench ingest ARGS.
# NOTE: ran with a temporary override in EmbeddedDatabase (system property tapswitch.pg.ab=k=v,... passed to
# setServerConfig) that is NOT on main; on main the chosen settings are EmbeddedDatabase.start's defaults.
out=$(realpath -m $1); rounds=$2; shift 2
vars=(); while [ "$1" != "--" ]; do vars+=("$1"); shift; done; shift
mkdir -p $out
for r in $(seq 1 $rounds); do
  for v in "${vars[@]}"; do
    name=${v%%=*}; set_=${v#*=}
    (cd /work/wt/c && JAVA_OPTS="-Dtapswitch.pg.ab=$set_" ./tapswitch bench ingest "$@" --out $out/$name-$r > $out/$name-$r.log 2>&1)
    echo "$name round $r ($set_): $(grep '^ingest:' $out/$name-$r.log)"
  done
done
