import Foundation
import Testing
@testable import EgressPolicy
import OVNSchema
import OVSDBClient
import OVSDBTestSupport


/// Two nodes and three services: a/one (10.128.0.5, 10.128.0.6), a/two (10.128.0.7) and
/// b/three (10.128.1.8), all on n2.
private let threeServices = nodeYAML("n1", subnets: ["10.128.0.0/24"]) + nodeYAML("n2", subnets: ["10.128.1.0/24"])
    + serviceYAML("a", "one", endpoints: [("10.128.0.5", "n1"), ("10.128.0.6", "n1")], selector: "kubernetes.io/hostname: n2")
    + serviceYAML("a", "two", endpoints: [("10.128.0.7", "n1")], selector: "kubernetes.io/hostname: n2")
    + serviceYAML("b", "three", endpoints: [("10.128.1.8", "n2")], selector: "kubernetes.io/hostname: n2")

private func policies(_ server: OVSDBServerFixture) async throws -> [String] {
    let out = try await server.nbctl(["--bare", "--columns=match,nexthops,external_ids", "find", "Logical_Router_Policy", "priority=101"])
    return out.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.sorted()
}

private func addresses(_ server: OVSDBServerFixture) async throws -> [String] {
    let out = try await server.nbctl(["--bare", "--columns=addresses", "find", "Address_Set", "name=a13607449821398607916"])
    return out.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).sorted()
}

