import Foundation
import OVSDBClient
import OVSDBTestSupport
import Testing

@Suite("ovn-egressctl end to end")
struct CLITests {
    @Test("diff exits 1, apply writes, diff exits 0, apply again writes nothing; --db and OVN_NB_DB both work")
    func diffApplyDiff() async throws {
        try await withRouterServer { server in
            let worked = examples + "/worked-example"
            let d1 = try await ctl(["diff", "-f", worked], db: server.remote)
            #expect(d1.status == 1)
            #expect(d1.stdout.contains("+ 101 ip4.src == 10.124.0.3 reroute 10.124.2.2"))
            let a1 = try await ctl(["apply", "--db", server.remote, "-f", worked])
            #expect(a1.status == 0, "\(a1.stderr)")
            #expect(a1.stdout.contains("4 write operation(s) in 1 transaction(s)"))
            // Connection flags may come first, as with ovn-nbctl.
            let d2 = try await ctl(["--db=\(server.remote)", "diff", "-f", worked])
            #expect(d2.status == 0)
            #expect(d2.stdout.hasSuffix("no changes\n"))
            let a2 = try await ctl(["apply", "-f", worked, "--json"], db: server.remote)
            #expect(a2.status == 0)
            #expect(try JanssonCodec.decode(a2.stdout)["writeOperations"] == .integer(0))
            #expect(try await server.nbctl(["lr-policy-list", "ovn_cluster_router"]).contains("10.124.2.2"))
        }
    }

    @Test("--help of every command: text fits 80 columns (the one-line USAGE synopsis aside), and no example line is broken by the wrapping")
    func helpWrapsCleanly() async throws {
        for command in ["apply", "diff", "list", "explain", "node-plan", "delete", "run", "metallb"] {
            let help = try await ctl([command, "--help"])
            #expect(help.status == 0)
            var inExamples = false
            for line in help.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
                #expect(line.count <= 80 || line.hasPrefix("USAGE: "), "\(command): \(line)")
                if line == "Examples:" { inExamples = true; continue }
                if line.isEmpty { inExamples = false }
                if inExamples { #expect(line.hasPrefix("  "), "\(command) --help: an example line wrapped: \(line)") }
            }
        }
    }

