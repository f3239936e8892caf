#!/usr/bin/env bash
# The apply benchmark at the shape users have: 10 nodes, services of 10 endpoints each, one
# EndpointSlice per service, kubectl-style YAML (about 360 bytes per endpoint).
#   scripts/bench.sh [small|large|xl]      1,000 / 10,000 / 100,000 policies (default large);
#                                         BENCH_TRIALS=N for N interleaved trials (default 3)
#   scripts/bench.sh zones [small|large|xl]   the same endpoints over 10 interconnect zones
#                                             (one node each): all at once beside each alone
# ovn-egressctl (release build) beside ovn-nbctl, the python IDL (python3-openvswitch, run
# with /usr/bin/python3) and raw floors, interleaved, each writer on its own fresh
# ovsdb-server; every result verified (see scripts/bench.py); then the manifests' parse and the
# controller at the same size (scripts/bench-controller.sh). Prints the tables, writes the
# figures to docs/benchmarks/results/DATE-N.json and rewrites BENCHMARKS.md's table and the
# plots from the newest result of each size (scripts/bench-report.py). `zones` prints only.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=run
if [ "${1:-}" = zones ]; then mode=zones; shift; fi
size=${1:-large}
case $size in small) n=1000 ;; large) n=10000 ;; xl) n=100000 ;; *) echo "small, large or xl" >&2; exit 2 ;; esac
scripts/install-deps.sh
/usr/bin/python3 -c "import ovs.db.idl" 2>/dev/null || {
  [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-openvswitch >/dev/null; }
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
swift build -c release --product ovn-egressctl >/dev/null
swift build -c release --product egress-bench >/dev/null
work=$(mktemp -d /tmp/egress-bench.XXXXXX)
trap 'for p in "$work"/*/pid "$work"/*/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; rm -rf "$work"' EXIT
.build/release/egress-bench generate-kubectl "$n" "$work/cluster.yaml"
.build/release/egress-bench generate-kubectl "$n" "$work/cluster-moved.yaml" moved
if [ "$mode" = zones ]; then .build/release/egress-bench generate-kubectl "$n" "$work/zoned.yaml" zoned; fi
echo "$(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), manifests $(du -h "$work/cluster.yaml" | cut -f1)B; medians of ${BENCH_TRIALS:-3}"
if [ "$mode" = zones ]; then
  /usr/bin/python3 scripts/bench.py zones "$size" "$work" "$PWD/.build/release/ovn-egressctl"
  exit
fi
/usr/bin/python3 scripts/bench.py run "$size" "$work" "$PWD/.build/release/ovn-egressctl" "$work/apply.json"
.build/release/egress-bench parse "$work/cluster.yaml" "$work/parse.json"
scripts/bench-controller.sh "$n" 11 "$work/controller.json"
result=docs/benchmarks/results/$(date -u +%Y-%m-%dT%H%MZ)-$n.json
/usr/bin/python3 scripts/bench-report.py merge "$result" "$work/apply.json" "$work/parse.json" "$work/controller.json"
/usr/bin/python3 scripts/bench-report.py render
echo "figures in $result; BENCHMARKS.md's table and docs/benchmarks/*.svg rewritten from the newest result of each size"
