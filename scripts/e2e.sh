#!/usr/bin/env bash
# End to end on a real OVN data path (userspace datapath, network namespaces; no kernel
# module, no Kubernetes): NB and SB servers, ovn-northd, ovs-vswitchd with a netdev br-int,
# ovn-controller; namespaces for a pod, two nodes (management port ovn-k8s-mp0 and an uplink)
# and an external HTTP server that logs each client's address. ovn-egressctl writes every
# egress row (apply) and every node rule (run --node, one node agent per node namespace);
# the harness only builds the base topology that ovnkube would, and MetalLB's route to the
# load balancer IP. Each scenario is checked on packets: the source address the server saw.
# The last scenario moves the pod and the nodes onto two interconnect zones (NB, SB, northd,
# ovn-ic and a chassis each, the chassis in namespaces of their own, geneve between them).
#   scripts/e2e.sh [--keep]      needs root; prints one line per scenario and the total time
# Set-up facts and pitfalls: ../shared/datapath-notes.md (tx offload off on every namespace
# end, unique veth ifindexes, ovn-controller without --unixctl).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ "$(id -u)" -eq 0 ] || { echo "e2e: needs root (network namespaces, netfilter)" >&2; exit 2; }
for p in ovn-host ovn-ic ovn-ic-db ethtool; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
ctl=${OVN_EGRESSCTL:-$root/.build/debug/ovn-egressctl}
[ -x "$ctl" ] || swift build --product ovn-egressctl >/dev/null
started=$(date +%s.%N)

D=$(mktemp -d /tmp/egress-e2e.XXXXXX)
export OVS_RUNDIR=$D OVS_LOGDIR=$D OVS_DBDIR=$D OVN_RUNDIR=$D OVN_LOGDIR=$D OVN_DBDIR=$D
nss=(e2e-pod1 e2e-pod2 e2e-host1 e2e-host2 e2e-ext e2e-z1 e2e-z2)
agents=()           # every background process: servers, controller
declare -A agent    # node number -> its node agent's pid
teardown() {
  for p in "${agents[@]}" "${agent[@]}"; do kill "$p" 2>/dev/null || true; done
  for c in "$D"/vswitchd.ctl "$D"/*/vswitchd.ctl; do [ -S "$c" ] && ovs-appctl -t "$c" exit --cleanup 2>/dev/null || true; done
  for pid in "$D"/*.pid "$D"/*/*.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
  for ns in "${nss[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  for l in e2e-pod1-o e2e-pod2-o e2e-mp1-o e2e-mp2-o; do ip link del "$l" 2>/dev/null || true; done
  [ "${KEEP:-}" = 1 ] || rm -rf "$D"
}
trap teardown EXIT
[ "${1:-}" = --keep ] && KEEP=1
nb="unix:$D/nb.sock"
nbctl() { ovn-nbctl --db="$nb" "$@"; }

