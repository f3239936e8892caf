import Testing
@testable import EgressPolicy

@Suite("host selection")
struct HostSelectionTests {
    private let threeNodes = nodeYAML("node-2", subnets: ["10.1.2.0/24"]) + nodeYAML("node-10", subnets: ["10.1.10.0/24"])
        + nodeYAML("node-3", subnets: ["10.1.3.0/24"])

    private func hosts(_ yaml: String, live: [String: String] = [:]) throws -> [String: String] {
        HostSelection.select(try cluster(yaml), settings: EngineSettings(), liveHosts: live).hosts
    }

    @Test("the worked example picks work002")
    func workedExample() throws {
        let input = try ManifestLoader.load([workedExamplePath])
        let a = HostSelection.select(input, settings: EngineSettings())
        #expect(a.hosts == ["default/example-service": "work002"])
        #expect(a.endpoints["default/example-service"]?.map(\.description) == ["10.124.0.3"])
    }

    @Test("balanced by count, ties to the smallest name in byte order, deterministic")
    func balance() throws {
        let yaml = threeNodes + serviceYAML("a", "s1", endpoints: [("10.1.2.5", "node-2")])
            + serviceYAML("a", "s2", endpoints: [("10.1.2.6", "node-2")])
            + serviceYAML("a", "s3", endpoints: [("10.1.2.7", "node-2")])
            + serviceYAML("a", "s4", endpoints: [("10.1.2.8", "node-2")])
        let h = try hosts(yaml)
        #expect(h == ["a/s1": "node-10", "a/s2": "node-2", "a/s3": "node-3", "a/s4": "node-10"])
        #expect(try hosts(yaml) == h)
    }

    @Test("a current host that is still a candidate is kept; status.host wins over the database")
    func sticky() throws {
        let yaml = threeNodes + serviceYAML("a", "s1", endpoints: [("10.1.2.5", "node-2")], statusHost: "node-3")
            + serviceYAML("a", "s2", endpoints: [("10.1.2.6", "node-2")])
        #expect(try hosts(yaml, live: ["a/s1": "node-2", "a/s2": "node-3"]) == ["a/s1": "node-3", "a/s2": "node-3"])
        // A current host that is no longer ready is replaced.
        let notReady = nodeYAML("node-2", subnets: ["10.1.2.0/24"]) + nodeYAML("node-3", subnets: ["10.1.3.0/24"], ready: false)
            + serviceYAML("a", "s1", endpoints: [("10.1.2.5", "node-2")], statusHost: "node-3")
        #expect(try hosts(notReady) == ["a/s1": "node-2"])
    }

    @Test("ETP=Local limits candidates to nodes with an endpoint")
    func etpLocal() throws {
        let yaml = threeNodes + serviceYAML("a", "s", endpoints: [("10.1.3.9", "node-3")], etpLocal: true)
        #expect(try hosts(yaml) == ["a/s": "node-3"])
    }

    @Test("sourceIPBy=Network is ALL; no service, no ingress, no endpoint or no matching node is none")
    func noHost() throws {
        var yaml = threeNodes + serviceYAML("a", "net", endpoints: [("10.1.2.5", "node-2")], sourceIPBy: "Network")
        yaml += serviceYAML("a", "noingress", endpoints: [("10.1.2.5", "node-2")], ingress: [])
        yaml += serviceYAML("a", "hostnet", endpoints: [("192.168.1.5", "node-2")])
        yaml += serviceYAML("a", "nomatch", endpoints: [("10.1.2.5", "node-2")], selector: "zone: mars")
        yaml += "apiVersion: k8s.ovn.org/v1\nkind: EgressService\nmetadata: {name: ghost, namespace: a}\n---\n"
        let a = HostSelection.select(try cluster(yaml), settings: EngineSettings())
        #expect(a.hosts == ["a/net": "ALL", "a/noingress": "", "a/hostnet": "", "a/nomatch": "", "a/ghost": ""])
        #expect(a.warnings.count == 4)
    }

    @Test("dual stack: one policy per family, nexthop of the same family")
    func dualStack() throws {
        let yaml = nodeYAML("n1", subnets: ["10.1.1.0/24", "fd00:10:244:1::/64"]) + nodeYAML("n2", subnets: ["10.1.2.0/24", "fd00:10:244:2::/64"])
            + serviceYAML("a", "s", endpoints: [("10.1.1.5", "n1"), ("fd00:10:244:1::5", "n1")], selector: "kubernetes.io/hostname: n2")
        let desired = DesiredState(try cluster(yaml), settings: EngineSettings())
        #expect(desired.policies.map { "\($0.match) -> \($0.nexthop)" } == [
            "ip4.src == 10.1.1.5 -> 10.1.2.2", "ip6.src == fd00:10:244:1::5 -> fd00:10:244:2::2",
        ])
        #expect(desired.addressSets.map(\.name) == ["a13607449821398607916", "a13607452020421864338"])
        #expect(desired.noReroute.map(\.match) == [
            "(ip4.src == $a4548040316634674295 || ip4.src == $a13607449821398607916) && ip4.dst == $a14918748166599097711",
            "(ip6.src == $a4548042515657930717 || ip6.src == $a13607452020421864338) && ip6.dst == $a14918750365622354133",
        ])
    }
}

@Suite("node plan")
struct NodePlanTests {
    @Test("the worked example: the SNAT rule and the label on work002, nothing on work001")
    func workedExample() throws {
        let input = try ManifestLoader.load([workedExamplePath])
        let desired = DesiredState(input, settings: EngineSettings())
        let plan = NodePlan(node: "work002", input: input, desired: desired)
        #expect(plan.labels == ["egress-service.k8s.ovn.org/default-example-service"])
        #expect(plan.iptablesRestore(.v4) == """
        *nat
        :OVN-KUBE-EGRESS-SVC - [0:0]
        -F OVN-KUBE-EGRESS-SVC
        -A OVN-KUBE-EGRESS-SVC -m mark --mark 0x3f0 -m comment --comment DoNotSNAT -j RETURN
        -A OVN-KUBE-EGRESS-SVC -s 10.124.0.3/32 -m comment --comment "default/example-service" -j SNAT --to-source 172.18.255.200
        COMMIT

        """)
        #expect(plan.statusHosts == ["default/example-service": "work002"])
        #expect(NodePlan(node: "work001", input: input, desired: desired).snat.isEmpty)
    }

    @Test("several ingress IPs: the last of each family; a family with no ingress IP gets no SNAT; spec.network gives ip rules")
    func ingressAndNetwork() throws {
        let yaml = nodeYAML("n1", subnets: ["10.1.1.0/24", "fd00:1::/64"])
            + serviceYAML("a", "s", endpoints: [("10.1.1.5", "n1"), ("fd00:1::5", "n1")], ingress: ["172.18.0.1", "172.18.0.2"],
                          network: "100", clusterIPs: ["10.96.0.10"])
        let input = try cluster(yaml)
        let plan = NodePlan(node: "n1", input: input, desired: DesiredState(input, settings: EngineSettings()))
        #expect(plan.snat.map { "\($0.endpoint)->\($0.loadBalancerIP)" } == ["10.1.1.5->172.18.0.2"])
        #expect(plan.ipRuleCommands == """
        ip rule add prio 5000 from 10.1.1.5 table '100'
        ip -6 rule add prio 5000 from fd00:1::5 table '100'
        ip rule add prio 5000 from 10.96.0.10 table '100'

        """)
    }
}
