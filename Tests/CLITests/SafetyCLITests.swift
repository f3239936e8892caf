import Foundation
import OVSDBClient
import OVSDBTestSupport
import Testing

/// A temp folder with the given files, removed afterwards.
private func withFolder(_ files: [String: String], _ body: (String) async throws -> Void) async throws {
    let dir = NSTemporaryDirectory() + "egressctl-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    try await body(dir)
}

private func workedExample() throws -> String {
    try String(contentsOfFile: examples + "/worked-example/service.yaml", encoding: .utf8) + "\n---\n"
        + String(contentsOfFile: examples + "/worked-example/nodes.yaml", encoding: .utf8)
}

private func policyCount(_ server: OVSDBServerFixture) async throws -> Int {
    try await server.nbctl(["--bare", "--columns=_uuid", "list", "Logical_Router_Policy"]).split(separator: "\n").filter { !$0.isEmpty }.count
}

private func runTool(_ path: String, _ args: [String], stdin: String) async throws -> Int32 {
    try await OVSDBServerFixture.executeOffPool(path, args, stdin: stdin).status
}

/// The documents of a multi-document YAML file that `keep` selects.
private func documents(_ text: String, _ keep: (String) -> Bool) -> String {
    text.components(separatedBy: "\n---\n").filter(keep).joined(separator: "\n---\n")
}

@Suite("ovn-egressctl safety end to end")
struct SafetyCLITests {
    @Test("a hostile value refuses every command and node-plan format: exit 2, empty stdout, nothing written")
    func hostileRefused() async throws {
        let good = try workedExample()
        let variants: [(String, String, String)] = [
            ("  sourceIPBy: LoadBalancerIP", "  sourceIPBy: LoadBalancerIP\n  network: \"100; reboot\"", "spec.network"),
            ("  namespace: default\nspec:\n  sourceIPBy", "  namespace: \"default$(id)\"\nspec:\n  sourceIPBy", "metadata.namespace"),
            ("  nodeName: work001", "  nodeName: \"work001\\n-A OVN-KUBE-EGRESS-SVC -j ACCEPT\"", "endpoints[0].nodeName"),
            ("      kubernetes.io/hostname: work002\n", "      kubernetes.io/hostname: \"work002 `id`\"\n", "spec.nodeSelector.matchLabels"),
        ]
        try await withRouterServer { server in
            for (from, to, field) in variants {
                #expect(good.contains(from), "the template changed: \(from)")
                try await withFolder(["cluster.yaml": good.replacingOccurrences(of: from, with: to)]) { dir in
                    var runs = ["json", "iptables", "ip6tables", "nftables", "ip-rules", "labels"].map { ["node-plan", "work002", "-f", dir, "--output", $0] }
                    runs += [["apply", "-f", dir], ["apply", "-f", dir, "--prune"], ["diff", "-f", dir], ["list", "-f", dir], ["explain", "10.124.0.3", "-f", dir]]
                    for args in runs {
                        let out = try await ctl(args, db: server.remote)
                        #expect(out.status == 2, "\(args)")
                        #expect(out.stdout.isEmpty, "\(args) printed \(out.stdout)")
                        #expect(out.stderr.contains("cluster.yaml") && out.stderr.contains(field), "\(args): \(out.stderr)")
                        #expect(out.stderr.split(separator: "\n").count == 1, "one line of error: \(out.stderr)")
                    }
                }
            }
            #expect(try await policyCount(server) == 0)
        }
    }

    @Test("valid output is accepted by iptables-restore --test, ip6tables-restore --test, nft -c and sh -n where installed")
    func toolsAcceptOutput() async throws {
        let text = try workedExample().replacingOccurrences(of: "  sourceIPBy: LoadBalancerIP", with: "  sourceIPBy: LoadBalancerIP\n  network: vrf-blue")
        try await withFolder(["cluster.yaml": text]) { dir in
            let checks: [(output: String, tool: String, args: [String])] = [
                ("iptables", "/usr/sbin/iptables-restore", ["--test", "--noflush"]),
                ("ip6tables", "/usr/sbin/ip6tables-restore", ["--test", "--noflush"]),
                ("nftables", "/usr/sbin/nft", ["-c", "-f", "-"]),
                ("ip-rules", "/bin/sh", ["-n"]),
            ]
            var checked = 0
            for c in checks where FileManager.default.isExecutableFile(atPath: c.tool) {
                let out = try await ctl(["node-plan", "work002", "-f", dir, "--output", c.output])
                #expect(out.status == 0, "\(out.stderr)")
                #expect(!out.stdout.isEmpty)
                #expect(try await runTool(c.tool, c.args, stdin: out.stdout) == 0, "\(c.tool) refused:\n\(out.stdout)")
                checked += 1
            }
            #expect(checked >= 1, "at least sh is there")
            let rules = try await ctl(["node-plan", "work002", "-f", dir, "--output", "ip-rules"])
            #expect(rules.stdout == "ip rule add prio 5000 from 10.124.0.3 table 'vrf-blue'\nip rule add prio 5000 from 10.96.12.7 table 'vrf-blue'\n")
        }
    }

