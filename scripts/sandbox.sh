#!/usr/bin/env bash
# The main job: for every scenario in examples/, a throw-away ovsdb-server with the OVN
# Northbound schema in a temp folder and ovn_cluster_router created as OVN-Kubernetes would;
# the scenario diffed, applied, diffed again (no change) and listed. Each scenario gets a
# fresh database, so none of them sees another's services. Then, on the worked example:
# explain, node-plan, and an explicit --prune removing a service that left the input; then
# examples/interconnect across three zones, one server each (`scripts/sandbox.sh zones`: only that).
# Every server is stopped through its pid file on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product ovn-egressctl
ctl=.build/debug/ovn-egressctl
top=$(mktemp -d /tmp/ovn-egress-sandbox.XXXXXX)
cleanup() {
  for pid in "$top"/*/pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
  rm -rf "$top"
}
trap cleanup EXIT

start_server() { # name: a server in $top/name with ovn_cluster_router, as OVN-Kubernetes leaves it
  local dir="$top/$1"
  mkdir -p "$dir"
  ovsdb-tool create "$dir/nb.db" schemas/ovn-nb.ovsschema
  ovsdb-server --detach --no-chdir --pidfile="$dir/pid" --unixctl="$dir/ctl" \
    --log-file="$dir/log" --remote="punix:$dir/nb.sock" "$dir/nb.db"
  ovn-nbctl --db="unix:$dir/nb.sock" lr-add ovn_cluster_router
}

fresh_database() { # name: starts a server in $top/name and points OVN_NB_DB at it
  start_server "$1"
  export OVN_NB_DB="unix:$top/$1/nb.sock"
  echo "== fresh sandbox ovsdb-server at $OVN_NB_DB"
}

# Interconnect: one Northbound database per zone, NB_Global.name set to the zone's name, as
# every zone's ovnkube-controller has it; examples/interconnect planned across them.
zones_sandbox() {
  echo
  echo "######## examples/interconnect: three zones, one ovsdb-server each"
  local dbs=()
  for zone in zone-a zone-b node-c; do
    start_server "ic-$zone"
    ovn-nbctl --db="unix:$top/ic-$zone/nb.sock" set NB_Global . name="$zone"
    dbs+=(--db "unix:$top/ic-$zone/nb.sock")
  done
  unset OVN_NB_DB
  # The cluster network: each zone's catch-all route covers it.
  dbs+=(--cluster-subnet 10.128.0.0/14)
  echo "== ovn-egressctl ${dbs[*]} apply -f examples/interconnect"
  $ctl "${dbs[@]}" apply -f examples/interconnect
  echo "== diff again   (exit 0: nothing to do in any zone)"
  $ctl "${dbs[@]}" diff -f examples/interconnect | grep -v '^  ' | grep -v 'no change$' || true
  echo "== ovn-nbctl lr-route-list in zone-b: the catch-all route via node-b1's gateway router"
  ovn-nbctl --db="unix:$top/ic-zone-b/nb.sock" lr-route-list ovn_cluster_router
  echo "== list --policies, one ZONE column"
  $ctl "${dbs[@]}" list --policies -f examples/interconnect
  echo "== explain 10.128.3.5: a pod on node-b1 (zone-b) of shop/web, whose host is node-a1 (zone-a)"
  $ctl "${dbs[@]}" explain 10.128.3.5 -f examples/interconnect | sed -n '/the packet across zones/,$p' 
}

if [ "${1:-}" = "zones" ]; then
  zones_sandbox
  exit 0
fi

for example in worked-example dual-stack many-services; do
  echo
  echo "######## examples/$example"
  fresh_database "$example"
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
echo "######## the worked example, once more"
fresh_database worked-again
$ctl apply -f examples/worked-example >/dev/null
echo "== ovn-egressctl explain 10.124.0.3 -f examples/worked-example"
$ctl explain 10.124.0.3 -f examples/worked-example
echo "== ovn-egressctl node-plan work002 -f examples/worked-example"
$ctl node-plan work002 -f examples/worked-example
echo "== ovn-nbctl lr-policy-list ovn_cluster_router (the reference peer), first lines"
ovn-nbctl lr-policy-list ovn_cluster_router | head -6
echo "== the EgressService leaves the input (only the nodes are given): apply keeps its rows,"
echo "   apply --prune removes them (pruning is never implicit)"
$ctl apply -f examples/worked-example/nodes.yaml | tail -3
$ctl apply -f examples/worked-example/nodes.yaml --prune | tail -3

zones_sandbox