@Suite("pruning, shared pod IPs and concurrent writers")
struct SafetyTests {
    @Test("without prune only the input's services change; with prune the others' rows go")
    func pruneIsExplicit() async throws {
        try await withRouter { server, engine in
            _ = try await engine.apply(try cluster(threeServices))
            let before = try await server.nbctl(["--format=json", "find", "Logical_Router_Policy", "priority=101"])
            // Only a/one, with its endpoint 10.128.0.6 gone.
            let partial = nodeYAML("n1", subnets: ["10.128.0.0/24"]) + nodeYAML("n2", subnets: ["10.128.1.0/24"])
                + serviceYAML("a", "one", endpoints: [("10.128.0.5", "n1")], selector: "kubernetes.io/hostname: n2")
            let plan = try await engine.plan(try cluster(partial))
            #expect(plan.kept.map(\.owner) == ["a/two", "b/three"])
            #expect(plan.removals.map(\.match) == ["ip4.src == 10.128.0.6"])
            let report = try await engine.apply(try cluster(partial))
            #expect(report.writesSent == 3, "delete + router mutate + address-set mutate")
            let after = try await server.nbctl(["--format=json", "find", "Logical_Router_Policy", "priority=101"])
            let beforeRows = try JanssonCodec.decode(before)["data"]?.arrayValue ?? []
            let afterRows = try JanssonCodec.decode(after)["data"]?.arrayValue ?? []
            #expect(afterRows.count == 3)
            for row in afterRows { #expect(beforeRows.contains(row), "a kept or unchanged row was rewritten: \(row)") }
            #expect(try await addresses(server) == ["10.128.0.5", "10.128.0.7", "10.128.1.8"])

            let pruned = try await engine.apply(try cluster(partial), prune: true)
            #expect(pruned.plan.removals.map(\.reason) == ["pruned", "pruned"])
            #expect(try await policies(server) == ["ip4.src == 10.128.0.5\n10.128.1.2\nEgressSVC=a/one"])
            #expect(try await addresses(server) == ["10.128.0.5"])
            #expect(try await engine.apply(try cluster(partial), prune: true).writesSent == 0)
        }
    }

    @Test("a pod IP of several services gets one policy, to the first in byte order; a kept service's claim wins")
    func sharedPodIP() async throws {
        let shared = nodeYAML("n1", subnets: ["10.128.0.0/24"]) + nodeYAML("n2", subnets: ["10.128.1.0/24"])
            + serviceYAML("b", "web", endpoints: [("10.128.0.5", "n1"), ("10.128.0.9", "n1")], selector: "kubernetes.io/hostname: n1")
            + serviceYAML("a", "web", endpoints: [("10.128.0.5", "n1")], selector: "kubernetes.io/hostname: n2")
        try await withRouter { server, engine in
            let input = try cluster(shared)
            let report = try await engine.apply(input)
            #expect(report.plan.sharedIPs == [SharedPodIP(ip: IPAddress("10.128.0.5")!, winner: "a/web", losers: ["b/web"], winnerIsKept: false)])
            #expect(report.plan.warnings.contains { $0.contains("10.128.0.5") && $0.contains("a/web") && $0.contains("b/web") })
            #expect(try await policies(server) == [
                "ip4.src == 10.128.0.5\n10.128.1.2\nEgressSVC=a/web",
                "ip4.src == 10.128.0.9\n10.128.0.2\nEgressSVC=b/web",
            ])
            // The SNAT for the shared IP is on the winner's host only.
            let desired = DesiredState(input, settings: EngineSettings())
            #expect(NodePlan(node: "n2", input: input, desired: desired).snat.map(\.endpoint.description) == ["10.128.0.5"])
            #expect(NodePlan(node: "n1", input: input, desired: desired).snat.map(\.endpoint.description) == ["10.128.0.9"])

            // b/web alone, a/web kept: a/web keeps the IP, b/web writes nothing for it.
            let onlyB = nodeYAML("n1", subnets: ["10.128.0.0/24"]) + nodeYAML("n2", subnets: ["10.128.1.0/24"])
                + serviceYAML("b", "web", endpoints: [("10.128.0.5", "n1"), ("10.128.0.9", "n1")], selector: "kubernetes.io/hostname: n1")
            let plan = try await engine.plan(try cluster(onlyB))
            #expect(plan.isEmpty)
            #expect(plan.sharedIPs.first?.winnerIsKept == true)
        }
    }

    @Test("another writer deletes, edits and duplicates owned rows and adds its own while the apply runs")
    func concurrentWriter() async throws {
        try await withRouter { server, engine in
            _ = try await engine.apply(try cluster(threeServices))
            let owned = try await server.nbctl(["--bare", "--columns=_uuid,match", "find", "Logical_Router_Policy", "priority=101"])
            let rows = owned.components(separatedBy: "\n\n").map { $0.split(separator: "\n").map(String.init) }.filter { $0.count == 2 }
            let uuid = { (ip: String) in rows.first { $0[1].hasSuffix(ip) }![0] }
            // Moving b/three's endpoint gives the apply something to do.
            let moved = threeServices.replacingOccurrences(of: "10.128.1.8", with: "10.128.1.9")
            var interfered = false
            let report = try await engine.apply(try cluster(moved)) { _ in
                guard !interfered else { return }
                interfered = true
                try await server.nbctl([
                    "--", "lr-policy-del", "ovn_cluster_router", uuid("10.128.0.5"),
                    "--", "set", "Logical_Router_Policy", uuid("10.128.0.6"), "nexthops=\"10.128.9.9\"",
                    "--", "--id=@d", "create", "Logical_Router_Policy", "priority=101", "match=\"ip4.src == 10.128.0.7\"",
                    "action=reroute", "nexthops=\"10.128.1.2\"", "external_ids:EgressSVC=a/two",
                    "--", "add", "Logical_Router", "ovn_cluster_router", "policies", "@d",
                    "--", "lr-policy-add", "ovn_cluster_router", "101", "ip4.src == 10.128.0.200", "reroute", "10.128.7.7",
                ])
            }
            #expect(report.attempts == 2, "the guard must catch the concurrent write and the apply plan again")
            #expect(try await policies(server) == [
                "ip4.src == 10.128.0.200\n10.128.7.7",
                "ip4.src == 10.128.0.5\n10.128.1.2\nEgressSVC=a/one",
                "ip4.src == 10.128.0.6\n10.128.1.2\nEgressSVC=a/one",
                "ip4.src == 10.128.0.7\n10.128.1.2\nEgressSVC=a/two",
                "ip4.src == 10.128.1.9\n10.128.1.2\nEgressSVC=b/three",
            ])
            let listing = try await server.nbctl(["lr-policy-list", "ovn_cluster_router"])
            #expect(listing.contains("10.128.0.200") && listing.contains("10.128.7.7"), "the foreign row stays on the router")
            #expect(try await engine.apply(try cluster(moved)).writesSent == 0)
        }
    }

    @Test("delete is guarded and retried like apply")
    func deleteRetries() async throws {
        try await withRouter { server, engine in
            _ = try await engine.apply(try cluster(threeServices))
            var interfered = false
            let report = try await engine.delete(service: "a/one") { _ in
                guard !interfered else { return }
                interfered = true
                try await server.nbctl([
                    "--", "--id=@d", "create", "Logical_Router_Policy", "priority=101", "match=\"ip4.src == 10.128.0.5\"",
                    "action=reroute", "nexthops=\"10.128.1.2\"", "external_ids:EgressSVC=a/one",
                    "--", "add", "Logical_Router", "ovn_cluster_router", "policies", "@d",
                ])
            }
            #expect(report.attempts == 2)
            #expect(report.plan.removals.count == 3, "two rows and the duplicate added meanwhile")
            #expect(try await policies(server).allSatisfy { !$0.contains("a/one") })
            #expect(try await addresses(server) == ["10.128.0.7", "10.128.1.8"])
        }
    }

    @Test("a host without a subnet of the endpoint's family, several subnets of one family, a hostname-only ingress")
    func edgeCases() throws {
        // n1 has only IPv4; the service has a v6 endpoint: no v6 policy, a warning.
        let v4only = nodeYAML("n1", subnets: ["10.128.0.0/24"]) + nodeYAML("n2", subnets: ["10.128.1.0/24", "fd00:1::/64"])
            + serviceYAML("a", "s", endpoints: [("10.128.0.5", "n1"), ("fd00:1::5", "n2")], ingress: ["172.18.0.1", "fc00::1"],
                          selector: "kubernetes.io/hostname: n1")
        let d1 = DesiredState(try cluster(v4only), settings: EngineSettings())
        #expect(d1.policies.map(\.match) == ["ip4.src == 10.128.0.5"])
        #expect(d1.warnings.contains("EgressService a/s: host n1 has no v6 subnet; no policy for fd00:1::5"))
        #expect(d1.addressSets.first { $0.family == .v6 }?.addresses == ["fd00:1::5"], "the IP is still served")

        // Several v4 subnets: the last one gives the management IP.
        let several = nodeYAML("n1", subnets: ["10.128.0.0/24", "10.130.0.0/24"])
            + serviceYAML("a", "s", endpoints: [("10.130.0.5", "n1")], selector: "kubernetes.io/hostname: n1")
        #expect(DesiredState(try cluster(several), settings: EngineSettings()).policies.map(\.nexthop.description) == ["10.130.0.2"])

        // A hostname-only ingress counts as an ingress: the host is chosen and the policy
        // written, but there is no IP to SNAT to, which the warning says.
        let hostname = (nodeYAML("n1", subnets: ["10.128.0.0/24"])
            + serviceYAML("a", "s", endpoints: [("10.128.0.5", "n1")], selector: "kubernetes.io/hostname: n1"))
            .replacingOccurrences(of: "ingress: [{ip: \"172.18.255.200\"}]", with: "ingress: [{hostname: lb.example.com}]")
        let input = try cluster(hostname)
        let d3 = DesiredState(input, settings: EngineSettings())
        #expect(d3.assignment.hosts["a/s"] == "n1")
        #expect(d3.policies.count == 1)
        #expect(NodePlan(node: "n1", input: input, desired: d3).snat.isEmpty)
        #expect(d3.warnings.contains { $0.contains("no v4 ingress IP") && $0.contains("not SNATed") })

        // Two valid 40-byte names make a 81-byte label name: a warning, not a silent bad label.
        let ns = String(repeating: "n", count: 40), name = "s" + String(repeating: "v", count: 39)
        let long = nodeYAML("n1", subnets: ["10.128.0.0/24"])
            + serviceYAML(ns, name, endpoints: [("10.128.0.5", "n1")], selector: "kubernetes.io/hostname: n1")
        let d4 = DesiredState(try cluster(long), settings: EngineSettings())
        #expect(d4.warnings.contains { $0.contains("longer than a label name may be (63)") })
        #expect(!d3.warnings.contains { $0.contains("longer than a label name") })
    }
}
