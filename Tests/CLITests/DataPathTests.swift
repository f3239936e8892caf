import Foundation
import OVSDBTestSupport
import Testing

private let canRunDataPath = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")

@Suite("a real OVN data path: scripts/e2e.sh")
struct DataPathTests {
    @Test("every scenario on packets: the node's own address before, the LB IP after apply and through the node agent, a reroute without SNAT as the control, pod-to-node and pod-to-pod traffic kept local by the 102 policies once ovnkube's rows exist (and rerouted without them), the host moved, removed with --prune, run with nftables agents, failover on NotReady and on an agent restart, spec.network through its routing table, ETP=Local moving the host to the endpoint's node, a dual-stack pod's IPv6, and two interconnect zones joined by ovn-ic (the transit reroute, the :ic row and the catch-all route)",
          .enabled(if: canRunDataPath, "needs root: the data path runs ovs-vswitchd, ovn-controller and network namespaces"))
    func endToEnd() async throws {
        let out = try await OVSDBServerFixture.executeOffPool(root + "/scripts/e2e.sh", [], environment: ["OVN_EGRESSCTL": try ctlPath()])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        let lines = out.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("ok ") }.count == 33, "\(out.stdout)")
        #expect(!lines.contains { $0.hasPrefix("FAIL") })
    }
}