# ---- daemons
# start_db NAME SCHEMA DIR: an ovsdb-server for DIR/NAME.db, on DIR/NAME.sock.
start_db() {
  ovsdb-tool create "$3/$1.db" "$2"
  ovsdb-server --detach --no-chdir -vconsole:off --pidfile="$3/$1.pid" --log-file="$3/$1.log" \
    --unixctl="$3/$1.ctl" --remote="punix:$3/$1.sock" "$3/$1.db"
}
# start_central DIR: a zone's NB and SB, and ovn-northd between them.
start_central() {
  start_db nb /usr/share/ovn/ovn-nb.ovsschema "$1"
  start_db sb /usr/share/ovn/ovn-sb.ovsschema "$1"
  ovn-northd --detach --no-chdir -vconsole:off --pidfile="$1/northd.pid" --log-file="$1/northd.log" \
    --unixctl="$1/northd.ctl" --ovnnb-db="unix:$1/nb.sock" --ovnsb-db="unix:$1/sb.sock"
}
# start_chassis DIR SYSTEM-ID ENCAP-IP [NETNS [EXTERNAL-IDS...]]: the Open_vSwitch database,
# ovs-vswitchd with a netdev br-int and ovn-controller, in NETNS when given (each chassis of
# the zones scenario lives in its own namespace: two userspace datapaths cannot share one).
start_chassis() {
  local dir=$1 id=$2 ip=$3 ns=${4:-}; shift 3; shift $(( $# > 0 ? 1 : 0 ))
  local in=(env OVS_RUNDIR="$dir" OVS_LOGDIR="$dir" OVN_RUNDIR="$dir" OVN_LOGDIR="$dir")
  [ -n "$ns" ] && in=(ip netns exec "$ns" "${in[@]}")
  start_db conf /usr/share/openvswitch/vswitch.ovsschema "$dir"
  ovs-vsctl --db="unix:$dir/conf.sock" --no-wait init
  "${in[@]}" ovs-vswitchd --detach --no-chdir -vconsole:off --pidfile="$dir/vswitchd.pid" --log-file="$dir/vswitchd.log" \
    --unixctl="$dir/vswitchd.ctl" "unix:$dir/conf.sock"
  ovs-vsctl --db="unix:$dir/conf.sock" add-br br-int -- set bridge br-int datapath_type=netdev fail-mode=secure other-config:disable-in-band=true
  ovs-vsctl --db="unix:$dir/conf.sock" set open . external_ids:system-id="$id" external_ids:ovn-remote="unix:$dir/sb.sock" \
    external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip="$ip" external_ids:ovn-bridge-datapath-type=netdev "$@"
  "${in[@]}" ovn-controller --detach --no-chdir -vconsole:off --pidfile="$dir/controller.pid" --log-file="$dir/controller.log" "unix:$dir/conf.sock"
}
start_central "$D"
# One chassis: no tunnels, so geneve and 127.0.0.1 only satisfy the chassis record.
start_chassis "$D" chassis-1 127.0.0.1
vsctl() { ovs-vsctl --db="unix:$D/conf.sock" "$@"; }

# ---- the base topology ovnkube would write: router, one switch per node, mp0 ports, the pod
nbctl lr-add ovn_cluster_router
for n in 1 2; do
  x=$(( n == 1 ? 0 : 2 )); sw=work00$n
  nbctl ls-add "$sw" \
    -- lrp-add ovn_cluster_router "rtos-$sw" "0a:58:0a:7c:0$x:01" "10.124.$x.1/24" \
    -- lsp-add "$sw" "stor-$sw" -- lsp-set-type "stor-$sw" router -- lsp-set-addresses "stor-$sw" router \
    -- lsp-set-options "stor-$sw" "router-port=rtos-$sw" \
    -- lsp-add "$sw" "k8s-$sw" -- lsp-set-addresses "k8s-$sw" "0a:58:0a:7c:0$x:02 10.124.$x.2"
  nbctl --policy=src-ip lr-route-add ovn_cluster_router "10.124.$x.0/24" "10.124.$x.2"
done
nbctl lsp-add work001 pod1 -- lsp-set-addresses pod1 "0a:58:0a:7c:00:03 10.124.0.3"
# A second pod, on work002, for pod-to-pod traffic (it belongs to no EgressService).
nbctl lsp-add work002 pod2 -- lsp-set-addresses pod2 "0a:58:0a:7c:02:03 10.124.2.3"

for ns in "${nss[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
# attach OVS-END NS NS-END LSP MAC IP/LEN [ZONE INDEX]: a veth from br-int into a namespace,
# bound to an LSP. With ZONE, zone ZONE's br-int (its OVS end in e2e-zZONE), the pair's
# ifindexes INDEX and INDEX+1.
attach() {
  local db=$D/conf.sock ovs=() link=() peer=()
  if [ $# -gt 6 ]; then
    db=$D/z$7/conf.sock ovs=(ip netns exec "e2e-z$7") link=(index "$8" netns "e2e-z$7") peer=(index "$(( $8 + 1 ))")
  fi
  ip link add "$1" "${link[@]}" type veth peer name "$3" "${peer[@]}" netns "$2"
  ip -n "$2" link set "$3" address "$5"
  ip -n "$2" addr add "$6" dev "$3"
  ip -n "$2" link set "$3" up
  "${ovs[@]}" ip link set "$1" up
  ip netns exec "$2" ethtool -K "$3" tx off >/dev/null
  "${ovs[@]}" ethtool -K "$1" tx off >/dev/null 2>&1 || true
  ovs-vsctl --db="unix:$db" add-port br-int "$1" -- set interface "$1" "external_ids:iface-id=$4"
}
attach e2e-pod1-o e2e-pod1 eth0 pod1 0a:58:0a:7c:00:03 10.124.0.3/24
ip -n e2e-pod1 route add default via 10.124.0.1
attach e2e-pod2-o e2e-pod2 eth0 pod2 0a:58:0a:7c:02:03 10.124.2.3/24
ip -n e2e-pod2 route add default via 10.124.2.1
attach e2e-mp1-o e2e-host1 ovn-k8s-mp0 k8s-work001 0a:58:0a:7c:00:02 10.124.0.2/24
attach e2e-mp2-o e2e-host2 ovn-k8s-mp0 k8s-work002 0a:58:0a:7c:02:02 10.124.2.2/24
ip -n e2e-host1 route add 10.124.0.0/16 via 10.124.0.1
ip -n e2e-host2 route add 10.124.0.0/16 via 10.124.2.1
# The external network: a bridge in e2e-ext, each node's uplink on it (unique ifindexes).
ip -n e2e-ext link add br0 type bridge
ip -n e2e-ext addr add 192.168.122.1/24 dev br0
ip -n e2e-ext link set br0 up
for n in 1 2; do
  ip link add "e2e-ext$n" index $((50 + n)) netns "e2e-host$n" type veth peer name "h$n" index $((60 + n)) netns e2e-ext
  ip -n e2e-ext link set "h$n" master br0 up
  ip -n "e2e-host$n" addr add "192.168.122.10$n/24" dev "e2e-ext$n"
  ip -n "e2e-host$n" link set "e2e-ext$n" up
  ip -n "e2e-host$n" route add default via 192.168.122.1
  ip netns exec "e2e-host$n" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  # The node's own SNAT for pod traffic, as on any node.
  ip netns exec "e2e-host$n" iptables -t nat -A POSTROUTING -s 10.124.0.0/16 -o "e2e-ext$n" -j MASQUERADE
done
ip -n e2e-ext addr add 10.2.20.7/32 dev lo
ip netns exec e2e-ext python3 -u -m http.server --bind 10.2.20.7 8080 >"$D/http.log" 2>&1 &
agents+=($!)
# A second server that answers each request with the address it came from (for the failover).
ip netns exec e2e-ext python3 -c '
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.client_address[0].encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("10.2.20.7", 8081), H).serve_forever()' >"$D/echo.log" 2>&1 &
agents+=($!)

# serve_logged NS ADDRESS PORT LOG: an HTTP server that logs each request as http.server
# does. (HTTPServer's bind looks its own name up in DNS, which these namespaces cannot reach:
# seconds before it listens. Bound without that.)
serve_logged() {
  ip netns exec "$1" python3 -u -c '
import http.server, socketserver, sys
class Server(http.server.HTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self); self.server_name, self.server_port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
Server((sys.argv[1], int(sys.argv[2])), H).serve_forever()' "$2" "$3" >"$4" 2>&1 &
  agents+=($!)
}
# On work002's own node IP, for the pod-to-node traffic the 102 policy keeps local; on pod2.
serve_logged e2e-host2 192.168.122.102 8082 "$D/node2.log"
serve_logged e2e-pod2 10.124.2.3 8084 "$D/pod2.log"

nbctl --timeout=30 wait-until logical_switch_port pod1 up=true
nbctl --timeout=30 wait-until logical_switch_port pod2 up=true
nbctl --timeout=30 wait-until logical_switch_port k8s-work001 up=true
nbctl --timeout=30 wait-until logical_switch_port k8s-work002 up=true
nbctl --wait=hv sync
# wait_listening NS ADDRESS:PORT: until a server in NS listens there (at most 5 s).
wait_listening() { for _ in $(seq 250); do ip netns exec "$1" ss -ltn | grep -qF "$2" && break; sleep 0.02; done; }
wait_listening e2e-ext 10.2.20.7:8080
wait_listening e2e-host2 192.168.122.102:8082
wait_listening e2e-pod2 10.124.2.3:8084

# ---- the manifests: the worked example, in a folder the agents watch
M=$D/manifests
mkdir -p "$M"
cp examples/worked-example/nodes.yaml examples/worked-example/service.yaml "$M/"
for n in 1 2; do
  ip netns exec "e2e-host$n" "$ctl" run --node "work00$n" -f "$M" >"$D/agent$n.log" 2>&1 &
  agent[$n]=$!
done

# The source address the server saw for one request from the pod (empty: the request failed);
# seen_at ADDRESS:PORT LOG for another server.
seen() { seen_at 10.2.20.7:8080 "$D/http.log"; }
seen_at() {
  local before
  before=$(wc -l <"$2")
  ip netns exec e2e-pod1 curl -g -s -o /dev/null -m 3 "http://$1/" || true
  for _ in $(seq 50); do [ "$(wc -l <"$2")" -gt "$before" ] && break; sleep 0.01; done
  tail -n +"$((before + 1))" "$2" | awk '/"GET/ {print $1}' | tail -1
}
# MetalLB's part: the load balancer IP routed to the host node's uplink.
lb_route_to() { ip -n e2e-ext route replace 172.18.255.200/32 via "192.168.122.10$1"; }
# Rewrites a manifest the way tools do: written aside, renamed into place.
rewrite() { sed "$2" "$M/$1" >"$M/.$1.tmp" && mv "$M/.$1.tmp" "$M/$1"; }
# Whether node N SNATs the pod, in the form its agents write ($output).
output=iptables
has_snat() {
  if [ "$output" = iptables ]; then
    ip netns exec "e2e-host$1" iptables -t nat -S OVN-KUBE-EGRESS-SVC 2>/dev/null | grep -q "10.124.0.3/32"
  else
    ip netns exec "e2e-host$1" nft list map inet ovn-kubernetes egress-service-snat-v4 2>/dev/null | grep -q "10.124.0.3 : 172.18.255.200"
  fi
}
# Waits until node N's rules hold (present) or no longer hold (absent) the pod's SNAT.
wait_snat() {
  for _ in $(seq 100); do
    if has_snat "$1"; then [ "$2" = present ] && return 0; else [ "$2" = absent ] && return 0; fi
    sleep 0.05
  done
  echo "node $1: SNAT not $2" >&2; return 1
}
# Waits until the controller has written the pod's reroute to NEXTHOP.
wait_nexthop() {
  for _ in $(seq 100); do [ "$(nbctl --bare --columns=nexthops find Logical_Router_Policy priority=101)" = "$1" ] && return 0; sleep 0.05; done
  echo "the reroute never went to $1" >&2; return 1
}
failed=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then printf 'ok    %-70s saw %s\n' "$1" "$3"; else printf 'FAIL  %-70s saw %s, expected %s\n' "$1" "${3:-nothing}" "$2"; failed=1; fi
}

# 1. before the EgressService's rows: the node's own address
check "before: pod on work001 leaves as work001" 192.168.122.101 "$(seen)"

# 2. apply: the reroute to work002's mp0, work002's agent SNATs to the LB IP
lb_route_to 2
"$ctl" --db="$nb" apply -f "$M" >/dev/null
nbctl --wait=hv sync
wait_snat 2 present
check "apply: host work002, the server sees the load balancer IP" 172.18.255.200 "$(seen)"

# 2b. pod-to-node traffic is not rerouted: the 102 policy the tool writes names, besides its
#     served-pods set, two sets that ovnkube owns (EgressIP's served pods, the node IPs). Without
#     them the match cannot be compiled, so the 101 reroute takes the pod's traffic to work002's
#     own IP to work002's mp0 (the node sees the pod's address); once they exist, as ovnkube
#     writes them, the 102 allows it and it takes the pod's own route, leaving through work001.
check "control: without ovnkube's node-ips set, traffic to work002's IP is rerouted" 10.124.0.3 "$(seen_at 192.168.122.102:8082 "$D/node2.log")"
match=$(nbctl --bare --columns=match find Logical_Router_Policy priority=102)
read -r egressip_pods node_ips < <(sed -E 's/.*ip4.src == \$(a[0-9]+) .*ip4.dst == \$(a[0-9]+).*/\1 \2/' <<<"$match")
nbctl create Address_Set name="$egressip_pods" >/dev/null
nbctl create Address_Set name="$node_ips" addresses='"192.168.122.101","192.168.122.102"' >/dev/null
nbctl --wait=hv sync
check "102: the pod's traffic to work002's node IP is not rerouted (via work001)" 192.168.122.101 "$(seen_at 192.168.122.102:8082 "$D/node2.log")"
check "102: the external server still sees the load balancer IP" 172.18.255.200 "$(seen)"
check "102: ovnkube's sets untouched by a re-apply" 2 "$("$ctl" --db="$nb" apply -f "$M" >/dev/null; nbctl --bare --columns=addresses list Address_Set "$node_ips" | wc -w)"
# 2c. pod-to-pod traffic is not rerouted either: ovnkube's own priority-102 row for the
#     cluster subnet (present on every ovn-k cluster; not the tool's) allows it. The path is
#     counted as well as the source pod2 saw: a rerouted packet enters work002 through its
#     mp0 (whose SNAT rule then gives it the LB IP as its source).
mp0_rx() { ip netns exec e2e-host2 cat /sys/class/net/ovn-k8s-mp0/statistics/rx_packets; }
# How one request from pod1 to pod2 went, and the source pod2 saw.
to_pod2() {
  local before from
  before=$(mp0_rx)
  from=$(seen_at 10.124.2.3:8084 "$D/pod2.log")
  if [ $(( $(mp0_rx) - before )) -ge 3 ]; then printf "through work002's mp0"; else printf direct; fi
  printf ', from %s' "${from:-nothing}"
}
pod_subnet_match="ip4.src == 10.124.0.0/16 && ip4.dst == 10.124.0.0/16"
check "control: without ovnkube's pod-subnet 102 row, pod-to-pod is rerouted" "through work002's mp0, from 172.18.255.200" "$(to_pod2)"
nbctl lr-policy-add ovn_cluster_router 102 "$pod_subnet_match" allow
nbctl --wait=hv sync
check "102: with it, pod1 reaches pod2 directly, from its own address" "direct, from 10.124.0.3" "$(to_pod2)"
check "102: ovnkube's pod-subnet row untouched by a re-apply" 1 \
  "$("$ctl" --db="$nb" apply -f "$M" >/dev/null; nbctl --bare --columns=_uuid find Logical_Router_Policy "match=\"$pod_subnet_match\"" | grep -c .)"

