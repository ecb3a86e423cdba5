#!/usr/bin/env bash
# The user's switch against bench load, as ratios to a bare server measured beside each (issue 14; a noisy machine
# moves absolute figures between two runs, much less a ratio to a limit measured in the same minute):
#   A) the user's path: ./tapswitch switch --demo --demo-terminals 10000 (as bench load since fleet-10k; every setting and JVM option at its
#      default) and ./tapswitch bare (the do-nothing server, started by the launcher with the same JVM defaults),
#      each driven by ./tapswitch fleet in the five shapes at its defaults (so each fleet JVM warms itself up for
#      --warmup 5 s at full speed before its measured seconds, as bench load's in-process fleet is warm), alternating
#      bare / switch per shape, after a 5 s pipelined warm-up of each server (as bench load warms its servers);
#   B) ./tapswitch bench load --only bare,switch over the same shapes;
# repeated ROUNDS times (A B A B ...), then per shape: switch / bare of A, of B, and (A ratio) / (B ratio).
# usage: bench/results/issue14-switch/agree.sh OUT_DIR [DURATION_S] [ROUNDS]   (repository root; ports 25010-25012)
set -euo pipefail
OUT="${1:?out dir}"
D="${2:-10}"
ROUNDS="${3:-1}"
PORT=25010
BARE_PORT=25012
mkdir -p "$OUT"
wait_line() { for _ in $(seq 1 1200); do grep -q 'listening on' "$1" && return 0; sleep 0.5; done; return 1; }
shape_args() {
  case "$1" in
    round-trip) echo "--terminals 1 --in-flight 1 --rate max" ;;
    pipelined) echo "--terminals 64 --in-flight 16 --rate max" ;;
    many-terminals) echo "--terminals 2000 --in-flight 1 --rate max" ;;
    fixed-rate) echo "--terminals 2000 --rate 10000" ;;
    fleet-10k) echo "--terminals 10000 --rate 5000" ;;
  esac
}
user_round() {
  local dir="$1" data
  mkdir -p "$dir"
  data="$(mktemp -d /tmp/e-user-switch-XXXXXX)"
  ./tapswitch switch --demo --demo-terminals 10000 --port "$PORT" --metrics-port 25011 --data-dir "$data" \
    >"$dir/user-switch.log" 2>&1 &
  local spid=$!
  ./tapswitch bare "$BARE_PORT" 1 >"$dir/user-bare.log" 2>&1 &
  local bpid=$!
  wait_line "$dir/user-switch.log"; wait_line "$dir/user-bare.log"
  tr '\0' ' ' </proc/"$spid"/cmdline >"$dir/user-switch-cmdline.txt"
  for p in "$BARE_PORT" "$PORT"; do
    ./tapswitch fleet --port "$p" --duration 5 --warmup 0 --terminals 64 --in-flight 16 --rate max >"$dir/warmup-$p.txt" 2>&1
  done
  for shape in round-trip pipelined many-terminals fixed-rate fleet-10k; do
    for server in bare switch; do
      local p="$PORT"; [ "$server" = bare ] && p="$BARE_PORT"
      echo "$shape $server: $(uptime)" >>"$dir/load.txt"
      # shellcheck disable=SC2046
      ./tapswitch fleet --port "$p" --duration "$D" $(shape_args "$shape") --json "$dir/$server-$shape.json" \
        >"$dir/$server-$shape.txt" 2>&1
    done
  done
  kill "$spid" "$bpid"; wait "$spid" "$bpid" || true
  rm -rf "$data"
}
for r in $(seq 1 "$ROUNDS"); do
  user_round "$OUT/user-$r"
  ./tapswitch bench load --only bare,switch --duration "$D" --out "$OUT/bench-$r" >"$OUT/bench-$r-stdout.txt" 2>&1
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import json, sys, os
out, rounds = sys.argv[1], int(sys.argv[2])
print("| round | shape | user: switch req/s / bare req/s | bench load: switch / bare | user ratio / bench ratio | switch req/s user / bench | switch p99 ms user / bench | switch p99.9 ms user / bench |")
print("|---|---|---|---|---:|---:|---|---|")
for r in range(1, rounds + 1):
    bench = {s["shape"]: s for s in json.load(open(os.path.join(out, "bench-%d" % r, "load.json")))["shapes"]}
    for shape in ["round-trip", "pipelined", "many-terminals", "fixed-rate", "fleet-10k"]:
        if shape not in bench:
            continue
        u = {k: json.load(open(os.path.join(out, "user-%d" % r, "%s-%s.json" % (k, shape)))) for k in ("bare", "switch")}
        us, ub = u["switch"]["answeredPerSecond"], u["bare"]["answeredPerSecond"]
        bs, bb = bench[shape]["switch"]["requestsPerSecond"], bench[shape]["bare"]["requestsPerSecond"]
        up99, up999 = u["switch"]["latencyMs"]["p99"], u["switch"]["latencyMs"]["p999"]
        bp99, bp999 = bench[shape]["switch"]["p99Us"] / 1000.0, bench[shape]["switch"]["p999Us"] / 1000.0
        print("| %d | %s | %.0f / %.0f = %.3f | %.0f / %.0f = %.3f | %.2f | %.2f | %.2f / %.2f = %.2f | %.2f / %.2f = %.2f |" % (
            r, shape, us, ub, us / ub, bs, bb, bs / bb, (us / ub) / (bs / bb), us / bs,
            up99, bp99, up99 / bp99, up999, bp999, up999 / bp999))
PY
