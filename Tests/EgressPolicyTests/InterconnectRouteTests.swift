import Foundation
import Testing
@testable import EgressPolicy
import OVNSchema
import OVSDBClient
import OVSDBTestSupport

/// Two one-node zones with a service hosted on node1, node IDs 2 and 3.
func routeCluster(node1: [String: String] = ["k8s.ovn.org/node-id": "2"], node1Ready: Bool = true,
                  node2: [String: String] = ["k8s.ovn.org/node-id": "3"]) throws -> ClusterInput {
    try cluster(
        icNodeYAML("node1", subnets: ["10.128.1.0/24", "fe00:10:128:1::/64"], transit: #"{"ipv4":"100.88.0.2/16","ipv6":"fd97::2/64"}"#,
                   zone: "zone-1", ready: node1Ready, annotations: node1)
        + icNodeYAML("node1b", subnets: ["10.128.3.0/24"], transit: nil, zone: "zone-1", annotations: ["k8s.ovn.org/node-id": "4"])
        + icNodeYAML("node2", subnets: ["10.128.2.0/24", "fe00:10:128:2::/64"], transit: #"{"ipv4":"100.88.0.3/16","ipv6":"fd97::3/64"}"#,
                     annotations: node2)
        + serviceYAML("testns", "svc1", endpoints: [("10.128.1.5", "node1"), ("10.128.2.5", "node2")], statusHost: "node1"))
}

let dualStackSubnets: EngineSettings = {
    var s = EngineSettings()
    s.clusterSubnets = [CIDR("10.128.0.0/14")!, CIDR("fe00::/16")!]
    return s
}()

func routeRows(_ d: DesiredState) -> [String] { d.routes.map { "\($0.subnet) \($0.nexthop) \($0.node)" } }