    @Test("an empty folder, a blank file or empty stdin is an error, with or without --prune, and writes nothing")
    func emptyInput() async throws {
        try await withRouterServer { server in
            _ = try await ctl(["apply", "-f", examples + "/worked-example"], db: server.remote)
            let before = try await server.nbctl(["--format=json", "list", "Logical_Router_Policy"])
            try await withFolder(["blank.yaml": "\n# nothing here\n---\n"]) { dir in
                let emptyDir = dir + "/empty"
                try FileManager.default.createDirectory(atPath: emptyDir, withIntermediateDirectories: true)
                for args in [["apply", "-f", emptyDir], ["apply", "-f", emptyDir, "--prune"], ["apply", "-f", dir + "/blank.yaml", "--prune"],
                             ["apply", "-f", "-", "--prune"], ["diff", "-f", "-"], ["apply", "-f", dir + "/blank.yaml"]] {
                    let out = try await ctl(args, db: server.remote, stdin: "")
                    #expect(out.status == 2, "\(args)")
                    #expect(out.stderr.contains("no Kubernetes objects"), "\(args): \(out.stderr)")
                    #expect(out.stdout.isEmpty)
                }
            }
            #expect(try await server.nbctl(["--format=json", "list", "Logical_Router_Policy"]) == before)
        }
    }

    @Test("with the database unreachable, a bad manifest is still the error, at once: the database is read beside the manifests, not before them")
    func badInputBeforeDatabase() async throws {
        try await withFolder(["blank.yaml": "\n# nothing here\n---\n"]) { dir in
            let unreachable = "unix:" + dir + "/no-such.sock"
            for args in [["apply", "-f", dir + "/blank.yaml"], ["diff", "-f", dir + "/blank.yaml"], ["apply", "--dry-run", "-f", "-"]] {
                let start = ContinuousClock.now
                // The connection would keep retrying for most of the 600 s: a bound far below
                // that tells waiting from not waiting on any machine, however loaded.
                let out = try await ctl(args + ["--timeout", "600"], db: unreachable, stdin: "")
                let took = ContinuousClock.now - start
                #expect(out.status == 2, "\(args)")
                #expect(out.stderr.contains("no Kubernetes objects"), "\(args): \(out.stderr)")
                #expect(took < .seconds(120), "\(args) took \(took): the manifest error waited for the database")
                #expect(out.stdout.isEmpty)
            }
        }
    }

    @Test("a partial input leaves other services' rows byte for byte; diff lists them as kept; --prune removes them")
    func partialInput() async throws {
        let all = try String(contentsOfFile: examples + "/many-services/cluster.yaml", encoding: .utf8)
        let partial = documents(all) { $0.contains("kind: Node") || $0.contains("name: svc-00,") || $0.contains("name: svc-00-abc") }
        try await withRouterServer { server in
            let applied = try await ctl(["apply", "-f", examples + "/many-services"], db: server.remote)
            #expect(applied.status == 0, "\(applied.stderr)")
            let before = try await server.nbctl(["--format=json", "list", "Logical_Router_Policy"])
            let setsBefore = try await server.nbctl(["--format=json", "list", "Address_Set"])
            try await withFolder(["partial.yaml": partial]) { dir in
                let diff = try await ctl(["diff", "-f", dir], db: server.remote)
                #expect(diff.status == 0, "nothing differs for svc-00: \(diff.stdout)")
                #expect(diff.stdout.contains("team-1/svc-01: not in the input, kept (25 policies; --prune removes them)"))
                let apply = try await ctl(["apply", "-f", dir], db: server.remote)
                #expect(apply.stdout.hasSuffix("0 write operation(s) in 0 transaction(s)\n"))
                #expect(try await server.nbctl(["--format=json", "list", "Logical_Router_Policy"]) == before)
                #expect(try await server.nbctl(["--format=json", "list", "Address_Set"]) == setsBefore)

                let pruneDiff = try await ctl(["diff", "-f", dir, "--prune", "--json"], db: server.remote)
                #expect(pruneDiff.status == 1)
                let plan = try JanssonCodec.decode(pruneDiff.stdout)
                #expect(plan["services"]?["team-1/svc-01"]?["removed"]?.arrayValue?.count == 25)
                #expect(plan["services"]?["team-1/svc-01"]?["removed"]?.arrayValue?.first?["reason"] == .string("pruned"))
                let pruned = try await ctl(["apply", "-f", dir, "--prune"], db: server.remote)
                #expect(pruned.status == 0)
                let left = try await server.nbctl(["--bare", "--columns=external_ids", "find", "Logical_Router_Policy", "priority=101"])
                let owners = Set(left.split(separator: "\n").map(String.init))
                #expect(owners == ["EgressSVC=team-0/svc-00"], "\(owners)")
                #expect(left.split(separator: "\n").count == 25)
            }
        }
    }

