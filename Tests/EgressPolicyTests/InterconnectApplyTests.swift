import Foundation
import Testing
@testable import EgressPolicy
import OVNSchema
import OVSDBClient
import OVSDBTestSupport

let interconnectExamplePath = OVSDBServerFixture.repositoryRoot + "/examples/interconnect"

/// examples/interconnect's cluster network (`--cluster-subnet 10.128.0.0/14`).
let interconnectSettings: EngineSettings = {
    var s = EngineSettings()
    s.clusterSubnets = [CIDR("10.128.0.0/14")!]
    return s
}()

/// `lr-route-list` of the router as `prefix nexthop policy` lines, as ovn-nbctl reads them.
func routeLines(_ server: OVSDBServerFixture) async throws -> [String] {
    let listing = try await server.nbctl(["lr-route-list", "ovn_cluster_router"])
    return listing.split(separator: "\n").filter { !$0.hasPrefix("IPv") && !$0.hasPrefix("Route Table") }
        .map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
}

/// One real ovsdb-server per zone, each with `ovn_cluster_router` and `NB_Global.name` set as
/// ovnkube-controller leaves them; `body` gets the servers and a zoned engine over them
/// (zone names read from the databases).
func withZoneServers(_ names: [String], settings: EngineSettings = interconnectSettings,
                     _ body: ([OVSDBServerFixture], ZonedEngine) async throws -> Void) async throws {
    var servers: [OVSDBServerFixture] = []
    defer { for s in servers { s.stop() } }
    var connections: [OVSDBConnection] = []
    for name in names {
        let server = try await OVSDBServerFixture.start()
        servers.append(server)
        try await server.nbctl(["lr-add", "ovn_cluster_router", "--", "set", "NB_Global", ".", "name=\(name)"])
        connections.append(try await OVSDBConnection.connect(to: server.remote))
    }
    defer { for c in connections { Task { await c.close() } } }
    let engines = connections.map { EgressEngine(connection: $0, settings: settings, zone: .database) }
    try await body(servers, ZonedEngine(engines: engines, labels: servers.map(\.remote)))
}

/// `lr-policy-list` of the router as `priority match action nexthop` lines, as ovn-nbctl reads them.
func policyLines(_ server: OVSDBServerFixture) async throws -> [String] {
    let listing = try await server.nbctl(["lr-policy-list", "ovn_cluster_router"])
    return listing.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
}

/// `EgressSVC` owners of the 101 policies, with their match, sorted.
func ownedRows(_ server: OVSDBServerFixture) async throws -> [String] {
    let text = try await server.nbctl(["--format=json", "--columns=match,nexthops,external_ids", "find", "Logical_Router_Policy", "priority=101"])
    let data = try JanssonCodec.decode(text)["data"]?.arrayValue ?? []
    return data.compactMap { row -> String? in
        guard let cells = row.arrayValue, cells.count == 3, let match = cells[0].stringValue,
              let hop = cells[1].arrayValue?.last?.stringValue ?? cells[1].stringValue,
              let ids = cells[2].arrayValue?.last?.arrayValue?.first?.arrayValue, ids.count == 2,
              let owner = ids[1].stringValue else { return nil }
        return "\(owner) \(match) \(hop)"
    }.sorted()
}

func servedPods(_ server: OVSDBServerFixture) async throws -> [String] {
    let text = try await server.nbctl(["--bare", "--columns=addresses", "find", "Address_Set", "name=a13607449821398607916"])
    return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).sorted()
}