# 3. negative control: the policy without the node's SNAT (the agent stopped, its chain flushed)
kill "${agent[2]}"; wait "${agent[2]}" 2>/dev/null || true
ip netns exec e2e-host2 iptables -t nat -F OVN-KUBE-EGRESS-SVC
check "control: reroute without the SNAT leaves as work002's own address" 192.168.122.102 "$(seen)"
ip netns exec e2e-host2 "$ctl" run --node work002 -f "$M" >>"$D/agent2.log" 2>&1 &
agent[2]=$!
wait_snat 2 present
check "the agent restarted: the LB IP again" 172.18.255.200 "$(seen)"

# 4. the host moves to work001 (selector): the new host SNATs, the old one's rule is gone
rewrite service.yaml 's/kubernetes.io\/hostname: work002/kubernetes.io\/hostname: work001/'
lb_route_to 1
"$ctl" --db="$nb" apply -f "$M" >/dev/null
nbctl --wait=hv sync
wait_snat 1 present
wait_snat 2 absent
check "host moved to work001: the LB IP through work001" 172.18.255.200 "$(seen)"

# 5. removal with --prune: back to the node's own address, no 101 row
rm "$M/service.yaml"
"$ctl" --db="$nb" apply --prune -f "$M" >/dev/null
nbctl --wait=hv sync
wait_snat 1 absent
check "removed with --prune: work001's own address again" 192.168.122.101 "$(seen)"
check "removed with --prune: no priority-101 row left" 0 "$(nbctl --bare --columns=_uuid find Logical_Router_Policy priority=101 | grep -c . || true)"

