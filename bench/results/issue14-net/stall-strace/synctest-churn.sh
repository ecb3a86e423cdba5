#!/bin/bash
# fdatasync tail into written vs fallocated (unwritten) blocks of a mapped file, while another process churns the
# filesystem's metadata (issue 14, engineer E). usage: synctest-churn.sh [ROUNDS]   (about 25 s per round)
D=$(cd "$(dirname "$0")" && pwd)
for i in $(seq 1 "${1:-2}"); do
  "$D/churn.sh" 12 & python3 "$D/synctest.py" written 10; wait
  "$D/churn.sh" 12 & python3 "$D/synctest.py" fallocate 10; wait
done
