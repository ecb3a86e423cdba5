#!/usr/bin/env bash
# A/B of two builds of the switch in one command (issue 14, engineer E): the user's switch (./tapswitch switch --demo,
# defaults) from checkout A and from checkout B side by side, each warmed 5 s pipelined, then SHAPE driven by one
# ./tapswitch fleet (from B) for D s per switch, alternating A B A B for ROUNDS rounds. Per run: answered req/s, and
# the switch's CPU per answered request, whole process and per thread (from /proc/PID/task/*/stat, in µs).
# usage: ab.sh OUT A_DIR B_DIR [SHAPE] [D] [ROUNDS] [CARDS]  (SHAPE: round-trip, pipelined, many-terminals; ports 25030-25033)
set -euo pipefail
OUT="$1"; A="$2"; B="$3"; SHAPE="${4:-pipelined}"; D="${5:-10}"; ROUNDS="${6:-2}"; CARDS="${7:-100000}"
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"; A="$(cd "$A" && pwd)"; B="$(cd "$B" && pwd)"
case "$SHAPE" in
  round-trip) ARGS="--terminals 1 --in-flight 1 --rate max" ;;
  pipelined) ARGS="--terminals 64 --in-flight 16 --rate max" ;;
  many-terminals) ARGS="--terminals 2000 --in-flight 1 --rate max" ;;
  *) echo "unknown shape $SHAPE"; exit 2 ;;
esac
TCK=$(getconf CLK_TCK)
start() { # name dir port mport
  local data; data="$(mktemp -d /tmp/e-ab-XXXXXX)"; echo "$data" >"$OUT/$1.data"
  (cd "$2" && exec ./tapswitch switch --demo --demo-cards "$CARDS" --port "$3" --metrics-port "$4" --data-dir "$data") >"$OUT/$1-switch.log" 2>&1 &
  echo $! >"$OUT/$1.pid"
}
jvm_pid() { local p; p=$(cat "$OUT/$1.pid"); pgrep -P "$p" java || echo "$p"; }
cpu_threads() { # pid -> "comm ticks" lines
  for t in /proc/$1/task/*; do
    read -r -a f <"$t/stat" 2>/dev/null || continue
    # comm may contain spaces: take utime/stime counted from the end of the ")" field
    local s; s=$(sed 's/^.*) //' "$t/stat"); set -- $s
    echo "$(tr ' ' '_' <"$t/comm" | sed 's/[0-9_-]*$//') $(( ${12} + ${13} ))"
  done
}
start A "$A" 25030 25031; start B "$B" 25032 25033
for n in A B; do for _ in $(seq 1 2400); do grep -q 'listening on' "$OUT/$n-switch.log" && break; sleep 0.5; done; done
cd "$B"
for port in 25030 25032; do ./tapswitch fleet --port $port --duration 5 --cards "$CARDS" --terminals 64 --in-flight 16 --rate max >/dev/null 2>&1; done
echo "| round | build | req/s | switch CPU µs/req | top threads µs/req | load |" >"$OUT/ab.md"
echo "|---|---|---:|---:|---|---|" >>"$OUT/ab.md"
for r in $(seq 1 "$ROUNDS"); do
  for n in A B; do
    port=25030; [ $n = B ] && port=25032
    pid=$(jvm_pid $n); load=$(cut -d' ' -f1-3 /proc/loadavg)
    cpu_threads "$pid" >"$OUT/$n-$r-before.cpu"
    ./tapswitch fleet --port $port --duration "$D" --cards "$CARDS" $ARGS --json "$OUT/$n-$r.json" >"$OUT/$n-$r.txt" 2>&1
    cpu_threads "$pid" >"$OUT/$n-$r-after.cpu"
    python3 - "$OUT" "$n" "$r" "$TCK" "$load" >>"$OUT/ab.md" <<'PY'
import json, sys, collections
out, n, r, tck, load = sys.argv[1:6]
res = json.load(open("%s/%s-%s.json" % (out, n, r)))
def read(f):
    d = collections.Counter()
    for line in open(f):
        k, v = line.rsplit(" ", 1); d[k] += int(v)
    return d
b, a = read("%s/%s-%s-before.cpu" % (out, n, r)), read("%s/%s-%s-after.cpu" % (out, n, r))
ans = res["answered"]; us = lambda ticks: ticks * 1e6 / int(tck) / max(1, ans)
per = {k: us(a[k] - b.get(k, 0)) for k in a}
total = sum(per.values())
top = ", ".join("%s %.2f" % (k, v) for k, v in sorted(per.items(), key=lambda kv: -kv[1])[:5] if v > 0)
print("| %s | %s | %.0f | %.2f | %s | %s |" % (r, n, res["answeredPerSecond"], total, top, load))
PY
  done
done
for n in A B; do kill "$(cat "$OUT/$n.pid")" 2>/dev/null || true; done
wait || true
for n in A B; do rm -rf "$(cat "$OUT/$n.data")"; done
cat "$OUT/ab.md"
