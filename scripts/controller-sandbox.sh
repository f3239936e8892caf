# Sourced by the controller benchmarks: a release build of egress-bench, a fresh ovsdb-server
# with the cluster router in a temporary folder ($dir, removed on exit), and the workload of
# $endpoints endpoints as one kubectl-style file per service in $dir/manifests.
swift build -c release --product egress-bench >/dev/null
dir=$(mktemp -d /tmp/egress-controller.XXXXXX)
cleanup() { [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
ovsdb-tool create "$dir/nb.db" /usr/share/ovn/ovn-nb.ovsschema
ovsdb-server --detach --no-chdir --pidfile="$dir/pid" --unixctl="$dir/ctl" --log-file="$dir/log" --remote=punix:"$dir/nb.sock" "$dir/nb.db"
ovn-nbctl --db=unix:"$dir/nb.sock" lr-add ovn_cluster_router
.build/release/egress-bench generate-kubectl-folder "$endpoints" "$dir/manifests"