/// What examples/interconnect puts in each zone (README, "Zones"): rows as `owner match nexthop`.
/// The route: the catch-all via the first Ready member's gateway router (node-id 2 and 5; node-b1
/// by its gateway-router annotation).
let interconnectExpected: [String: (rows: [String], served: [String], route: String)] = [
    "zone-a": ([
        "billing/ledger ip4.src == 10.128.2.7 100.88.0.5",
        "shop/api ip4.src == 10.128.1.6 100.88.0.4",
        "shop/web ip4.src == 10.128.1.5 10.128.1.2",
        "shop/web ip4.src == 10.128.2.5 10.128.1.2",
        "shop/web:ic ip4.src == 10.128.3.5 10.128.1.2",
        "shop/web:ic ip4.src == 10.128.4.5 10.128.1.2",
    ], ["10.128.1.5", "10.128.1.6", "10.128.2.5", "10.128.2.7"], "10.128.0.0/14 100.64.0.2 src-ip"),
    "zone-b": ([
        "shop/api ip4.src == 10.128.3.6 10.128.3.2",
        "shop/api:ic ip4.src == 10.128.1.6 10.128.3.2",
        "shop/web ip4.src == 10.128.3.5 100.88.0.2",
    ], ["10.128.3.5", "10.128.3.6"], "10.128.0.0/14 100.64.0.4 src-ip"),
    "node-c": ([
        "billing/ledger ip4.src == 10.128.4.7 10.128.4.2",
        "billing/ledger:ic ip4.src == 10.128.2.7 10.128.4.2",
        "shop/web ip4.src == 10.128.4.5 100.88.0.2",
    ], ["10.128.4.5", "10.128.4.7"], "10.128.0.0/14 100.64.0.5 src-ip"),
]

@Suite("interconnect zones: apply against several real ovsdb-servers")
struct InterconnectApplyTests {
    static let zoneNames = ["zone-a", "zone-b", "node-c"]

    @Test("examples/interconnect: each zone holds its own rows, as ovn-nbctl reads them; a second apply sends nothing anywhere")
    func exampleRowsPerZone() async throws {
        try await withZoneServers(Self.zoneNames) { servers, zoned in
            let input = try ManifestLoader.load([interconnectExamplePath])
            let planned = try await zoned.plan(loading: Task { input }, prune: false)
            #expect(planned.warnings.isEmpty, "\(planned.warnings)")
            #expect(planned.zones.map(\.zone) == Self.zoneNames)
            let reports = await zoned.apply(planned, prune: false)
            for (name, (server, report)) in zip(Self.zoneNames, zip(servers, reports)) {
                #expect(try report.result.get().writesSent > 0)
                #expect(try await ownedRows(server) == interconnectExpected[name]!.rows, "zone \(name)")
                #expect(try await servedPods(server) == interconnectExpected[name]!.served, "zone \(name)")
                #expect(try await routeLines(server) == [interconnectExpected[name]!.route], "zone \(name)")
                // The 102 allow is the same in every zone.
                #expect(try await policyLines(server).first?.hasPrefix("102 (ip4.src == $a4548040316634674295 || ip4.src == $a13607449821398607916)") == true)
            }
            let again = await zoned.apply(try await zoned.plan(loading: Task { input }, prune: false), prune: false)
            #expect(try again.map { try $0.result.get().writesSent } == [0, 0, 0])
        }
    }