# 6. the long-running form: the controller (run) and nftables node agents, the manifests
#    changing under them; the host may be either worker and starts on work002 (status.host).
for n in 1 2; do kill "${agent[$n]}" 2>/dev/null || true; wait "${agent[$n]}" 2>/dev/null || true; done
for n in 1 2; do ip netns exec "e2e-host$n" iptables -t nat -F OVN-KUBE-EGRESS-SVC; done
sed -e '/kubernetes.io\/hostname: work002/d' examples/worked-example/service.yaml >"$M/.service.yaml.tmp"
printf 'status:\n  host: work002\n' >>"$M/.service.yaml.tmp"
mv "$M/.service.yaml.tmp" "$M/service.yaml"
lb_route_to 2
"$ctl" --db="$nb" run -f "$M" --no-status >"$D/run.log" 2>&1 &
controller=$!
agents+=($!)
output=nftables
for n in 1 2; do
  ip netns exec "e2e-host$n" "$ctl" run --node "work00$n" -f "$M" --output nftables >"$D/agent$n.nft.log" 2>&1 &
  agent[$n]=$!
done
wait_snat 2 present
wait_nexthop 10.124.2.2
nbctl --wait=hv sync
check "run + nftables agents: host work002, the LB IP" 172.18.255.200 "$(seen)"

