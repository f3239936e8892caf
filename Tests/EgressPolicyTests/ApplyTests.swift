import Foundation
import Testing
@testable import EgressPolicy
import OVNSchema
import OVSDBClient
import OVSDBTestSupport


private func fileSize(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
}

@Suite("apply against a real ovsdb-server")
struct ApplyTests {
    @Test("the worked example produces exactly the spec's rows; a second apply sends nothing")
    func workedExample() async throws {
        try await withRouter { server, engine in
            let input = try ManifestLoader.load([workedExamplePath])
            let first = try await engine.apply(input)
            #expect(first.writesSent > 0)
            let listing = try await server.nbctl(["lr-policy-list", "ovn_cluster_router"])
            let rows = listing.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(rows == [
                "102 (ip4.src == $a4548040316634674295 || ip4.src == $a13607449821398607916) && ip4.dst == $a14918748166599097711 allow pkt_mark=1008",
                "101 ip4.src == 10.124.0.3 reroute 10.124.2.2",
            ])
            let set = try await server.nbctl(["--bare", "--columns=addresses", "find", "Address_Set", "name=a13607449821398607916"])
            #expect(set.trimmingCharacters(in: .whitespacesAndNewlines) == "10.124.0.3")
            let ids = try await server.nbctl(["--bare", "--columns=external_ids", "find", "Logical_Router_Policy", "priority=101"])
            #expect(ids.trimmingCharacters(in: .whitespacesAndNewlines) == "EgressSVC=default/example-service")

            let size = try fileSize(server.databasePath)
            let second = try await engine.apply(input)
            #expect(second.writesSent == 0)
            #expect(second.plan.isEmpty)
            #expect(try fileSize(server.databasePath) == size, "the database file must not grow")
        }
    }

