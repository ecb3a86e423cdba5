#!/bin/bash
# metadata churn on the same filesystem: create, fsync and delete 4 MiB files (frees -> discard at commit)
mkdir -p ${CHURN_DIR:-/tmp/e-churn}; end=$((SECONDS+$1))
while [ $SECONDS -lt $end ]; do for i in 1 2 3 4 5 6 7 8; do dd if=/dev/zero of=${CHURN_DIR:-/tmp/e-churn}/f$i bs=1M count=4 conv=fsync status=none; done; rm -f ${CHURN_DIR:-/tmp/e-churn}/f*; done
