import Foundation
import OVSDBClient
import OVSDBTestSupport
import Testing

/// A network namespace of the test's own, removed at the end: the node agent changes a
/// node's netfilter rules, so it runs only inside one (root is needed to make it).
private final class NetworkNamespace: @unchecked Sendable {
    let name: String

    init(_ name: String) async throws {
        self.name = name
        _ = try await OVSDBServerFixture.executeOffPool("/usr/sbin/ip", ["netns", "del", name])
        let made = try await OVSDBServerFixture.executeOffPool("/usr/sbin/ip", ["netns", "add", name])
        guard made.status == 0 else { throw FixtureError("ip netns add \(name): \(made.stderr)") }
        // The agent's metrics listen on the namespace's own loopback.
        _ = try await run(["ip", "link", "set", "lo", "up"])
    }

    /// Runs a command inside the namespace; its stdout.
    func run(_ argv: [String]) async throws -> String {
        let out = try await OVSDBServerFixture.executeOffPool("/usr/sbin/ip", ["netns", "exec", name] + argv)
        guard out.status == 0 else { throw FixtureError("\(argv.joined(separator: " ")): \(out.stderr)") }
        return out.stdout
    }

    deinit {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "del", name]
        try? p.run()
        p.waitUntilExit()
    }
}

private let canMakeNamespaces = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
    && FileManager.default.isExecutableFile(atPath: "/usr/sbin/iptables-restore") && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")

/// The worked example in a temporary folder, with spec.network set to table 100.
private func workedExample() throws -> String {
    let dir = try exampleCopy("worked-example", files: ["nodes.yaml", "service.yaml"])
    try atomicRewrite(dir + "/service.yaml") {
        $0.replacingOccurrences(of: "  sourceIPBy: LoadBalancerIP\n", with: "  sourceIPBy: LoadBalancerIP\n  network: \"100\"\n")
    }
    return dir
}

/// The host moves to work001: the file is rewritten and renamed into place.
private func moveHost(_ dir: String) throws {
    try atomicRewrite(dir + "/service.yaml") { $0.replacingOccurrences(of: "kubernetes.io/hostname: work002", with: "kubernetes.io/hostname: work001") }
}

@Suite("ovn-egressctl run --node: the node agent in a network namespace", .serialized,
       .enabled(if: canMakeNamespaces, "needs root, ip, iptables-restore and nft: the agent changes netfilter rules, so it runs only in a namespace the test makes"))
