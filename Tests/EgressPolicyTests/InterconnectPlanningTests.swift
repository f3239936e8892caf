import Testing
@testable import EgressPolicy
import OVSDBClient
import OVSDBTestSupport

/// YAML for a node of an interconnect cluster: its subnets, transit-switch port (raw annotation
/// text, nil for none) and zone annotation (nil for none).
func icNodeYAML(_ name: String, subnets: [String], transit: String?, zone: String? = nil, ready: Bool = true,
                annotations: [String: String] = [:]) -> String {
    let list = subnets.map { "\"\($0)\"" }.joined(separator: ",")
    let extra = annotations.sorted { $0.key < $1.key }.map { "    \($0.key): '\($0.value)'\n" }.joined()
    return """
    apiVersion: v1
    kind: Node
    metadata:
      name: \(name)
      labels: {kubernetes.io/hostname: \(name)}
      annotations:
        k8s.ovn.org/node-subnets: '{"default":[\(list)]}'
    \(extra)\(transit.map { "    k8s.ovn.org/node-transit-switch-port-ifaddr: '\($0)'\n" } ?? "")\(zone.map { "    k8s.ovn.org/zone-name: \($0)\n" } ?? "")status:
      conditions:
      - {type: Ready, status: "\(ready ? "True" : "False")"}
    ---

    """
}

/// The rows of a plan from scratch, as `owner match nexthop` lines, sorted.
func rows(_ desired: DesiredState) -> [String] {
    desired.policies.map { "\($0.owner) \($0.match) \($0.nexthop)" }.sorted()
}