    @Test("a shared pod IP: a warning naming it on diff and apply; --strict refuses; list and explain show the conflict")
    func sharedPodIP() async throws {
        let base = try workedExample()
        let second = """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: other, namespace: default}
        spec: {type: LoadBalancer, clusterIPs: [10.96.12.8]}
        status: {loadBalancer: {ingress: [{ip: 172.18.255.201}]}}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: other-1, namespace: default, labels: {kubernetes.io/service-name: other}}
        addressType: IPv4
        endpoints:
        - {addresses: [10.124.0.3], nodeName: work001}
        ---
        apiVersion: k8s.ovn.org/v1
        kind: EgressService
        metadata: {name: other, namespace: default}
        spec:
          nodeSelector: {matchLabels: {kubernetes.io/hostname: work001}}

        """
        try await withRouterServer { server in
            try await withFolder(["cluster.yaml": base + second]) { dir in
                let strict = try await ctl(["apply", "--strict", "-f", dir], db: server.remote)
                #expect(strict.status == 2)
                #expect(strict.stderr.contains("pod IP 10.124.0.3 is an endpoint of several egress services: default/example-service reroutes it; default/other get no policy"))
                #expect(try await policyCount(server) == 0)
                let diff = try await ctl(["diff", "-f", dir], db: server.remote)
                #expect(diff.stderr.contains("warning: pod IP 10.124.0.3"))
                #expect(diff.stdout.contains("shared pod IP 10.124.0.3: rerouted by default/example-service, not by default/other"))
                let apply = try await ctl(["apply", "-f", dir], db: server.remote)
                #expect(apply.status == 0)
                #expect(apply.stderr.contains("warning: pod IP 10.124.0.3"))
                let matches = try await server.nbctl(["--bare", "--columns=match", "find", "Logical_Router_Policy", "priority=101"])
                #expect(matches.split(separator: "\n").filter { !$0.isEmpty } == ["ip4.src == 10.124.0.3"])
                let explain = try await ctl(["explain", "10.124.0.3", "-f", dir], db: server.remote)
                #expect(explain.stdout.contains("shared by the manifests' services default/example-service, default/other: default/example-service reroutes it"))
            }
            // Another writer (an older tool) left a second owner's policy for the same IP.
            try await server.nbctl(["--", "--id=@p", "create", "Logical_Router_Policy", "priority=101", "match=\"ip4.src == 10.124.0.3\"",
                                    "action=reroute", "nexthops=\"10.124.0.2\"", "external_ids:EgressSVC=default/other",
                                    "--", "add", "Logical_Router", "ovn_cluster_router", "policies", "@p"])
            let list = try await ctl(["list", "--format", "json"], db: server.remote)
            let rows = try JanssonCodec.decode(list.stdout).arrayValue ?? []
            #expect(rows.count == 2)
            for row in rows { #expect(row["DRIFT"]?.stringValue?.contains("conflict: 10.124.0.3 is also rerouted by") == true, "\(row)") }
            let explain = try await ctl(["explain", "10.124.0.3"], db: server.remote)
            #expect(explain.stdout.contains("conflict: 2 services reroute this IP (default/example-service, default/other)"))
        }
    }

    @Test("list escapes what another writer put in external_ids")
    func listEscapes() async throws {
        try await withRouterServer { server in
            try await server.nbctl(["--", "--id=@p", "create", "Logical_Router_Policy", "priority=101", "match=\"ip4.src == 10.1.0.3\"",
                                    "action=reroute", "nexthops=\"10.1.0.2\"", "external_ids:EgressSVC=\"evil\\nSERVICE x\"",
                                    "--", "add", "Logical_Router", "ovn_cluster_router", "policies", "@p"])
            for format in ["table", "csv"] {
                let out = try await ctl(["list", "--format", format, "--no-headings"], db: server.remote)
                #expect(out.status == 0)
                #expect(out.stdout.split(separator: "\n").count == 1, "\(format): \(out.stdout)")
                #expect(out.stdout.contains("evil\\nSERVICE x"))
            }
        }
    }
}