# 7. failover in packets: a request every 10 ms while work002 goes NotReady; the route to the
#    LB IP moves with the host (MetalLB's part, done at the same moment).
cat >"$D/client.py" <<'PY'
import socket, sys, time
end, out = time.time() + float(sys.argv[1]), []
while time.time() < end:
    t = time.time()
    try:
        s = socket.create_connection(("10.2.20.7", 8081), timeout=0.3)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk: break
            data += chunk
        s.close()
        out.append((t, data.split(b"\r\n\r\n", 1)[1].decode()))
    except OSError:
        out.append((t, "lost"))
    time.sleep(max(0, 0.01 - (time.time() - t)))
for t, who in out: print("%.3f %s" % (t, who))
PY
ip netns exec e2e-pod1 python3 "$D/client.py" 4 >"$D/failover.txt" &
client=$!
sleep 1
changed=$(date +%s.%N)
sed -e '/name: work002/,/type: Ready/ s/status: "True"/status: "False"/' "$M/nodes.yaml" >"$M/.nodes.yaml.tmp"
mv "$M/.nodes.yaml.tmp" "$M/nodes.yaml"
lb_route_to 1
wait "$client"
read -r total lb other lost window <<<"$(awk -v c="$changed" '
  { n++; if ($2 == "172.18.255.200") { lb++; if ($1 < c) last = $1; else if (!first) first = $1 } else if ($2 == "lost") lost++; else other++ }
  END { printf "%d %d %d %d %.0f", n, lb, other, lost, (first - last) * 1000 }' "$D/failover.txt")"
echo "failover: $total requests, $lb from the LB IP, $other from another address, $lost lost; outage window ${window} ms" >>"$D/summary"
check "failover to work001: the LB IP again after work002 went NotReady" 172.18.255.200 "$(tail -1 "$D/failover.txt" | cut -d' ' -f2)"
wait_snat 2 absent
check "failover: work002's SNAT element is gone" absent "$(has_snat 2 && echo present || echo absent)"
# 8. the host's node agent killed and restarted under the same traffic: its rules stay while
#    it is down, and its restart rewrites them in one transaction.
ip netns exec e2e-pod1 python3 "$D/client.py" 2 >"$D/restart.txt" &
client=$!
sleep 0.5
kill -9 "${agent[1]}"; wait "${agent[1]}" 2>/dev/null || true
sleep 0.5
ip netns exec e2e-host1 "$ctl" run --node work001 -f "$M" --output nftables >>"$D/agent1.nft.log" 2>&1 &
agent[1]=$!
wait "$client"
read -r total lb other lost <<<"$(awk '{ n++; if ($2 == "172.18.255.200") lb++; else if ($2 == "lost") lost++; else other++ }
  END { printf "%d %d %d %d", n, lb, other, lost }' "$D/restart.txt")"
echo "agent restart: $total requests, $lb from the LB IP, $other from another address, $lost lost" >>"$D/summary"
check "the host's agent killed and restarted: every request from the LB IP" "$total" "$lb"
# 9. spec.network: on the host (now work001) the server is reachable only through routing
#    table 100; with network "100" the agent's ip rule sends the pod's traffic there.
ip -n e2e-host1 route add unreachable 10.2.20.7/32
ip -n e2e-host1 route add 10.2.20.7/32 via 192.168.122.1 dev e2e-ext1 table 100
check "control: without spec.network the main table has no way out" "" "$(seen)"
rewrite service.yaml 's/^  sourceIPBy: LoadBalancerIP$/  sourceIPBy: LoadBalancerIP\n  network: "100"/'
for _ in $(seq 100); do ip -n e2e-host1 rule show priority 5000 | grep -q "from 10.124.0.3 lookup 100" && break; sleep 0.05; done
check "spec.network 100: the pod's traffic leaves through table 100, as the LB IP" 172.18.255.200 "$(seen)"
# 10. externalTrafficPolicy: Local: only a node with an endpoint may host. work002 is Ready
#     again and the selector names it: it hosts. Then the selector allows both workers and the
#     Service is ETP=Local: the host must be work001, where the pod is.
cp examples/worked-example/nodes.yaml "$M/.nodes.yaml.tmp" && mv "$M/.nodes.yaml.tmp" "$M/nodes.yaml"
sed -e 's/^  sourceIPBy: LoadBalancerIP$/  sourceIPBy: LoadBalancerIP\n  network: "100"/' examples/worked-example/service.yaml >"$M/.service.yaml.tmp"
mv "$M/.service.yaml.tmp" "$M/service.yaml"
lb_route_to 2
wait_snat 2 present
wait_nexthop 10.124.2.2
nbctl --wait=hv sync
check "work002 Ready again and selected: the LB IP through work002" 172.18.255.200 "$(seen)"
sed -e '/kubernetes.io\/hostname: work002/d' -e 's/externalTrafficPolicy: Cluster/externalTrafficPolicy: Local/' \
    -e 's/^  sourceIPBy: LoadBalancerIP$/  sourceIPBy: LoadBalancerIP\n  network: "100"/' examples/worked-example/service.yaml >"$M/.service.yaml.tmp"