/// OVN-Kubernetes' own cluster of the test "on egress service changes" (egressservices_test.go):
/// node1 and node2, dual-stack, one endpoint of testns/svc1 on each.
func ovnkICCluster(host: String) throws -> ClusterInput {
    try cluster(
        icNodeYAML("node1", subnets: ["10.128.1.0/24", "fe00:10:128:1::/64"], transit: #"{"ipv4":"100.88.0.2/16","ipv6":"fd97::2/64"}"#)
        + icNodeYAML("node2", subnets: ["10.128.2.0/24", "fe00:10:128:2::/64"], transit: #"{"ipv4":"100.88.0.3/16","ipv6":"fd97::3/64"}"#)
        + serviceYAML("testns", "svc1", endpoints: [("10.128.1.5", "node1"), ("fe00:10:128:1::5", "node1"),
                                                    ("10.128.2.5", "node2"), ("fe00:10:128:2::5", "node2")],
                      ingress: ["5.5.5.5", "5:5:5::5"], statusHost: host))
}

@Suite("interconnect zones: planning")
struct InterconnectPlanningTests {
    @Test("OVN-Kubernetes' IC test: the host's zone gets ns/name and ns/name:ic rows; after the host moves, only the transit reroute")
    func ovnKubernetesICTest() throws {
        let settings = EngineSettings()
        let before = try ovnkICCluster(host: "node1")
        let zone1 = Zone(named: "node1", in: before)
        #expect(zone1.members == ["node1"])
        let inHostZone = DesiredState(before, settings: settings, zone: zone1)
        #expect(rows(inHostZone) == [
            "testns/svc1 ip4.src == 10.128.1.5 10.128.1.2",
            "testns/svc1 ip6.src == fe00:10:128:1::5 fe00:10:128:1::2",
            "testns/svc1:ic ip4.src == 10.128.2.5 10.128.1.2",
            "testns/svc1:ic ip6.src == fe00:10:128:2::5 fe00:10:128:1::2",
        ])
        // Served pods: the zone's own endpoints only, the host's zone too.
        #expect(inHostZone.addressSets.map(\.addresses) == [["10.128.1.5"], ["fe00:10:128:1::5"]])

        let after = try ovnkICCluster(host: "node2")
        let moved = DesiredState(after, settings: settings, zone: Zone(named: "node1", in: after))
        #expect(rows(moved) == [
            "testns/svc1 ip4.src == 10.128.1.5 100.88.0.3",
            "testns/svc1 ip6.src == fe00:10:128:1::5 fd97::3",
        ])
        #expect(moved.addressSets.map(\.addresses) == [["10.128.1.5"], ["fe00:10:128:1::5"]])
        // The new host's own zone: its endpoint to its mp0, node1's as an :ic row.
        let zone2 = DesiredState(after, settings: settings, zone: Zone(named: "node2", in: after))
        #expect(rows(zone2) == [
            "testns/svc1 ip4.src == 10.128.2.5 10.128.2.2",
            "testns/svc1 ip6.src == fe00:10:128:2::5 fe00:10:128:2::2",
            "testns/svc1:ic ip4.src == 10.128.1.5 10.128.2.2",
            "testns/svc1:ic ip6.src == fe00:10:128:1::5 fe00:10:128:2::2",
        ])
    }

    @Test("a zone that holds every node plans exactly what one database does")
    func everyNodeZoneIsTheSingleDatabase() throws {
        let input = try ManifestLoader.load([OVSDBServerFixture.repositoryRoot + "/examples/many-services",
                                             OVSDBServerFixture.repositoryRoot + "/examples/worked-example/service.yaml"])
        let settings = EngineSettings()
        let one = DesiredState(input, settings: settings)
        let global = DesiredState(input, settings: settings, zone: Zone(named: "global", in: input))
        #expect(!one.policies.isEmpty)
        #expect(one.policies == global.policies)
        #expect(one.addressSets == global.addressSets)
        #expect(one.warnings == global.warnings)
        #expect(!one.policies.contains { $0.owner.hasSuffix(":ic") })
    }

    @Test("membership: the zone-name annotation, else global and the zone named like the node")
    func membership() throws {
        let input = try cluster(
            icNodeYAML("a1", subnets: ["10.128.1.0/24"], transit: nil, zone: "zone-a")
            + icNodeYAML("a2", subnets: ["10.128.2.0/24"], transit: nil, zone: "zone-a")
            + icNodeYAML("solo", subnets: ["10.128.3.0/24"], transit: nil)
            + icNodeYAML("g", subnets: ["10.128.4.0/24"], transit: nil, zone: "global"))
        #expect(Zone(named: "zone-a", in: input).members == ["a1", "a2"])
        #expect(Zone(named: "solo", in: input).members == ["solo"])
        #expect(Zone(named: "global", in: input).members == ["solo", "g"])
        #expect(Zone(named: "a1", in: input).members == [])
        #expect(Zone.name(fromNBGlobal: "") == "global")
    }

    @Test("a host whose transit annotation is missing or malformed: a warning naming node, service and zone; nothing for that service in the other zone")
    func badTransitAnnotation() throws {
        for (transit, why) in [(nil as String?, "has no annotation"), (#"{"ipv4":"100.88.0.3"}"#, "is malformed"), ("not json", "is malformed")] {
            let input = try cluster(
                icNodeYAML("node1", subnets: ["10.128.1.0/24"], transit: #"{"ipv4":"100.88.0.2/16"}"#)
                + icNodeYAML("node2", subnets: ["10.128.2.0/24"], transit: transit)
                + serviceYAML("testns", "svc1", endpoints: [("10.128.1.5", "node1"), ("10.128.2.5", "node2")], statusHost: "node2")
                + serviceYAML("testns", "svc2", endpoints: [("10.128.1.6", "node1")], statusHost: "node1"))
            let zone1 = DesiredState(input, settings: EngineSettings(), zone: Zone(named: "node1", in: input))
            #expect(rows(zone1) == ["testns/svc2 ip4.src == 10.128.1.6 10.128.1.2"])
            #expect(zone1.addressSets.map(\.addresses) == [["10.128.1.6"]], "nothing of svc1 in node1's served pods")
            let warning = zone1.warnings.first { $0.contains("transit") }
            #expect(warning?.contains("testns/svc1") == true && warning?.contains("node2") == true
                    && warning?.contains("zone node1") == true && warning?.contains(why) == true, "\(zone1.warnings)")
            // The host's own zone does not need the annotation.
            let zone2 = DesiredState(input, settings: EngineSettings(), zone: Zone(named: "node2", in: input))
            #expect(rows(zone2) == ["testns/svc1 ip4.src == 10.128.2.5 10.128.2.2", "testns/svc1:ic ip4.src == 10.128.1.5 10.128.2.2"])
            #expect(!zone2.warnings.contains { $0.contains("transit") })
        }
    }

    @Test("the transit annotation is parsed strictly: an address with its prefix, of the key's family")
    func transitParsing() {
        #expect(AnnotatedAddresses.parse(#"{"ipv4":"100.88.0.2/16","ipv6":"fd97::2/64"}"#)
                == .addresses([IPAddress("100.88.0.2")!, IPAddress("fd97::2")!]))
        #expect(AnnotatedAddresses.parse(nil) == .missing)
        for bad in [#"{"ipv4":"100.88.0.2"}"#, #"{"ipv4":"fd97::2/64"}"#, #"{"ipv4":"100.88.0.2/33"}"#, #"{"ipv4":"100.88.0.2/16 or 1"}"#,
                    #"{"ipv4":"100.88.0.2/-1"}"#, #"{}"#, #"["100.88.0.2/16"]"#, #"{"ipv4":2}"#, "{"] {
            guard case .malformed = AnnotatedAddresses.parse(bad) else {
                Issue.record("accepted \(bad)")
                continue
            }
        }
    }

    @Test("endpoints on nodes the input does not have are left out of a partial zone, with a warning")
    func unknownNode() throws {
        let input = try cluster(
            icNodeYAML("node1", subnets: ["10.128.1.0/24"], transit: #"{"ipv4":"100.88.0.2/16"}"#)
            + icNodeYAML("node2", subnets: ["10.128.2.0/24"], transit: #"{"ipv4":"100.88.0.3/16"}"#)
            + serviceYAML("testns", "svc1", endpoints: [("10.128.1.5", "node1"), ("10.128.1.9", "ghost")], statusHost: "node1"))
        let z = DesiredState(input, settings: EngineSettings(), zone: Zone(name: "node1", members: ["node1"]))
        #expect(rows(z) == ["testns/svc1 ip4.src == 10.128.1.5 10.128.1.2"])
        #expect(z.warnings.contains { $0.contains("zone unknown") && $0.contains("testns/svc1") })
        // A zone that holds every node of the input plans as one database does: no endpoint is remote.
        let whole = DesiredState(input, settings: EngineSettings(), zone: Zone(name: "all", members: ["node1", "node2"]))
        #expect(rows(whole) == ["testns/svc1 ip4.src == 10.128.1.5 10.128.1.2", "testns/svc1 ip4.src == 10.128.1.9 10.128.1.2"])
    }

    @Test("a bad zone-name annotation is refused naming the node and field")
    func badZoneName() {
        #expect(throws: ManifestError.self) {
            try cluster(icNodeYAML("node1", subnets: ["10.128.1.0/24"], transit: nil, zone: "\"Zone A\""))
        }
        do {
            _ = try cluster(icNodeYAML("node1", subnets: ["10.128.1.0/24"], transit: nil, zone: "\"bad zone\""))
        } catch {
            #expect("\(error)".contains("node1") && "\(error)".contains("k8s.ovn.org/zone-name"), "\(error)")
        }
    }
}
