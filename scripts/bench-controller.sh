#!/usr/bin/env bash
# The controller's latencies at 10,000 policies (1,000 services x 10 endpoints, one file per
# service, kubectl-style YAML): a 1% endpoint change from the first file renamed into place to
# the committed reply, and another writer's deletion of an owned policy to the committed
# repair. A fresh ovsdb-server in a temporary folder; release build.
#   scripts/bench-controller.sh [ENDPOINTS] [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
endpoints=${1:-10000}
trials=${2:-11}
swift build -c release --product egress-bench >/dev/null
dir=$(mktemp -d /tmp/egress-controller-bench.XXXXXX)
cleanup() { [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
ovsdb-tool create "$dir/nb.db" /usr/share/ovn/ovn-nb.ovsschema
ovsdb-server --detach --no-chdir --pidfile="$dir/pid" --unixctl="$dir/ctl" --log-file="$dir/log" --remote=punix:"$dir/nb.sock" "$dir/nb.db"
ovn-nbctl --db=unix:"$dir/nb.sock" lr-add ovn_cluster_router
.build/release/egress-bench generate-kubectl-folder "$endpoints" "$dir/manifests"
echo "$(date -u +%F) $(nproc) cores; $endpoints endpoints in $((endpoints / 10)) files of $(du -sh "$dir/manifests" | cut -f1) in all"
.build/release/egress-bench controller-latency unix:"$dir/nb.sock" "$dir/manifests" $((endpoints / 10)) "$trials"