mv "$M/.service.yaml.tmp" "$M/service.yaml"
lb_route_to 1
wait_snat 1 present
wait_snat 2 absent
wait_nexthop 10.124.0.2
nbctl --wait=hv sync
check "ETP=Local: the host moved to work001, the node with the endpoint" 10.124.0.2 "$(nbctl --bare --columns=nexthops find Logical_Router_Policy priority=101)"
check "ETP=Local: the LB IP through work001" 172.18.255.200 "$(seen)"
# 11. IPv6: a dual-stack pod. The harness adds what ovnkube would for a second family (v6
#     router networks and switch addresses, the pod's and mp0s' v6 addresses, the src-ip
#     routes, each node's own v6 masquerade) and a v6 server; then the manifests turn
#     dual-stack. Until the Service has a v6 ingress IP and a v6 EndpointSlice, the pod's v6
#     traffic leaves as work001's own v6 address; after, as the v6 LB IP through work002.
V6=fd00:10:124
for n in 1 2; do
  x=$(( n == 1 ? 0 : 2 )); sw=work00$n; p6=$V6:$( [ $x = 0 ] && echo "" || echo "$x:" )
  nbctl add Logical_Router_Port "rtos-$sw" networks "\"${p6}:1/64\"" \
    -- lsp-set-addresses "k8s-$sw" "0a:58:0a:7c:0$x:02 10.124.$x.2 ${p6}:2"
  nbctl --policy=src-ip lr-route-add ovn_cluster_router "${p6}:/64" "${p6}:2"
  ip -n "e2e-host$n" addr add "${p6}:2/64" dev ovn-k8s-mp0 nodad
  ip -n "e2e-host$n" route add "$V6::/48" via "${p6}:1"
  ip -n "e2e-host$n" addr add "fd00:192:168:122::10$n/64" dev "e2e-ext$n" nodad
  ip -n "e2e-host$n" route add default via fd00:192:168:122::1
  ip netns exec "e2e-host$n" sysctl -qw net.ipv6.conf.all.forwarding=1
  ip netns exec "e2e-host$n" ip6tables -t nat -A POSTROUTING -s "$V6::/48" -o "e2e-ext$n" -j MASQUERADE
done
nbctl lsp-set-addresses pod1 "0a:58:0a:7c:00:03 10.124.0.3 $V6::3"
ip -n e2e-pod1 addr add "$V6::3/64" dev eth0 nodad
ip -n e2e-pod1 route add default via "$V6::1"
ip -n e2e-ext addr add fd00:192:168:122::1/64 dev br0 nodad
ip -n e2e-ext addr add fd00:10:2:20::7/128 dev lo
ip netns exec e2e-ext python3 -u -m http.server --bind fd00:10:2:20::7 8083 >"$D/http6.log" 2>&1 &
agents+=($!)
wait_listening e2e-ext "[fd00:10:2:20::7]:8083"
nbctl --wait=hv sync
seen6() { seen_at "[fd00:10:2:20::7]:8083" "$D/http6.log"; }
check "IPv6, before a v6 ingress IP: the pod's v6 leaves as work001's" fd00:192:168:122::101 "$(seen6)"
sed -e 's|\("default":\)"10.124.1.0/24"|\1["10.124.1.0/24","fd00:10:124:1::/64"]|' \
    -e 's|\["10.124.0.0/24"\]|["10.124.0.0/24","fd00:10:124::/64"]|' \
    -e 's|\["10.124.2.0/24"\]|["10.124.2.0/24","fd00:10:124:2::/64"]|' examples/worked-example/nodes.yaml >"$M/.nodes.yaml.tmp"
