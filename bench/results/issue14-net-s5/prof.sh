#!/usr/bin/env bash
# The user's switch (./tapswitch switch --demo, defaults + JAVA_OPTS) under one shape of ./tapswitch fleet, after a
# 5 s pipelined warm-up: per-thread CPU from /proc over a plain run, then system calls per request under strace -c.
# usage: prof.sh OUT SHAPE [DURATION_S] [CARDS]   SHAPE: round-trip | pipelined | fixed-rate (2000 terminals at
# 10,000 taps/s); JOURNAL_SYNC=none for journal-sync=none; STRACE=0 skips the strace run; JFR=1 adds a JFR run (summary in jfr-summary.md). Ports 25030-25031.
set -euo pipefail
OUT="${1:?out dir}"; SHAPE="${2:?shape}"; D="${3:-10}"; CARDS="${4:-100000}"
PORT=25030
mkdir -p "$OUT"; cd "$(git rev-parse --show-toplevel)"
data="$(mktemp -d /tmp/e-prof-s5-XXXXXX)"
./tapswitch switch --demo --demo-cards "$CARDS" --demo-terminals 2000 --port "$PORT" --metrics-port 25031 \
  --data-dir "$data" --set journal-sync="${JOURNAL_SYNC:-batch}" >"$OUT/switch.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -q 'listening on' "$OUT/switch.log" && break; sleep 0.5; done
case "$SHAPE" in
  round-trip) args=(--terminals 1 --in-flight 1 --rate max) ;;
  pipelined) args=(--terminals 64 --in-flight 16 --rate max) ;;
  fixed-rate) args=(--terminals 2000 --in-flight 1 --rate 10000) ;;
  *) echo "shape?" >&2; exit 2 ;;
esac
./tapswitch fleet --port "$PORT" --warmup 0 --duration 5 --terminals 64 --in-flight 16 --rate max --cards "$CARDS" >"$OUT/warmup.txt" 2>&1
threads() { for t in /proc/"$pid"/task/*; do printf '%s/%s\t%s\n' "$(cat "$t"/comm)" "${t##*/}" "$(sed 's/.*) //' "$t"/stat | awk '{print $12+$13}')"; done | sort; }
# minor page faults per thread (field 10 of stat): a write to a journal page cleaned by a sync faults again
faults() { for t in /proc/"$pid"/task/*; do printf '%s/%s\t%s\n' "$(cat "$t"/comm)" "${t##*/}" "$(sed 's/.*) //' "$t"/stat | awk '{print $8}')"; done | sort; }
run_fleet() { ./tapswitch fleet --port "$PORT" --warmup 0 --duration "$D" "${args[@]}" --cards "$CARDS" --json "$OUT/$1.json" >"$OUT/$1.txt" 2>&1; }
echo "plain: $(cat /proc/loadavg)" >"$OUT/load.txt"
threads >"$OUT/threads-before.tsv"; faults >"$OUT/faults-before.tsv"
run_fleet plain
threads >"$OUT/threads-after.tsv"; faults >"$OUT/faults-after.tsv"
if [ "${STRACE:-1}" = 1 ]; then
  echo "strace: $(cat /proc/loadavg)" >>"$OUT/load.txt"
  strace -f -c -p "$pid" -o "$OUT/strace-c.txt" &
  spid=$!
  sleep 1
  run_fleet strace
  kill -INT "$spid"; wait "$spid" || true
fi
if [ "${JFR:-0}" = 1 ]; then
  echo "jfr: $(cat /proc/loadavg)" >>"$OUT/load.txt"
  jcmd "$pid" JFR.start name=p settings=profile filename="$PWD/$OUT/switch.jfr" >/dev/null
  run_fleet jfr
  jcmd "$pid" JFR.stop name=p >/dev/null
fi
kill "$pid"; wait "$pid" || true
rm -rf "$data"
if [ "${JFR:-0}" = 1 ]; then
  ./tapswitch bench jfr "$OUT/switch.jfr" --requests "$(python3 -c "import json;print(json.load(open('$OUT/jfr.json'))['answered'])")" >"$OUT/jfr-summary.md" 2>&1 || true
fi
python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import json, sys, os, re
out = sys.argv[1]
def load(n):
    return dict(l.rstrip("\n").split("\t") for l in open(os.path.join(out, n)))
b, a = load("threads-before.tsv"), load("threads-after.tsv")
plain = json.load(open(os.path.join(out, "plain.json")))
n = plain["answered"]
print("plain run: %d answered, %.0f req/s (%s)" % (n, plain["answeredPerSecond"], open(os.path.join(out, "load.txt")).readline().strip()))
groups = {}
for k in a:
    d = (int(a[k]) - int(b.get(k, 0))) * 10
    name = re.sub(r"[-#]?\d+$", "", k.split("/")[0])
    groups[name] = groups.get(name, 0) + d
print("| thread | CPU ms | CPU us per request |")
print("|---|---:|---:|")
tot = 0
for k in sorted(groups, key=lambda k: -groups[k]):
    d = groups[k]; tot += d
    if d > 0:
        print("| %s | %d | %.3f |" % (k, d, d * 1000.0 / n))
print("| all | %d | %.3f |" % (tot, tot * 1000.0 / n))
fb, fa = load("faults-before.tsv"), load("faults-after.tsv")
fg = {}
for k in fa:
    name = re.sub(r"[-#]?\d+$", "", k.split("/")[0])
    fg[name] = fg.get(name, 0) + int(fa[k]) - int(fb.get(k, 0))
print("\nminor page faults per request: " + ", ".join("%s %.3f" % (k, fg[k] / n) for k in sorted(fg, key=lambda k: -fg[k]) if fg[k] > 0))
sc = os.path.join(out, "strace-c.txt")
if os.path.exists(sc):
    st = json.load(open(os.path.join(out, "strace.json")))
    m = st["answered"]
    print("\nstrace run: %d answered; calls per answered request:" % m)
    for line in open(sc):
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] not in ("total",):
            calls = int(f[3]); 
            if calls * 100 >= m: print("  %-16s %.2f" % (f[-1], calls / m))
PY
