#!/usr/bin/env bash
# Manifest parsing and apply, next to the peers measured in the same run: ovn-nbctl adding the
# same 10,000 policies in one invocation, and the Python IDL (python3-openvswitch) in one
# transaction. Each writer gets its own fresh ovsdb-server with ovn_cluster_router.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
/usr/bin/python3 -c "import ovs.db.idl" 2>/dev/null || {
  [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-openvswitch >/dev/null; }
swift build -c release --product egress-bench >/dev/null
bench=.build/release/egress-bench
work=$(mktemp -d /tmp/egress-bench.XXXXXX)
servers=()
cleanup() {
  for d in "${servers[@]}"; do [ -f "$d/pid" ] && kill "$(cat "$d/pid")" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# Sets $db; not called in a subshell, so cleanup sees every server.
start_server() {
  local d="$work/$1"; mkdir -p "$d"
  ovsdb-tool create "$d/nb.db" schemas/ovn-nb.ovsschema
  ovsdb-server --detach --no-chdir --pidfile="$d/pid" --unixctl="$d/ctl" --log-file="$d/log" \
    --remote="punix:$d/nb.sock" "$d/nb.db"
  servers+=("$d")
  ovn-nbctl --db="unix:$d/nb.sock" lr-add ovn_cluster_router
  db="unix:$d/nb.sock"
}
now() { date +%s.%N; }

echo "== manifest parsing (median of 5), and libyaml's own event loop in C on the same file"
gcc -O2 -o "$work/yaml-events" scripts/yaml-events.c -lyaml
for n in 10000 100000; do
  $bench generate $n "$work/cluster-$n.yaml"
  $bench parse "$work/cluster-$n.yaml"
  "$work/yaml-events" "$work/cluster-$n.yaml"
  $bench parse "$work/cluster-$n.yaml.json"
done

echo "== writing 10,000 reroute policies (one transaction each)"
start_server ours
$bench apply "$db" "$work/cluster-10000.yaml"

start_server nbctl
/usr/bin/python3 - "$db" <<'PY'
import subprocess, sys, time
args = []
for i in range(10000):
    node = i % 10
    ip = "10.%d.%d.%d" % (128 + node, (i // 10) // 250, (i // 10) % 250 + 1)
    args += ["--", "lr-policy-add", "ovn_cluster_router", "101", "ip4.src == " + ip, "reroute", "10.%d.0.2" % (128 + (i // 1000) % 10)]
t0 = time.perf_counter()
subprocess.run(["ovn-nbctl", "--db=" + sys.argv[1]] + args[1:], check=True, stdout=subprocess.DEVNULL)
print("ovn-nbctl: 10000 lr-policy-add in one invocation (one transaction): %d ms" % ((time.perf_counter() - t0) * 1000))
PY

start_server idl
/usr/bin/python3 - "$db" <<'PY'
import sys, time
import ovs.db.idl, ovs.poller, ovs.db.types
remote = sys.argv[1]
helper = ovs.db.idl.SchemaHelper("schemas/ovn-nb.ovsschema")
helper.register_all()
idl = ovs.db.idl.Idl(remote, helper)
# Wait for the initial monitor contents, not just the connection.
while not idl.tables["Logical_Router"].rows:
    idl.run(); p = ovs.poller.Poller(); idl.wait(p); p.timer_wait(100); p.block()
router = next(iter(idl.tables["Logical_Router"].rows.values()))
t0 = time.perf_counter()
txn = ovs.db.idl.Transaction(idl)
policies = []
for i in range(10000):
    node = i % 10
    ip = "10.%d.%d.%d" % (128 + node, (i // 10) // 250, (i // 10) % 250 + 1)
    p = txn.insert(idl.tables["Logical_Router_Policy"])
    p.priority = 101; p.match = "ip4.src == " + ip; p.action = "reroute"
    p.nexthops = ["10.%d.0.2" % (128 + (i // 1000) % 10)]
    p.external_ids = {"EgressSVC": "bench/svc-%d" % (i // 1000)}
    policies.append(p)
router.policies = list(router.policies) + policies
status = txn.commit_block()
print("python IDL: 10000 policies in one transaction: %d ms (%s)" % ((time.perf_counter() - t0) * 1000, status))
PY
