#!/usr/bin/env bash
# The main job: a throw-away ovsdb-server with the OVN Northbound schema in a temp folder,
# ovn_cluster_router created as OVN-Kubernetes would, then every scenario in examples/
# shown with diff, applied, diffed again (no change), listed and explained. The server is
# stopped through its pid file on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product ovn-egressctl
ctl=.build/debug/ovn-egressctl
dir=$(mktemp -d /tmp/ovn-egress-sandbox.XXXXXX)
cleanup() {
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
ovsdb-tool create "$dir/nb.db" schemas/ovn-nb.ovsschema
ovsdb-server --detach --no-chdir --pidfile="$dir/pid" --unixctl="$dir/ctl" \
  --log-file="$dir/log" --remote="punix:$dir/nb.sock" "$dir/nb.db"
export OVN_NB_DB="unix:$dir/nb.sock"
ovn-nbctl lr-add ovn_cluster_router
echo "== sandbox ovsdb-server at $OVN_NB_DB"

for example in worked-example dual-stack many-services; do
  echo
  echo "######## examples/$example"
  echo "== ovn-egressctl diff -f examples/$example   (exit 1: differences)"
  set +e; $ctl diff -f "examples/$example" | head -20; set -e
  echo "== ovn-egressctl apply -f examples/$example"
  $ctl apply -f "examples/$example" | tail -3
  echo "== ovn-egressctl diff again   (exit 0: nothing to do)"
  $ctl diff -f "examples/$example" | tail -2
  echo "== ovn-egressctl list -f examples/$example"
  $ctl list -f "examples/$example" | head -8
done

echo
echo "== ovn-egressctl explain 10.124.0.3 -f examples/worked-example"
$ctl explain 10.124.0.3 -f examples/worked-example
echo "== ovn-egressctl node-plan work002 -f examples/worked-example"
$ctl node-plan work002 -f examples/worked-example
echo "== ovn-nbctl lr-policy-list ovn_cluster_router (the reference peer), first lines"
ovn-nbctl lr-policy-list ovn_cluster_router | head -6
