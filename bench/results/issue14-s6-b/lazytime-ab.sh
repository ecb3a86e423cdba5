#!/bin/bash
# The journal's write faults with and without lazytime (issue 14, sixth session, B): a 3 GiB ext4 image, loop-mounted
# (root), the switch's data directory on it; fault-probe.sh (2,000 terminals at 10,000 taps/s, perf on the engine
# thread) with the filesystem mounted relatime (the default), then remounted lazytime, ROUNDS times.
#   bench/results/issue14-s6-b/lazytime-ab.sh OUT TREE [ROUNDS] [CARDS] [DURATION]
set -euo pipefail
mkdir -p "$1"; OUT=$(cd "$1" && pwd); TREE=$(cd "$2" && pwd); ROUNDS=${3:-1}; CARDS=${4:-100000}; DUR=${5:-15}
HERE=$(cd "$(dirname "$0")" && pwd)
img=$(mktemp /tmp/b-ext4-XXXXXX.img); mnt=$(mktemp -d /tmp/b-mnt-XXXXXX)
truncate -s 3G "$img"; mkfs.ext4 -q -F "$img"
dev=$(losetup --find --show "$img")
cleanup() { umount "$mnt" 2>/dev/null || true; losetup -d "$dev" 2>/dev/null || true; rm -f "$img"; rmdir "$mnt" 2>/dev/null || true; }
trap cleanup EXIT
mount -o relatime "$dev" "$mnt"
for r in $(seq 1 "$ROUNDS"); do
  for opt in relatime lazytime; do
    if [ "$opt" = lazytime ]; then mount -o remount,lazytime "$dev" "$mnt"; else mount -o remount,nolazytime "$dev" "$mnt"; fi
    echo "== $opt-$r: $(findmnt -no OPTIONS "$mnt")" | tee -a "$OUT/summary.txt"
    DATA_ROOT=$mnt "$HERE/fault-probe.sh" "$OUT/$opt-$r" "$TREE" "$CARDS" "$DUR" batch > /dev/null 2>&1 || true
    grep -E "^minor|^samples|^latency|^engine thread" "$OUT/$opt-$r/probe.txt" | tee -a "$OUT/summary.txt"
  done
done