@Suite("interconnect zones: the catch-all static route")
struct InterconnectRouteTests {
    @Test("per cluster subnet, via the first Ready member's join IP: node-id gives join base + id; the gateway-router annotation wins over it")
    func routesPlanned() throws {
        let input = try routeCluster()
        let zone1 = DesiredState(input, settings: dualStackSubnets, zone: Zone(named: "zone-1", in: input))
        #expect(routeRows(zone1) == ["10.128.0.0/14 100.64.0.2 node1", "fe00::/16 fd98::2 node1"])
        #expect(zone1.routes.map(\.hostSubnetLength) == [24, 64])
        let zone2 = DesiredState(input, settings: dualStackSubnets, zone: Zone(named: "node2", in: input))
        #expect(routeRows(zone2) == ["10.128.0.0/14 100.64.0.3 node2", "fe00::/16 fd98::3 node2"])

        let annotated = try routeCluster(node1: ["k8s.ovn.org/node-id": "2",
                                                 "k8s.ovn.org/node-gateway-router-lrp-ifaddrs": #"{"default":{"ipv4":"100.64.0.40/16"}}"#])
        let z = DesiredState(annotated, settings: dualStackSubnets, zone: Zone(named: "zone-1", in: annotated))
        // node1's annotation has no v6 address (and its node-id is not used): the v6 route goes
        // through the next member, node1b, by its node-id.
        #expect(routeRows(z) == ["10.128.0.0/14 100.64.0.40 node1", "fe00::/16 fd98::4 node1b"])
        let v4Only = try cluster(icNodeYAML("solo", subnets: ["10.128.1.0/24"], transit: nil,
                                            annotations: ["k8s.ovn.org/node-gateway-router-lrp-ifaddrs": #"{"default":{"ipv4":"100.64.0.7/16"}}"#]))
        let solo = DesiredState(v4Only, settings: dualStackSubnets, zone: Zone(named: "solo", in: v4Only))
        #expect(routeRows(solo) == ["10.128.0.0/14 100.64.0.7 solo"], "families of the nodes only")

        // NotReady: the next member in byte order.
        let notReady = try routeCluster(node1Ready: false)
        #expect(routeRows(DesiredState(notReady, settings: dualStackSubnets, zone: Zone(named: "zone-1", in: notReady)))
                == ["10.128.0.0/14 100.64.0.4 node1b", "fe00::/16 fd98::4 node1b"])
    }

    @Test("no route in global, for one database of the whole cluster, when the tool does not own the 102s; without --cluster-subnet a warning")
    func noRoute() throws {
        let input = try routeCluster()
        #expect(DesiredState(input, settings: dualStackSubnets).routes.isEmpty)
        #expect(DesiredState(input, settings: dualStackSubnets, zone: Zone(named: "global", in: input)).routes.isEmpty)
        var eip = dualStackSubnets
        eip.ensureNoReroutePolicy = false
        #expect(DesiredState(input, settings: eip, zone: Zone(named: "zone-1", in: input)).routes.isEmpty)
        let bare = DesiredState(input, settings: EngineSettings(), zone: Zone(named: "zone-1", in: input))
        #expect(bare.routes.isEmpty)
        #expect(bare.warnings.contains { $0.contains("zone zone-1") && $0.contains("--cluster-subnet") })
    }

    @Test("a malformed node-id or gateway-router annotation: a warning naming the node and the zone, and that node gives no route")
    func malformedJoinAnnotations() throws {
        for (annotations, why) in [(["k8s.ovn.org/node-id": "two"], "k8s.ovn.org/node-id"),
                                   (["k8s.ovn.org/node-id": "0"], "k8s.ovn.org/node-id"),
                                   (["k8s.ovn.org/node-id": "65535"], "k8s.ovn.org/node-id"),
                                   (["k8s.ovn.org/node-id": "2 || 1"], "k8s.ovn.org/node-id"),
                                   (["k8s.ovn.org/node-gateway-router-lrp-ifaddrs": #"{"ipv4":"100.64.0.2/16"}"#], "no \"default\""),
                                   (["k8s.ovn.org/node-gateway-router-lrp-ifaddrs": #"{"default":{"ipv4":"100.64.0.2"}}"#], "malformed" as String)] {
            let input = try routeCluster(node2: annotations)
            let zone2 = DesiredState(input, settings: dualStackSubnets, zone: Zone(named: "node2", in: input))
            #expect(zone2.routes.isEmpty, "\(annotations)")
            let warning = zone2.warnings.first { $0.contains("node node2") }
            #expect(warning?.contains("zone node2") == true && (warning?.contains(why) == true || why == "malformed"), "\(zone2.warnings)")
            #expect(zone2.warnings.filter { $0.contains("node node2:") }.count == 1, "one warning per node, not per family")
        }
    }

    @Test("against a real server: ovn-k's predicate finds the catch-all and changes it in place; other routes untouched; 2023-era EgressSVC routes only go with --prune")
    func routesApplied() async throws {
        try await withZoneServers(["node2"], settings: dualStackSubnets) { servers, zoned in
            let server = servers[0]
            // Someone else's routes: a default route, node2's own src-ip route (prefix as long as a
            // node subnet), a src-ip route of another network; the old catch-all from before the
            // cluster network grew (/16); a 2023-era per-pod route.
            try await server.nbctl(["lr-route-add", "ovn_cluster_router", "0.0.0.0/0", "100.64.0.1"])
            try await server.nbctl(["--policy=src-ip", "lr-route-add", "ovn_cluster_router", "10.128.2.0/24", "10.128.2.2"])
            try await server.nbctl(["--policy=src-ip", "lr-route-add", "ovn_cluster_router", "10.200.0.0/16", "100.64.0.3"])
            try await server.nbctl(["--policy=src-ip", "lr-route-add", "ovn_cluster_router", "10.128.0.0/16", "100.64.0.9"])
            try await server.nbctl(["--policy=src-ip", "lr-route-add", "ovn_cluster_router", "10.128.1.5", "10.128.2.2"])
            let stale = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Static_Route", "ip_prefix=10.128.1.5"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try await server.nbctl(["set", "Logical_Router_Static_Route", stale, "external_ids:EgressSVC=testns/old"])
            let catchAll = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Static_Route", "ip_prefix=\"10.128.0.0/16\""])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let before = try await routeLines(server)

            let input = try routeCluster()
            let first = await zoned.apply(try await zoned.plan(loading: Task { input }, prune: false), prune: false)
            let plan = try first[0].result.get().plan
            #expect(plan.routeRepairs.map { "\($0.fromPrefix) \($0.fromNexthop) -> \($0.route.subnet) \($0.route.nexthop)" }
                    == ["10.128.0.0/16 100.64.0.9 -> 10.128.0.0/14 100.64.0.3"])
            #expect(plan.routeRepairs.first?.uuid.description == catchAll, "changed in place, not replaced")
            #expect(plan.routeAdditions.map(\.subnet.description) == ["fe00::/16"])
            #expect(plan.routeRemovals.isEmpty && plan.staleRoutesKept == 1)
            #expect(plan.text.contains("1 2023-era static route(s) with EgressSVC: kept (--prune removes them)"))
            let after = try await routeLines(server)
            #expect(Set(after) == Set(before.filter { $0 != "10.128.0.0/16 100.64.0.9 src-ip" }
                                      + ["10.128.0.0/14 100.64.0.3 src-ip", "fe00::/16 fd98::3 src-ip"]), "\(after)")

            let again = await zoned.apply(try await zoned.plan(loading: Task { input }, prune: false), prune: false)
            #expect(try again[0].result.get().writesSent == 0)

            let pruned = await zoned.apply(try await zoned.plan(loading: Task { input }, prune: true), prune: true)
            #expect(try pruned[0].result.get().plan.routeRemovals.map(\.owner) == ["testns/old"])
            #expect(try await routeLines(server) == after.filter { $0 != "10.128.1.5 10.128.2.2 src-ip" })
            let rows = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Static_Route", "ip_prefix=10.128.1.5"])
            #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "the stale row itself is gone")
        }
    }
}