mv "$M/.nodes.yaml.tmp" "$M/nodes.yaml"
{ sed -e 's|^    - ip: 172.18.255.200$|    - ip: 172.18.255.200\n    - ip: fd00:172:18::200|' \
    examples/worked-example/service.yaml
  printf -- '---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: example-service-v6q9z\n  namespace: default\n  labels:\n    kubernetes.io/service-name: example-service\naddressType: IPv6\nendpoints:\n- addresses: ["%s::3"]\n  nodeName: work001\n  conditions: {ready: true, serving: true, terminating: false}\nports:\n- port: 8080\n  protocol: TCP\n' "$V6"
} >"$M/.service.yaml.tmp"
mv "$M/.service.yaml.tmp" "$M/service.yaml"
lb_route_to 2
ip -n e2e-ext -6 route replace fd00:172:18::200/128 via fd00:192:168:122::102
for _ in $(seq 100); do
  ip netns exec e2e-host2 nft list map inet ovn-kubernetes egress-service-snat-v6 2>/dev/null | grep -q "$V6::3 : fd00:172:18::200" && break
  sleep 0.05
done
for _ in $(seq 100); do
  [ "$(nbctl --bare --columns=nexthops find Logical_Router_Policy priority=101 "match=\"ip6.src == $V6::3\"")" = "$V6:2::2" ] && break
  sleep 0.05
done
wait_snat 2 present
nbctl --wait=hv sync
check "IPv6: the v6 reroute goes to work002's v6 mp0 (its subnet + 2)" "$V6:2::2" \
  "$(nbctl --bare --columns=nexthops find Logical_Router_Policy priority=101 "match=\"ip6.src == $V6::3\"")"
check "IPv6: the server sees the v6 load balancer IP" fd00:172:18::200 "$(seen6)"
check "IPv6: the same pod's v4 still leaves as the v4 LB IP" 172.18.255.200 "$(seen)"
# 12. two interconnect zones, each with its own NB, SB, ovn-northd, ovn-ic and chassis (in
#     its own namespace, geneve between them over a veth, the userspace datapath's tunnels
#     through a br-phy bridge that holds the underlay address), joined by the transit switch
#     ts1 that ovn-ic creates in both from the interconnect NB. work001 (the pod) is zone
#     work001, work002 (the host) zone work002. The pod and the management ports move from the
#     single chassis to their zone's. The harness writes what ovnkube would: each router's port
#     on ts1 (100.88.0.<node-id>, bound to its zone's gateway chassis), the routes to the
#     other zone's node subnet and, in work002, the join switch that its gateway-router route
#     resolves through. ovn-egressctl writes the rest, one planner for both zones: work001's
#     101 to work002's transit IP, work002's :ic row to its mp0, and each zone's catch-all
#     src-ip route without which work002's router drops traffic that comes from another zone.
kill "$controller" 2>/dev/null || true; wait "$controller" 2>/dev/null || true
ip -n e2e-host1 route del unreachable 10.2.20.7/32   # scenario 9's
start_db icnb /usr/share/ovn/ovn-ic-nb.ovsschema "$D"
start_db icsb /usr/share/ovn/ovn-ic-sb.ovsschema "$D"
ovn-ic-nbctl --db="unix:$D/icnb.sock" ts-add ts1
ip link add e2e-u1 index 81 netns e2e-z1 type veth peer name e2e-u2 index 82 netns e2e-z2
for n in 1 2; do
  Z=$D/z$n; mkdir -p "$Z"
  start_central "$Z"
  ovn-nbctl --db="unix:$Z/nb.sock" set NB_Global . name="work00$n"
  ovn-ic --detach --no-chdir -vconsole:off --pidfile="$Z/ic.pid" --log-file="$Z/ic.log" --unixctl="$Z/ic.ctl" \
    --ovnnb-db="unix:$Z/nb.sock" --ovnsb-db="unix:$Z/sb.sock" --ic-nb-db="unix:$D/icnb.sock" --ic-sb-db="unix:$D/icsb.sock"
  start_chassis "$Z" "zone-chassis-$n" "172.31.0.$n" "e2e-z$n" external_ids:ovn-is-interconn=true
  ovs-vsctl --db="unix:$Z/conf.sock" add-br br-phy -- set bridge br-phy datapath_type=netdev -- add-port br-phy "e2e-u$n"
  ip netns exec "e2e-z$n" ethtool -K "e2e-u$n" tx off >/dev/null 2>&1 || true
  ip -n "e2e-z$n" link set "e2e-u$n" up
  ip -n "e2e-z$n" addr add "172.31.0.$n/24" dev br-phy
  ip -n "e2e-z$n" link set br-phy up
