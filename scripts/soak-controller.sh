#!/usr/bin/env bash
# The controller under churn at 10,000 policies for SECONDS (default 600): a 1% endpoint change
# every 200 ms and an owned policy deleted by another writer every second; prints the
# resident set every 30 s. A fresh ovsdb-server in a temporary folder; release build.
#   scripts/soak-controller.sh [SECONDS] [ENDPOINTS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
endpoints=${2:-10000}
. scripts/controller-sandbox.sh
echo "$(date -u +%F) $(nproc) cores; $endpoints endpoints in $((endpoints / 10)) files; $seconds s of churn"
.build/release/egress-bench controller-soak unix:"$dir/nb.sock" "$dir/manifests" $((endpoints / 10)) "$seconds"