    @Test("the host moves to another zone: the old host's zone drops its :ic rows and reroutes to the transit IP; the new one gets them")
    func hostMoves() async throws {
        try await withZoneServers(["zone-a", "zone-b"]) { servers, zoned in
            let nodes = try String(contentsOfFile: interconnectExamplePath + "/nodes.yaml", encoding: .utf8)
            func input(host: String) throws -> ClusterInput {
                try cluster(nodes + "\n---\n" + serviceYAML("shop", "web", endpoints: [("10.128.1.5", "node-a1"), ("10.128.3.5", "node-b1")],
                                                              statusHost: host))
            }
            let first = try input(host: "node-a1")
            _ = await zoned.apply(try await zoned.plan(loading: Task { first }, prune: false), prune: false)
            #expect(try await ownedRows(servers[0]) == ["shop/web ip4.src == 10.128.1.5 10.128.1.2", "shop/web:ic ip4.src == 10.128.3.5 10.128.1.2"])
            #expect(try await ownedRows(servers[1]) == ["shop/web ip4.src == 10.128.3.5 100.88.0.2"])
            let moved = try input(host: "node-b1")
            let results = await zoned.apply(try await zoned.plan(loading: Task { moved }, prune: false), prune: false)
            let zoneA = try results[0].result.get().plan
            #expect(zoneA.removals.map(\.owner) == ["shop/web:ic"] && zoneA.removals.map(\.reason) == ["stale"])
            #expect(zoneA.repairs.map(\.to) == ["100.88.0.4"])
            #expect(try await ownedRows(servers[0]) == ["shop/web ip4.src == 10.128.1.5 100.88.0.4"])
            #expect(try await ownedRows(servers[1]) == ["shop/web ip4.src == 10.128.3.5 10.128.3.2", "shop/web:ic ip4.src == 10.128.1.5 10.128.3.2"])
        }
    }

    @Test("a zone stopped between planning and writing fails by name; the others are written; a rerun after it returns converges")
    func zoneStoppedMidApply() async throws {
        try await withZoneServers(Self.zoneNames) { servers, zoned in
            let input = try ManifestLoader.load([interconnectExamplePath])
            let planned = try await zoned.plan(loading: Task { input }, prune: false)
            servers[1].kill()
            let results = try await within(seconds: 60) { await zoned.apply(planned, prune: false) }
            #expect(results.map(\.zone) == Self.zoneNames)
            if case .success = results[1].result { Issue.record("the stopped zone was reported as written") }
            #expect(try results[0].result.get().writesSent > 0 && results[2].result.get().writesSent > 0)
            #expect(try await ownedRows(servers[0]) == interconnectExpected["zone-a"]!.rows)

            try await servers[1].restart()
            let c = try await OVSDBConnection.connect(to: servers[1].remote)
            defer { Task { await c.close() } }
            var engines = zoned.engines
            engines[1] = EgressEngine(connection: c, settings: interconnectSettings, zone: .database)
            let again = ZonedEngine(engines: engines, labels: zoned.labels)
            let rerun = await again.apply(try await again.plan(loading: Task { input }, prune: false), prune: false)
            #expect(try rerun[0].result.get().writesSent == 0 && rerun[2].result.get().writesSent == 0)
            #expect(try rerun[1].result.get().writesSent > 0)
            #expect(try await ownedRows(servers[1]) == interconnectExpected["zone-b"]!.rows)
        }
    }

    @Test("two databases with the same zone name are refused, with nothing written to either")
    func duplicateZoneRefused() async throws {
        try await withZoneServers(["zone-a", "zone-a"]) { servers, zoned in
            let input = try ManifestLoader.load([interconnectExamplePath])
            await #expect(throws: EngineError.self) { try await zoned.plan(loading: Task { input }, prune: false) }
            for s in servers { #expect(try await ownedRows(s).isEmpty) }
        }
    }

    @Test("delete removes the service from every zone, its :ic rows and served pods included")
    func deleteEveryZone() async throws {
        try await withZoneServers(Self.zoneNames) { servers, zoned in
            let input = try ManifestLoader.load([interconnectExamplePath])
            _ = await zoned.apply(try await zoned.plan(loading: Task { input }, prune: false), prune: false)
            let results = await zoned.delete(service: "shop/web")
            #expect(results.map(\.zone) == Self.zoneNames)
            for (name, server) in zip(Self.zoneNames, servers) {
                let expected = interconnectExpected[name]!.rows.filter { !$0.hasPrefix("shop/web") }
                #expect(try await ownedRows(server) == expected, "zone \(name)")
                #expect(try await servedPods(server).allSatisfy { !["10.128.1.5", "10.128.2.5", "10.128.3.5", "10.128.4.5"].contains($0) })
            }
        }
    }
}
