#!/usr/bin/env bash
# Profile the user's switch (./tapswitch switch --demo, defaults) under one shape of ./tapswitch fleet:
#   strace -f -c (syscalls per request, by kind), per-thread CPU from /proc (ticks per request), a JFR recording
#   (settings=profile) summarised per thread by ./tapswitch bench jfr.
# usage: bench/results/issue14-switch/profile.sh OUT_DIR SHAPE [DURATION_S]   SHAPE: round-trip | pipelined
# (from the repository root; ports 25020-25021; JOURNAL_SYNC=none for the journal-sync=none switch; every fleet runs
# with --warmup 0: the warm-up is the one pipelined run before, and strace and JFR cover the measured run only)
set -euo pipefail
OUT="${1:?out dir}"; SHAPE="${2:?shape}"; D="${3:-8}"
PORT=25020
mkdir -p "$OUT"
data="$(mktemp -d /tmp/e-prof-switch-XXXXXX)"
./tapswitch switch --demo --demo-terminals 2000 --port "$PORT" --metrics-port 25021 --data-dir "$data" \
  --set journal-sync="${JOURNAL_SYNC:-batch}" >"$OUT/switch.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -q 'listening on' "$OUT/switch.log" && break; sleep 0.5; done
case "$SHAPE" in
  round-trip) args=(--terminals 1 --in-flight 1 --rate max) ;;
  pipelined) args=(--terminals 64 --in-flight 16 --rate max) ;;
  *) echo "shape?" >&2; exit 2 ;;
esac
./tapswitch fleet --port "$PORT" --warmup 0 --duration 5 --terminals 64 --in-flight 16 --rate max >"$OUT/warmup.txt" 2>&1
threads() { for t in /proc/"$pid"/task/*; do printf '%s/%s\t%s\n' "$(cat "$t"/comm)" "${t##*/}" "$(sed 's/.*) //' "$t"/stat | awk '{print $12+$13}')"; done | sort; }
run_fleet() { ./tapswitch fleet --port "$PORT" --warmup 0 --duration "$D" "${args[@]}" --json "$OUT/$1.json" >"$OUT/$1.txt" 2>&1; }
# 1) per-thread CPU ticks (1/100 s) over a plain run
echo "plain: $(uptime)" >"$OUT/load.txt"
threads >"$OUT/threads-before.tsv"
run_fleet plain
threads >"$OUT/threads-after.tsv"
# 2) syscalls under strace (slows the switch: counts per request, not speed)
echo "strace: $(uptime)" >>"$OUT/load.txt"
strace -f -c -p "$pid" -o "$OUT/strace-c.txt" &
spid=$!
sleep 1
run_fleet strace
kill -INT "$spid"; wait "$spid" || true
# 3) JFR
echo "jfr: $(uptime)" >>"$OUT/load.txt"
jcmd "$pid" JFR.start name=p settings=profile filename="$PWD/$OUT/switch.jfr" >/dev/null
run_fleet jfr
jcmd "$pid" JFR.stop name=p >/dev/null
kill "$pid"; wait "$pid" || true
rm -rf "$data"
python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
def load(n):
    return dict(l.rstrip("\n").split("\t") for l in open(os.path.join(out, n)))
b, a = load("threads-before.tsv"), load("threads-after.tsv")
plain = json.load(open(os.path.join(out, "plain.json")))
n = plain["answered"]
print("plain run: %d answered, %.0f req/s" % (n, plain["answeredPerSecond"]))
print("| thread | CPU ms | CPU us per request |")
print("|---|---:|---:|")
tot = 0
for k in sorted(a, key=lambda k: -(int(a[k]) - int(b.get(k, 0)))):
    d = (int(a[k]) - int(b.get(k, 0))) * 10
    tot += d
    if d > 0:
        print("| %s | %d | %.2f |" % (k, d, d * 1000.0 / n))
print("| all | %d | %.2f |" % (tot, tot * 1000.0 / n))
s = json.load(open(os.path.join(out, "strace.json")))
print("strace run: %d answered" % s["answered"])
PY