done
znb() { ovn-nbctl --db="unix:$D/z$1/nb.sock" "${@:2}"; }
for _ in $(seq 100); do znb 1 ls-list | grep -q ts1 && znb 2 ls-list | grep -q ts1 && break; sleep 0.05; done
ip link del e2e-pod1-o; ip link del e2e-mp1-o; ip link del e2e-mp2-o
for n in 1 2; do
  x=$(( n == 1 ? 0 : 2 )); sw=work00$n; other=$(( n == 1 ? 2 : 0 ))
  znb "$n" lr-add ovn_cluster_router \
    -- ls-add "$sw" -- lrp-add ovn_cluster_router "rtos-$sw" "0a:58:0a:7c:0$x:01" "10.124.$x.1/24" \
    -- lsp-add "$sw" "stor-$sw" -- lsp-set-type "stor-$sw" router -- lsp-set-addresses "stor-$sw" router \
    -- lsp-set-options "stor-$sw" "router-port=rtos-$sw" \
    -- lsp-add "$sw" "k8s-$sw" -- lsp-set-addresses "k8s-$sw" "0a:58:0a:7c:0$x:02 10.124.$x.2" \
    -- lrp-add ovn_cluster_router "rtots-$sw" "0a:58:64:58:00:0$(( n + 1 ))" "100.88.0.$(( n + 1 ))/16" \
    -- lsp-add ts1 "tstor-$sw" -- lsp-set-type "tstor-$sw" router -- lsp-set-addresses "tstor-$sw" router \
    -- lsp-set-options "tstor-$sw" "router-port=rtots-$sw" -- lrp-set-gateway-chassis "rtots-$sw" "zone-chassis-$n" 1
  znb "$n" --policy=src-ip lr-route-add ovn_cluster_router "10.124.$x.0/24" "10.124.$x.2"
  znb "$n" lr-route-add ovn_cluster_router "10.124.$other.0/24" "100.88.0.$(( n == 1 ? 3 : 2 ))"
  attach "e2e-zmp$n" "e2e-host$n" ovn-k8s-mp0 "k8s-$sw" "0a:58:0a:7c:0$x:02" "10.124.$x.2/24" "$n" $(( 82 + 2 * n ))
  ip -n "e2e-host$n" route add 10.124.0.0/16 via "10.124.$x.1"
done
znb 2 ls-add join -- lrp-add ovn_cluster_router rtoj-ovn_cluster_router 0a:58:64:40:00:01 100.64.0.1/16 \
  -- lsp-add join jtor-ovn_cluster_router -- lsp-set-type jtor-ovn_cluster_router router \
  -- lsp-set-addresses jtor-ovn_cluster_router router -- lsp-set-options jtor-ovn_cluster_router router-port=rtoj-ovn_cluster_router
znb 1 lsp-add work001 pod1 -- lsp-set-addresses pod1 "0a:58:0a:7c:00:03 10.124.0.3"
attach e2e-zpod1 e2e-pod1 eth0 pod1 0a:58:0a:7c:00:03 10.124.0.3/24 1 90
ip -n e2e-pod1 route add default via 10.124.0.1
for n in 1 2; do
  znb "$n" --timeout=30 wait-until logical_switch_port "k8s-work00$n" up=true
  for _ in $(seq 100); do [ "$(znb "$n" --bare --columns=type list Logical_Switch_Port | grep -c remote)" -ge 1 ] && break; sleep 0.05; done
done
znb 1 --timeout=30 wait-until logical_switch_port pod1 up=true
for n in 1 2; do znb "$n" --wait=hv sync; done
check "zones, before the rows: the pod in zone work001 leaves as work001" 192.168.122.101 "$(seen)"
# The manifests: the worked example with each worker's transit-switch address and node-id.
awk '/^    name: work00[12]$/ { n = substr($2, 7) } { print }
     /^    annotations:$/ && n { printf "      k8s.ovn.org/node-transit-switch-port-ifaddr: '"'"'{\"ipv4\":\"100.88.0.%d/16\"}'"'"'\n      k8s.ovn.org/node-id: \"%d\"\n", n + 1, n + 1; n = "" }' \
  examples/worked-example/nodes.yaml >"$M/.nodes.yaml.tmp"
mv "$M/.nodes.yaml.tmp" "$M/nodes.yaml"
cp examples/worked-example/service.yaml "$M/.service.yaml.tmp" && mv "$M/.service.yaml.tmp" "$M/service.yaml"
lb_route_to 2
zones=(--db="unix:$D/z1/nb.sock" --db="unix:$D/z2/nb.sock" --cluster-subnet 10.124.0.0/16)
"$ctl" "${zones[@]}" apply -f "$M" >"$D/zones-apply.txt" 2>&1
wait_snat 2 present
for n in 1 2; do znb "$n" --wait=hv sync; done
check "zones: work001 reroutes the pod to work002's transit-switch IP" 100.88.0.3 \
  "$(znb 1 --bare --columns=nexthops find Logical_Router_Policy priority=101)"
check "zones: work002 holds the :ic row, to its mp0" 10.124.2.2 \
  "$(znb 2 --bare --columns=nexthops find Logical_Router_Policy priority=101 'external_ids:EgressSVC="default/example-service:ic"')"
check "zones: the server sees the LB IP, across the transit switch" 172.18.255.200 "$(seen)"
route=$(znb 2 --bare --columns=_uuid find Logical_Router_Static_Route ip_prefix=10.124.0.0/16 policy=src-ip)
znb 2 remove Logical_Router ovn_cluster_router static_routes "$route"
znb 2 --wait=hv sync
check "zones control: without work002's catch-all route the request is dropped" "" "$(seen)"
"$ctl" "${zones[@]}" apply -f "$M" >>"$D/zones-apply.txt" 2>&1
znb 2 --wait=hv sync
check "zones: a re-apply writes the route again, and the LB IP is back" 172.18.255.200 "$(seen)"
cat "$D/summary"

printf 'e2e: %s in %.1f s\n' "$([ $failed = 0 ] && echo passed || echo FAILED)" "$(echo "$(date +%s.%N) - $started" | bc)"
exit $failed
