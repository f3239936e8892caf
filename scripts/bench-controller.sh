#!/usr/bin/env bash
# The controller's latencies at 10,000 policies (1,000 services x 10 endpoints, one file per
# service, kubectl-style YAML): a 1% endpoint change and one pod's change from the first file
# renamed into place to the committed reply, and another writer's deletion of an owned policy
# to the committed repair; the figures also go to JSON when given. A fresh ovsdb-server in a
# temporary folder; release build.
#   scripts/bench-controller.sh [ENDPOINTS] [TRIALS] [JSON]
set -euo pipefail
cd "$(dirname "$0")/.."
endpoints=${1:-10000}
trials=${2:-11}
. scripts/controller-sandbox.sh
echo "$(date -u +%F) $(nproc) cores; $endpoints endpoints in $((endpoints / 10)) files of $(du -sh "$dir/manifests" | cut -f1) in all"
OVSDB_SERVER_PID=$(cat "$dir/pid") .build/release/egress-bench controller-latency unix:"$dir/nb.sock" "$dir/manifests" $((endpoints / 10)) "$trials" ${3:+"$3"}
