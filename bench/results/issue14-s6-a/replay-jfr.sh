#!/bin/bash
# One replay by effects of the issue-14 fixture (10 M cards, 20 M version 3 TAPs after the older snapshot) under JFR
# (sixth session, A; RestartProbe halts, so JfrWrap (/tmp/a-jfrwrap, JfrWrap.java beside this script) dumps the
# recording, 2 ms sampling, from a SecurityManager's checkExit):  replay-jfr.sh TREE OUT.jfr [FIX]   (FIX: a copy of replay-ab.sh's fixture dir, default /tmp/a-replay-fix)
set -euo pipefail
TREE=$(cd "$1" && pwd); JFR=$2; FIX=${3:-/tmp/a-replay-fix}
DATA=$FIX/tapswitch-bench-fixtures/demo-10000000-cards-20000000-taps/data
NEWEST=$(ls "$DATA/snapshots"/snapshot-*.bin | sort -V | tail -1)
mv "$NEWEST" "$NEWEST.hidden"; trap 'mv "$NEWEST.hidden" "$NEWEST"' EXIT
java -XX:+UseTransparentHugePages -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true \
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED -Xms8g -Xmx8g -XX:+UseParallelGC "-Djava.io.tmpdir=$FIX" \
  -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints ${EXTRA_JVM_FLAGS:-} \
  -Djava.security.manager=allow -cp "/tmp/a-jfrwrap:$TREE/bench/target/classes:$TREE/bench/target/lib/*" \
  JfrWrap "$JFR" io.tapswitch.bench.replay.RestartProbe restart "$DATA" 10000000 true
