import Foundation
import OVSDBClient
import OVSDBTestSupport
import Testing

/// One server per zone name, each with the router and `NB_Global.name` set.
func withZoneRouterServers(_ names: [String], _ body: ([OVSDBServerFixture]) async throws -> Void) async throws {
    var servers: [OVSDBServerFixture] = []
    defer { for s in servers { s.stop() } }
    for name in names {
        let server = try await OVSDBServerFixture.start()
        servers.append(server)
        try await server.nbctl(["lr-add", "ovn_cluster_router", "--", "set", "NB_Global", ".", "name=\(name)"])
    }
    try await body(servers)
}

@Suite("ovn-egressctl across interconnect zones")
struct ZonesCLITests {
    static let interconnect = examples + "/interconnect"

    @Test("--db repeated: diff per zone (exit 1), apply one line per zone, diff exit 0, list with a ZONE column and --zone filter, JSON with zones")
    func everyCommandAcrossZones() async throws {
        try await withZoneRouterServers(["zone-a", "zone-b", "node-c"]) { servers in
            let dbs = servers.flatMap { ["--db", $0.remote] }
            let d1 = try await ctl(dbs + ["diff", "-f", Self.interconnect])
            #expect(d1.status == 1, "\(d1.stderr)")
            #expect(d1.stdout.hasPrefix("== zone zone-a (\(servers[0].remote))\n"))
            #expect(d1.stdout.contains("== zone node-c (\(servers[2].remote))\nbilling/ledger: host node-c\n  + 101 ip4.src == 10.128.4.7 reroute 10.128.4.2\n"
                                       + "billing/ledger:ic: host node-c\n  + 101 ip4.src == 10.128.2.7 reroute 10.128.4.2\n"))