    @Test("rows owned by others are untouched, byte for byte")
    func othersUntouched() async throws {
        try await withRouter { server, engine in
            try await server.nbctl(["lr-policy-add", "ovn_cluster_router", "101", "ip4.src == 10.124.0.3", "reroute", "10.124.9.9",
                                    "--", "lr-policy-add", "ovn_cluster_router", "100", "ip4.src == 10.0.0.0/8", "allow",
                                    "--", "create", "Address_Set", "name=theirs", "addresses=\"1.2.3.4\""])
            let before = try await server.nbctl(["--format=json", "list", "Logical_Router_Policy"])
            let setsBefore = try await server.nbctl(["--format=json", "find", "Address_Set", "name=theirs"])
            _ = try await engine.apply(try ManifestLoader.load([workedExamplePath]))
            let after = try await server.nbctl(["--format=json", "list", "Logical_Router_Policy"])
            let beforeRows = try JanssonCodec.decode(before)["data"]?.arrayValue ?? []
            let afterRows = try JanssonCodec.decode(after)["data"]?.arrayValue ?? []
            #expect(beforeRows.count == 2)
            #expect(afterRows.count == 4)
            for row in beforeRows { #expect(afterRows.contains(row), "changed: \(row)") }
            #expect(try await server.nbctl(["--format=json", "find", "Address_Set", "name=theirs"]) == setsBefore)
            // The router still lists the others' policies, in the same set.
            let listing = try await server.nbctl(["lr-policy-list", "ovn_cluster_router"])
            #expect(listing.contains("10.124.9.9") && listing.contains("10.124.2.2"))
        }
    }

    @Test("repairs: wrong nexthop updated, owned duplicates collapsed, with --prune a deleted service's rows removed")
    func repairs() async throws {
        try await withRouter { server, engine in
            let owner = "external_ids:EgressSVC=default/example-service"
            let stale = "external_ids:EgressSVC=default/gone"
            try await server.nbctl([
                "--", "--id=@a", "create", "Logical_Router_Policy", "priority=101", "match=\"ip4.src == 10.124.0.3\"", "action=reroute", "nexthops=\"10.124.1.2\"", owner,
                "--", "--id=@b", "create", "Logical_Router_Policy", "priority=101", "match=\"ip4.src == 10.124.0.3\"", "action=reroute", "nexthops=\"10.124.1.2\"", owner,
                "--", "--id=@c", "create", "Logical_Router_Policy", "priority=101", "match=\"ip4.src == 10.124.0.99\"", "action=reroute", "nexthops=\"10.124.1.2\"", stale,
                "--", "add", "Logical_Router", "ovn_cluster_router", "policies", "@a", "@b", "@c",
            ])
            let report = try await engine.apply(try ManifestLoader.load([workedExamplePath]), prune: true)
            #expect(report.plan.repairs.count == 1)
            #expect(report.plan.removals.map(\.reason).sorted() == ["duplicate", "pruned"])
            #expect(report.plan.additions.isEmpty)
            let listing = try await server.nbctl(["--bare", "--columns=match,nexthops", "find", "Logical_Router_Policy", "priority=101"])
            #expect(listing.split(separator: "\n").filter { !$0.isEmpty } == ["ip4.src == 10.124.0.3", "10.124.2.2"])
            #expect(try await engine.apply(try ManifestLoader.load([workedExamplePath])).writesSent == 0)
        }
    }

    @Test("10,000 endpoints: changing 1% sends operations proportional to the change")
    func proportional() async throws {
        try await withRouter { server, engine in
            func manifests(offset: Int) throws -> ClusterInput {
                var yaml = nodeYAML("n1", subnets: ["10.128.0.0/14"]) + nodeYAML("n2", subnets: ["10.132.0.0/14"])
                let endpoints = (0..<10_000).map { i -> (String, String) in
                    let n = i < 100 ? i + offset : i
                    return ("10.128.\(n / 250).\(n % 250 + 1)", "n1")
                }
                yaml += serviceYAML("big", "svc", endpoints: endpoints, selector: "kubernetes.io/hostname: n2")
                return try cluster(yaml)
            }
            let first = try await engine.apply(try manifests(offset: 0))
            #expect(first.plan.additions.count == 10_000)
            let count = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Policy", "priority=101"])
            #expect(count.split(separator: "\n").filter { !$0.isEmpty }.count == 10_000)
            // Move 100 endpoints (1%) to new IPs.
            let second = try await engine.apply(try manifests(offset: 20_000))
            #expect(second.plan.additions.count == 100)
            #expect(second.plan.removals.count == 100)
            // 100 inserts + 100 deletes + 1 router mutate + 1 address-set mutate.
            #expect(second.writesSent == 202)
            #expect(try await engine.apply(try manifests(offset: 20_000)).writesSent == 0)
        }
    }

    @Test("two applies racing on two connections end correct, with no duplicate row")
    func race() async throws {
        try await withServer { server in
            try await server.nbctl(["lr-add", "ovn_cluster_router"])
            let input = try ManifestLoader.load([workedExamplePath])
            let reports = try await withThrowingTaskGroup(of: EgressEngine.Report.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        let c = try await OVSDBConnection.connect(to: server.remote)
                        defer { Task { await c.close() } }
                        return try await EgressEngine(connection: c, settings: EngineSettings()).apply(input)
                    }
                }
                var out: [EgressEngine.Report] = []
                for try await r in group { out.append(r) }
                return out
            }
            #expect(reports.count == 2)
            let policies = try await server.nbctl(["--bare", "--columns=priority", "list", "Logical_Router_Policy"])
            #expect(policies.split(separator: "\n").filter { !$0.isEmpty }.sorted() == ["101", "102"])
            let sets = try await server.nbctl(["--bare", "--columns=name", "list", "Address_Set"])
            #expect(sets.split(separator: "\n").filter { !$0.isEmpty } == ["a13607449821398607916"])
        }
    }

    @Test("no router: a clear error and nothing written")
    func noRouter() async throws {
        try await withServer { server in
            let c = try await OVSDBConnection.connect(to: server.remote)
            await #expect {
                _ = try await EgressEngine(connection: c, settings: EngineSettings()).apply(try ManifestLoader.load([workedExamplePath]))
            } throws: { error in
                (error as? EngineError)?.description == "logical router ovn_cluster_router not found in the Northbound database"
            }
            #expect(try await server.nbctl(["--bare", "--columns=_uuid", "list", "Address_Set"]).isEmpty)
            await c.close()
        }
    }
}
