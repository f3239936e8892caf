#!/usr/bin/env bash
# `ovn-egressctl run` (the release binary) under churn at ENDPOINTS policies (default 10,000)
# for SECONDS (default 600), in rounds: 10 services' files (100 endpoints) rewritten, then a
# 200 ms pause (a round takes longer when the controller is slow), and an owned policy deleted
# by another writer every 5th round; the controller's resident set and open
# descriptors are printed every 30 s (and written to JSON when given). A fresh ovsdb-server in
# a temporary folder.
#   scripts/soak-controller.sh [SECONDS] [ENDPOINTS] [JSON]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
endpoints=${2:-10000}
. scripts/controller-sandbox.sh
swift build -c release --product ovn-egressctl >/dev/null
echo "$(date -u +%F) $(nproc) cores; $endpoints endpoints in $((endpoints / 10)) files; $seconds s of churn"
.build/release/ovn-egressctl --db=unix:"$dir/nb.sock" run -f "$dir/manifests" 2>"$dir/run.log" &
controller=$!
stop_controller() { kill "$controller" 2>/dev/null || true; wait "$controller" 2>/dev/null || true; cleanup; }
trap stop_controller EXIT
# The first reconcile is done when the policies are in the database.
for _ in $(seq 600); do
  grep -q "reconcile" "$dir/run.log" 2>/dev/null && break
  sleep 0.1
done
.build/release/egress-bench controller-soak unix:"$dir/nb.sock" "$dir/manifests" $((endpoints / 10)) "$seconds" "$controller" ${3:+"$3"}
kill -TERM "$controller"
status=0
wait "$controller" || status=$?
echo "controller exit status $status; $(grep -c 'reconcile' "$dir/run.log") reconcile log lines, $(grep -ci 'error' "$dir/run.log" || true) errors"