            let a1 = try await ctl(dbs + ["apply", "-f", Self.interconnect])
            #expect(a1.status == 0, "\(a1.stderr)")
            let summary = a1.stdout.split(separator: "\n").suffix(3)
            #expect(summary == ["zone zone-a (\(servers[0].remote)): 9 write operation(s) in 1 transaction(s)",
                                "zone zone-b (\(servers[1].remote)): 6 write operation(s) in 1 transaction(s)",
                                "zone node-c (\(servers[2].remote)): 6 write operation(s) in 1 transaction(s)"][...])
            // ovn-nbctl, the reference peer, reads what each zone should hold.
            #expect(try await servers[1].nbctl(["lr-policy-list", "ovn_cluster_router"]).contains("ip4.src == 10.128.3.5") )
            #expect(try await servers[1].nbctl(["find", "Logical_Router_Policy", "external_ids:EgressSVC=\"shop/api:ic\""]).contains("10.128.3.2"))

            let d2 = try await ctl(dbs + ["diff", "-f", Self.interconnect])
            #expect(d2.status == 0, "\(d2.stdout)")
            let a2 = try await ctl(dbs + ["apply", "-f", Self.interconnect, "--json"])
            #expect(a2.status == 0)
            let zones = try JanssonCodec.decode(a2.stdout)["zones"]?.arrayValue ?? []
            #expect(zones.map { $0["zone"] } == [.string("zone-a"), .string("zone-b"), .string("node-c")])
            #expect(zones.map { $0["writeOperations"] } == [.integer(0), .integer(0), .integer(0)])
            #expect(zones.map { $0["remote"] } == servers.map { .string($0.remote) })

            let list = try await ctl(dbs + ["list", "--policies", "--format", "csv", "--no-headings", "-f", Self.interconnect])
            #expect(list.status == 0, "\(list.stderr)")
            let lines = list.stdout.split(separator: "\n")
            #expect(lines.count == 12)
            #expect(lines.contains { $0.hasPrefix("zone-b,shop/api:ic,10.128.1.6,10.128.3.2,node-b1,") })
            let onlyB = try await ctl(dbs + ["list", "--zone", "zone-b", "--format", "csv"])
            #expect(onlyB.stdout.split(separator: "\n").first == "ZONE,SERVICE,HOST,NEXTHOP,ENDPOINTS,DRIFT")
            #expect(onlyB.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("zone-b,") })
            #expect(onlyB.stdout.split(separator: "\n").count == 4)

            // explain follows a zone-b pod of shop/web (host node-a1, zone-a) across the zones.
            let ex = try await ctl(dbs + ["explain", "10.128.3.5", "-f", Self.interconnect])
            #expect(ex.status == 0, "\(ex.stderr)")
            #expect(ex.stdout.contains("== the packet across zones\n  pod on node-b1, zone zone-b\n"
                                       + "  zone zone-b: policy 101 \"ip4.src == 10.128.3.5\" reroute 100.88.0.2 (owner shop/web): node-a1's transit-switch port, into zone zone-a\n"
                                       + "  zone zone-a: policy 101 \"ip4.src == 10.128.3.5\" reroute 10.128.1.2 (owner shop/web:ic): node-a1's management port (ovn-k8s-mp0)\n"
                                       + "  on node-a1: SNAT 10.128.3.5 to 172.18.255.10 (shop/web)\n"), "\(ex.stdout)")

            let del = try await ctl(dbs + ["delete", "shop/web"])
            #expect(del.status == 0, "\(del.stderr)")
            for s in servers { #expect(!(try await s.nbctl(["find", "Logical_Router_Policy", "priority=101"])).contains("shop/web")) }
        }
    }

    @Test("examples/TwoZones, the library planning each zone offline, gives the rows apply writes in each zone (as list --policies reads them back)")
    func libraryExampleMatchesApply() async throws {
        let example = try ctlPath().replacingOccurrences(of: "/ovn-egressctl", with: "/egress-two-zones")
        let planned = try await OVSDBServerFixture.executeOffPool(example, [Self.interconnect, "zone-a", "zone-b", "node-c"])
        #expect(planned.status == 0, "\(planned.stderr)")
        try await withZoneRouterServers(["zone-a", "zone-b", "node-c"]) { servers in
            let dbs = servers.flatMap { ["--db", $0.remote] }
            #expect(try await ctl(dbs + ["--cluster-subnet", "10.128.0.0/14", "apply", "-f", Self.interconnect]).status == 0)
            let list = try await ctl(dbs + ["list", "--policies", "--format", "csv", "--no-headings"])
            // ZONE,SERVICE,POD_IP,NEXTHOP,...
            let written = Set(list.stdout.split(separator: "\n").map { $0.split(separator: ",").prefix(4).joined(separator: ",") })
            #expect(written == Self.libraryRows(planned.stdout), "\(planned.stdout)\n\(list.stdout)")
            #expect(written.count == 12)
        }
    }

    /// `zone,owner,pod IP,nexthop` for each reroute the example prints.
    static func libraryRows(_ output: String) -> Set<String> {
        var rows: Set<String> = []
        var zone = ""
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.first == "zone" { zone = String(words[1].dropLast()) }
            // "  101 ip4.src == IP reroute NEXTHOP  (OWNER)"
            if words.first == "101", words.count == 7 {
                rows.insert("\(zone),\(words[6].dropFirst().dropLast()),\(words[3]),\(words[5])")
            }
        }
        return rows
    }

    @Test("a zone that cannot be reached is named, the others are written, exit 2; once it is up a rerun converges")
    func unreachableZone() async throws {
        try await withZoneRouterServers(["zone-a", "zone-b", "node-c"]) { servers in
            servers[1].kill()
            let dbs = servers.flatMap { ["--db", $0.remote] }
            let a1 = try await ctl(dbs + ["apply", "-f", Self.interconnect])
            #expect(a1.status == 2)
            #expect(a1.stdout.contains("zone zone-a (\(servers[0].remote)): 9 write operation(s)"))
            #expect(a1.stdout.contains("zone at \(servers[1].remote): failed: "))
            #expect(a1.stderr.contains("1 of 3 zones failed: \(servers[1].remote)"), "\(a1.stderr)")
            try await servers[1].restart()
            let a2 = try await ctl(dbs + ["apply", "-f", Self.interconnect])
            #expect(a2.status == 0, "\(a2.stderr)")
            #expect(a2.stdout.contains("zone zone-a (\(servers[0].remote)): 0 write operation(s)"))
            #expect(a2.stdout.contains("zone zone-b (\(servers[1].remote)): 6 write operation(s)"))
        }
    }

    @Test("a zone whose server freezes (SIGSTOP) during the apply: the others are written, it is named, exit 2; resumed, a rerun converges and writes only it")
    func frozenZoneDuringApply() async throws {
        try await withZoneRouterServers(["zone-a", "zone-b", "node-c"]) { servers in
            let dbs = servers.flatMap { ["--db", $0.remote] }
            let pid = try #require(OVSDBServerFixture.pid(inFile: servers[1].directory + "/pid"))
            kill(pid, SIGSTOP)
            let a1 = try await ctl(dbs + ["--timeout", "6", "apply", "-f", Self.interconnect])
            kill(pid, SIGCONT)
            #expect(a1.status == 2, "\(a1.stdout)\(a1.stderr)")
            #expect(a1.stdout.contains("zone zone-a (\(servers[0].remote)): 9 write operation(s)"), "\(a1.stdout)")
            #expect(a1.stdout.contains("zone node-c (\(servers[2].remote)): 6 write operation(s)"), "\(a1.stdout)")
            #expect(a1.stderr.contains("1 of 3 zones failed"), "\(a1.stderr)")
            #expect(try await servers[1].nbctl(["find", "Logical_Router_Policy", "priority=101"]).isEmpty)
            let a2 = try await ctl(dbs + ["apply", "-f", Self.interconnect])
            #expect(a2.status == 0, "\(a2.stderr)")
            #expect(a2.stdout.contains("zone zone-a (\(servers[0].remote)): 0 write operation(s)"))
            #expect(a2.stdout.contains("zone zone-b (\(servers[1].remote)): 6 write operation(s)"))
        }
    }

    @Test("refused with nothing written: two databases of one zone, --zone with several --db, a database without NB_Global")
    func refusals() async throws {
        try await withZoneRouterServers(["zone-a", "zone-a"]) { servers in
            let dbs = servers.flatMap { ["--db", $0.remote] }
            let dup = try await ctl(dbs + ["apply", "-f", Self.interconnect])
            #expect(dup.status == 2)
            #expect(dup.stderr.contains("zone \"zone-a\" is named by several databases"), "\(dup.stderr)")
            let flag = try await ctl(dbs + ["apply", "--zone", "zone-a", "-f", Self.interconnect])
            #expect(flag.status == 2)
            #expect(flag.stderr.contains("--zone names the zone of a single --db"))
            for s in servers { #expect(try await s.nbctl(["find", "Logical_Router_Policy", "priority=101"]).isEmpty) }
        }
        try await withServer { server in
            try await server.nbctl(["lr-add", "ovn_cluster_router", "--", "destroy", "NB_Global", "."])
            let none = try await ctl(["--db", server.remote, "apply", "-f", Self.interconnect])
            #expect(none.status == 2)
            #expect(none.stderr.contains("no NB_Global row"), "\(none.stderr)")
            // --zone names it instead.
            let named = try await ctl(["--db", server.remote, "--zone", "zone-b", "apply", "-f", Self.interconnect])
            #expect(named.status == 0, "\(named.stderr)")
            #expect(try await server.nbctl(["find", "Logical_Router_Policy", "external_ids:EgressSVC=\"shop/api:ic\""]).contains("10.128.1.6"))
        }
    }
}
