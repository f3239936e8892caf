#!/usr/bin/env bash
# The main job: a throw-away ovsdb-server with the OVN Northbound schema in a temp folder,
# the quickstart example run against it, and ovn-nbctl showing what it wrote. The server is
# stopped through its pid file on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product ovsdb-quickstart
dir=$(mktemp -d /tmp/ovn-egress-sandbox.XXXXXX)
cleanup() {
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
ovsdb-tool create "$dir/nb.db" schemas/ovn-nb.ovsschema
ovsdb-server --detach --no-chdir --pidfile="$dir/pid" --unixctl="$dir/ctl" \
  --log-file="$dir/log" --remote="punix:$dir/nb.sock" "$dir/nb.db"
db="unix:$dir/nb.sock"
echo "== sandbox ovsdb-server at $db"
.build/debug/ovsdb-quickstart "$db"
echo "== ovn-nbctl lr-policy-list ovn_cluster_router (the reference peer reads what we wrote)"
ovn-nbctl --db="$db" lr-policy-list ovn_cluster_router
echo "== running the example again writes nothing new"
.build/debug/ovsdb-quickstart "$db"