    @Test("apply --dry-run and a manifest on stdin write nothing")
    func dryRunAndStdin() async throws {
        try await withRouterServer { server in
            let text = try String(contentsOfFile: examples + "/worked-example/service.yaml", encoding: .utf8)
                + "---\n" + (try String(contentsOfFile: examples + "/worked-example/nodes.yaml", encoding: .utf8))
            let dry = try await ctl(["apply", "-f", "-", "--dry-run"], db: server.remote, stdin: text)
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stdout.contains("+ 101 ip4.src == 10.124.0.3"))
            #expect(try await server.nbctl(["--bare", "--columns=_uuid", "list", "Address_Set"]).isEmpty)
        }
    }

    @Test("list in table, json and csv; explain; delete")
    func listExplainDelete() async throws {
        try await withRouterServer { server in
            let worked = examples + "/worked-example"
            _ = try await ctl(["apply", "-f", worked], db: server.remote)
            let table = try await ctl(["list", "-f", worked], db: server.remote)
            #expect(table.stdout == """
            SERVICE                  HOST     NEXTHOP     ENDPOINTS  DRIFT
            default/example-service  work002  10.124.2.2  1          -

            """)
            let json = try await ctl(["list", "--format", "json"], db: server.remote)
            #expect(json.stdout == #"[{"DRIFT":"-","ENDPOINTS":"1","HOST":"10.124.2.2","NEXTHOP":"10.124.2.2","SERVICE":"default/example-service"}]"# + "\n")
            let csv = try await ctl(["list", "--format", "csv", "--no-headings"], db: server.remote)
            #expect(csv.stdout == "default/example-service,10.124.2.2,10.124.2.2,1,-\n")
            let explain = try await ctl(["explain", "10.124.0.3", "-f", worked], db: server.remote)
            #expect(explain.stdout.contains("rerouted to node work002"))
            #expect(explain.stdout.contains("on work002: SNAT 10.124.0.3 to 172.18.255.200"))
            let delete = try await ctl(["delete", "default/example-service"], db: server.remote)
            #expect(delete.status == 0)
            let left = try await server.nbctl(["--bare", "--columns=priority", "list", "Logical_Router_Policy"])
            #expect(left.trimmingCharacters(in: .whitespacesAndNewlines) == "102")
            #expect(try await server.nbctl(["--bare", "--columns=addresses", "list", "Address_Set"]).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        }
    }

    @Test("list --policies: one record per owned policy in every format")
    func listPolicies() async throws {
        try await withRouterServer { server in
            _ = try await ctl(["apply", "-f", examples + "/dual-stack"], db: server.remote)
            let json = try await ctl(["list", "--policies", "--format", "json", "-f", examples + "/dual-stack"], db: server.remote)
            #expect(json.status == 0, "\(json.stderr)")
            let rows = try JanssonCodec.decode(json.stdout).arrayValue ?? []
            let uuids = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Policy", "priority=101"])
            #expect(rows.count == uuids.split(separator: "\n").filter { !$0.isEmpty }.count)
            #expect(Set(rows.compactMap { $0["UUID"]?.stringValue }) == Set(uuids.split(separator: "\n").filter { !$0.isEmpty }.map(String.init)))
            for row in rows { #expect(row["NODE"]?.stringValue?.isEmpty == false && row["NODE"]?.stringValue != "?") }
            let csv = try await ctl(["list", "--policies", "--format", "csv"], db: server.remote)
            #expect(csv.stdout.hasPrefix("SERVICE,POD_IP,NEXTHOP,NODE,UUID\n"))
            #expect(csv.stdout.split(separator: "\n").count == rows.count + 1)
        }
    }

    @Test("two apply processes racing end in the correct state with no duplicate row")
    func twoProcessesRace() async throws {
        try await withRouterServer { server in
            let many = examples + "/many-services"
            async let a = ctl(["apply", "-f", many], db: server.remote)
            async let b = ctl(["apply", "-f", many], db: server.remote)
            let (ra, rb) = try await (a, b)
            #expect(ra.status == 0, "\(ra.stderr)")
            #expect(rb.status == 0, "\(rb.stderr)")
            let policies = try await server.nbctl(["--bare", "--columns=match,external_ids", "find", "Logical_Router_Policy", "priority=101"])
            let rows = policies.split(separator: "\n\n").map(String.init)
            #expect(rows.count == 1000, "40 services x 25 endpoints")
            #expect(Set(rows).count == rows.count, "no duplicate policy")
            let sets = try await server.nbctl(["--bare", "--columns=name", "list", "Address_Set"])
            #expect(sets.split(separator: "\n").filter { !$0.isEmpty }.count == 1)
            let again = try await ctl(["diff", "-f", many], db: server.remote)
            #expect(again.status == 0)
        }
    }

    @Test("node-plan prints ready-to-pipe iptables-restore input")
    func nodePlan() async throws {
        let out = try await ctl(["node-plan", "work002", "-f", examples + "/worked-example"])
        #expect(out.status == 0)
        #expect(out.stdout.contains("-A OVN-KUBE-EGRESS-SVC -s 10.124.0.3/32 -m comment --comment \"default/example-service\" -j SNAT --to-source 172.18.255.200"))
    }

    @Test("errors: bad flag, unreachable database, bad manifest: a clear message, exit 2, nothing written")
    func errors() async throws {
        try await withRouterServer { server in
            let bad = try await ctl(["apply", "--no-such-flag"], db: server.remote)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("no-such-flag"))
            let unreachable = try await ctl(["list", "--db", "unix:/tmp/ovn-egressctl-no-such.sock"])
            #expect(unreachable.status == 2)
            #expect(unreachable.stderr.contains("cannot connect to unix:/tmp/ovn-egressctl-no-such.sock (no such socket): is ovsdb-server running"),
                    "\(unreachable.stderr)")
            let dir = NSTemporaryDirectory() + "bad-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let good = try String(contentsOfFile: examples + "/worked-example/service.yaml", encoding: .utf8)
            try good.replacingOccurrences(of: "- addresses: [10.124.0.3]", with: "- addresses: [10.124.00.3]")
                .write(toFile: dir + "/service.yaml", atomically: true, encoding: .utf8)
            let manifest = try await ctl(["apply", "-f", dir, "-f", examples + "/worked-example/nodes.yaml"], db: server.remote)
            #expect(manifest.status == 2)
            #expect(manifest.stderr.contains("service.yaml"))
            #expect(manifest.stderr.contains("document 1"))
            #expect(manifest.stderr.contains("EndpointSlice default/example-service-x7k2p"))
            #expect(manifest.stderr.contains("endpoints[0].addresses[0]"))
            #expect(try await server.nbctl(["--bare", "--columns=_uuid", "list", "Logical_Router_Policy"]).isEmpty)
            // An EgressService without its Service is a warning, an error with --strict.
            let orphan = dir + "/orphan"
            try FileManager.default.createDirectory(atPath: orphan, withIntermediateDirectories: true)
            try "apiVersion: k8s.ovn.org/v1\nkind: EgressService\nmetadata: {name: ghost, namespace: default}\n"
                .write(toFile: orphan + "/egress.yaml", atomically: true, encoding: .utf8)
            let lenient = try await ctl(["diff", "-f", orphan, "-f", examples + "/worked-example/nodes.yaml"], db: server.remote)
            #expect(lenient.stderr.contains("warning: EgressService default/ghost: no Service default/ghost"))
            let strict = try await ctl(["apply", "--strict", "-f", orphan, "-f", examples + "/worked-example/nodes.yaml"], db: server.remote)
            #expect(strict.status == 2)
            #expect(strict.stderr.contains("--strict"))
            #expect(try await server.nbctl(["--bare", "--columns=_uuid", "list", "Address_Set"]).isEmpty)
        }
    }

    @Test("--help for every command shows examples")
    func help() async throws {
        for command in ["apply", "diff", "list", "explain", "node-plan", "delete"] {
            let out = try await ctl([command, "--help"])
            #expect(out.status == 0)
            #expect(out.stdout.contains("Example"), "\(command) --help has no example")
        }
        let version = try await ctl(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("ovn-egressctl "))
    }
}
