import Testing
@testable import EgressPolicy
import OVSDBClient

@Suite("status write-back commands")
struct StatusCommandsTests {
    static let label = "egress-service.k8s.ovn.org/shop-web"

    func node(_ name: String, zone: String?, labelled: Bool) -> Node {
        Node(name: name, labels: labelled ? [Self.label: ""] : [:], ready: true, subnets: [CIDR("10.128.1.0/24")!], zoneName: zone)
    }

    func egressService(statusHost: String?) -> EgressService {
        EgressService(namespace: "shop", name: "web", sourceIPBy: .loadBalancerIP, nodeSelector: LabelSelector(), statusHost: statusHost)
    }

    @Test("one database: status.host, then label the host and unlabel every other node; nothing once the input agrees")
    func wholeCluster() {
        let nodes = [node("a", zone: nil, labelled: false), node("b", zone: nil, labelled: true)]
        let commands = StatusCommands.commands(key: "shop/web", egressService: egressService(statusHost: "b"), host: "a", nodes: nodes, zone: .everyNode)
        #expect(commands == [
            ["patch", "egressservices.k8s.ovn.org", "web", "--namespace", "shop", "--subresource=status", "--type=merge", "--patch", #"{"status":{"host":"a"}}"#],
            ["label", "nodes", "a", "\(Self.label)=", "--overwrite"],
            ["label", "nodes", "b", "\(Self.label)-"],
        ])
        let agreed = [node("a", zone: nil, labelled: true), node("b", zone: nil, labelled: false)]
        #expect(StatusCommands.commands(key: "shop/web", egressService: egressService(statusHost: "a"), host: "a", nodes: agreed, zone: .everyNode).isEmpty)
        // The service left the input: only its label goes.
        #expect(StatusCommands.commands(key: "shop/web", egressService: nil, host: nil, nodes: agreed, zone: .everyNode)
                == [["label", "nodes", "a", "\(Self.label)-"]])
    }

    @Test("zones: only the host's zone writes status.host, and each zone labels or unlabels only its own nodes")
    func perZone() {
        let nodes = [node("a1", zone: "zone-a", labelled: false), node("b1", zone: "zone-b", labelled: true)]
        let es = egressService(statusHost: "b1")
        let zoneA = Zone(name: "zone-a", members: ["a1"]), zoneB = Zone(name: "zone-b", members: ["b1"])
        #expect(StatusCommands.commands(key: "shop/web", egressService: es, host: "a1", nodes: nodes, zone: zoneA) == [
            ["patch", "egressservices.k8s.ovn.org", "web", "--namespace", "shop", "--subresource=status", "--type=merge", "--patch", #"{"status":{"host":"a1"}}"#],
            ["label", "nodes", "a1", "\(Self.label)=", "--overwrite"],
        ])
        #expect(StatusCommands.commands(key: "shop/web", egressService: es, host: "a1", nodes: nodes, zone: zoneB)
                == [["label", "nodes", "b1", "\(Self.label)-"]])
    }
}