struct NodeAgentCLITests {
    @Test("iptables: chain, one jump first in POSTROUTING, ip rule, labels file; a flushed chain and a deleted jump are repaired within 1.5 s; the host moves away and the rules go; a foreign rule stays")
    func iptables() async throws {
        let ns = try await NetworkNamespace("egress-agent-ipt")
        let dir = try workedExample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try await ns.run(["iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "192.0.2.0/24", "-j", "MASQUERADE"])
        _ = try await ns.run(["iptables", "-t", "nat", "-N", "SOMEONE-ELSE"])
        _ = try await ns.run(["iptables", "-t", "nat", "-A", "SOMEONE-ELSE", "-s", "198.51.100.7/32", "-j", "SNAT", "--to-source", "203.0.113.1"])
        let foreign = ["-A POSTROUTING -s 192.0.2.0/24 -j MASQUERADE", "-A SOMEONE-ELSE -s 198.51.100.7/32 -j SNAT --to-source 203.0.113.1"]
        let agent = try RunningCtl(["run", "--node", "work002", "-f", dir, "--labels-file", dir + "/labels", "--metrics", "127.0.0.1:0"],
                                   db: "unix:/nonexistent", logPath: dir + ".log", prefix: ["/usr/sbin/ip", "netns", "exec", ns.name])
        defer { agent.signal(SIGKILL) }
        let rules = { try await ns.run(["iptables", "-t", "nat", "-S"]).split(separator: "\n").map(String.init) }
        let snat = "-A OVN-KUBE-EGRESS-SVC -s 10.124.0.3/32 -m comment --comment \"default/example-service\" -j SNAT --to-source 172.18.255.200"
        #expect(try await eventuallyAsync(seconds: 10) { try await rules().contains(snat) }, "\(agent.log)")
        var now = try await rules()
        #expect(now.filter { $0 == "-A POSTROUTING -j OVN-KUBE-EGRESS-SVC" }.count == 1)
        #expect(now.firstIndex(of: "-A POSTROUTING -j OVN-KUBE-EGRESS-SVC")! < now.firstIndex(of: foreign[0])!, "the jump comes first: \(now)")
        #expect(foreign.allSatisfy(now.contains))
        #expect(try await eventuallyAsync(seconds: 2) { try await ns.run(["ip", "rule", "show", "priority", "5000"]).contains("from 10.124.0.3 lookup 100") })
        #expect(try String(contentsOfFile: dir + "/labels", encoding: .utf8) == "egress-service.k8s.ovn.org/default-example-service=\n")
        let port = try await agent.metricsPort()
        #expect(try await eventuallyAsync(seconds: 2) { try await httpGet(port: port, path: "/healthz", namespace: ns.name).0 == 200 })

        // Someone flushes the chain, then deletes the jump: each is back within 1.5 s.
        _ = try await ns.run(["iptables", "-t", "nat", "-F", "OVN-KUBE-EGRESS-SVC"])
        #expect(try await eventuallyAsync(seconds: 1.5) { try await rules().contains(snat) }, "\(agent.log)")
        _ = try await ns.run(["iptables", "-t", "nat", "-D", "POSTROUTING", "-j", "OVN-KUBE-EGRESS-SVC"])
        #expect(try await eventuallyAsync(seconds: 1.5) { try await rules().contains("-A POSTROUTING -j OVN-KUBE-EGRESS-SVC") }, "\(agent.log)")
        #expect(agent.log.contains("iptables: repaired"))
        #expect(try await eventuallyAsync(seconds: 2) { try await httpGet(port: port, path: "/metrics", namespace: ns.name).1.contains("ovn_egressctl_node_repairs_total 2") })

        try moveHost(dir)
        #expect(try await eventuallyAsync(seconds: 5) { try await !rules().contains(snat) }, "\(agent.log)")
        now = try await rules()
        #expect(now.contains("-A OVN-KUBE-EGRESS-SVC -m mark --mark 0x3f0 -m comment --comment DoNotSNAT -j RETURN"))
        #expect(foreign.allSatisfy(now.contains), "\(now)")
        #expect(try await eventuallyAsync(seconds: 2) { try await ns.run(["ip", "rule", "show", "priority", "5000"]).isEmpty })
        #expect(try String(contentsOfFile: dir + "/labels", encoding: .utf8) == "")
        agent.signal(SIGTERM)
        #expect(await agent.exitStatus(within: 10) == 0, "\(agent.log)")
    }

    @Test("nftables: the maps and the postrouting chain in inet ovn-kubernetes; a flushed map is repaired; the host moves away and the element goes; a foreign table stays")
    func nftables() async throws {
        let ns = try await NetworkNamespace("egress-agent-nft")
        let dir = try workedExample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try await ns.run(["nft", "add table inet someone-else; add chain inet someone-else c { type nat hook postrouting priority 50 ; }; add rule inet someone-else c ip saddr 192.0.2.0/24 masquerade"])
        let foreignBefore = try await ns.run(["nft", "list", "table", "inet", "someone-else"])
        let agent = try RunningCtl(["run", "--node", "work002", "-f", dir, "--output", "nftables"],
                                   db: "unix:/nonexistent", logPath: dir + ".nft.log", prefix: ["/usr/sbin/ip", "netns", "exec", ns.name])
        defer { agent.signal(SIGKILL) }
        let map = { try await ns.run(["nft", "list", "map", "inet", "ovn-kubernetes", "egress-service-snat-v4"]) }
        #expect(try await eventuallyAsync(seconds: 10) { (try? await map())?.contains("10.124.0.3 : 172.18.255.200") ?? false }, "\(agent.log)")
        let chain = try await ns.run(["nft", "list", "chain", "inet", "ovn-kubernetes", "egress-services"])
        #expect(chain.contains("type nat hook postrouting priority srcnat; policy accept;") && chain.contains("snat ip to ip saddr map @egress-service-snat-v4"), "\(chain)")

        _ = try await ns.run(["nft", "flush", "map", "inet", "ovn-kubernetes", "egress-service-snat-v4"])
        #expect(try await eventuallyAsync(seconds: 1.5) { try await map().contains("10.124.0.3 : 172.18.255.200") }, "\(agent.log)")
        try moveHost(dir)
        #expect(try await eventuallyAsync(seconds: 5) { try await !map().contains("10.124.0.3") }, "\(agent.log)")
        #expect(try await ns.run(["nft", "list", "table", "inet", "someone-else"]) == foreignBefore)
        agent.signal(SIGTERM)
        #expect(await agent.exitStatus(within: 10) == 0, "\(agent.log)")
    }

    @Test("node-plan --output nftables is one flush-and-refill transaction: fed again after the host moved away, no element is left")
    func nodePlanNFTablesFlushes() async throws {
        let ns = try await NetworkNamespace("egress-plan-nft")
        let dir = try workedExample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let feed = {
            let plan = try await ctl(["node-plan", "work002", "-f", dir, "--output", "nftables"])
            let out = try await OVSDBServerFixture.executeOffPool("/usr/sbin/ip", ["netns", "exec", ns.name, "nft", "-f", "-"], stdin: plan.stdout)
            #expect(out.status == 0, "\(out.stderr)")
        }
        try await feed()
        #expect(try await ns.run(["nft", "list", "map", "inet", "ovn-kubernetes", "egress-service-snat-v4"]).contains("10.124.0.3 : 172.18.255.200"))
        try await feed()
        try moveHost(dir)
        try await feed()
        #expect(!(try await ns.run(["nft", "list", "map", "inet", "ovn-kubernetes", "egress-service-snat-v4"]).contains("10.124.0.3")))
        // Three feeds, one set of rules: the chain was flushed each time.
        let chain = try await ns.run(["nft", "list", "chain", "inet", "ovn-kubernetes", "egress-services"]).split(separator: "\n")
        #expect(chain.filter { $0.contains("snat ip") }.count == 2 && chain.filter { $0.contains("return") }.count == 1, "\(chain)")
    }
}
