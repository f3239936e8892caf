import Foundation
import Testing
@testable import EgressPolicy
import OVNSchema
import OVSDBClient
import OVSDBTestSupport

/// Runs a controller against a fresh server holding the cluster router, with `objects`
/// given before it starts; stops it after `body`.
private func withController(_ objects: [ClusterObject], lock: String? = nil, settings: EngineSettings = EngineSettings(),
                            _ body: (OVSDBServerFixture, EgressController, AsyncStream<ReconcileReport>.AsyncIterator) async throws -> Void) async throws {
    try await withServer { server in
        try await server.nbctl(["lr-add", "ovn_cluster_router"])
        var configuration = EgressController.Configuration()
        configuration.lockName = lock
        configuration.settings = settings
        configuration.replica.probeInterval = nil
        let controller = EgressController(remotes: try RemoteAddress.list(server.remote), configuration: configuration)
        try await controller.upsert(objects)
        let reports = await controller.reports().makeAsyncIterator()
        let running = Task { try await controller.run() }
        do {
            try await body(server, controller, reports)
        } catch {
            await controller.stop()
            _ = try? await running.value
            throw error
        }
        await controller.stop()
        try await running.value
    }
}

private func next(_ reports: inout AsyncStream<ReconcileReport>.AsyncIterator, where matches: (ReconcileReport) -> Bool = { _ in true }) async -> ReconcileReport? {
    while let r = await reports.next() {
        if matches(r) { return r }
    }
    return nil
}

@Suite("the controller against a real ovsdb-server")
struct ControllerTests {
    @Test("the first pass writes the worked example; the pass its own write causes finds nothing")
    func firstPass() async throws {
        let objects = try ManifestLoader.load([workedExamplePath]).objects
        try await withController(objects) { server, controller, reports in
            var reports = reports
            let first = try #require(await next(&reports))
            #expect(first.error == nil)
            #expect(first.writes == 4)
            let live = try LiveState(store: try controller.replica.snapshot(), settings: EngineSettings())
            let connection = try await OVSDBConnection.connect(to: server.remote)
            let read = try await LiveState.read(connection, schema: try await connection.schema(of: "OVN_Northbound"), settings: EngineSettings(), families: [.v4, .v6])
            await connection.close()
            #expect(live.reroutePolicies == read.reroutePolicies)
            #expect(live.ownedPolicies == read.ownedPolicies && live.ownedPolicies.count == 1)
            #expect(live.noReroutePolicies.map(\.match) == read.noReroutePolicies.map(\.match))
            #expect(live.addressSets == read.addressSets)
            #expect(live.routerUUID == read.routerUUID)
        }
    }
}

/// `services` LoadBalancer services in namespace `ns`, each with `endpoints` pod IPs on the
/// nodes `work000`...`work009`, built through the typed API.
private func typedCluster(services: Int, endpoints: Int, shift: Int = 0) -> [ClusterObject] {
    var out: [ClusterObject] = []
    for n in 0..<10 {
        out.append(.node(Node(name: "work00\(n)", labels: ["kubernetes.io/hostname": "work00\(n)"], subnets: [CIDR("10.\(n + 1).0.0/16")!])))
    }
    for s in 0..<services {
        let name = "svc\(s)"
        out.append(.service(Service(namespace: "ns", name: name, ingressIPs: [IPAddress("172.18.\(s / 250).\(s % 250 + 1)")!])))
        out.append(.egressService(EgressService(namespace: "ns", name: name)))
        out.append(.endpointSlice(slice(s, endpoints: endpoints, shift: shift)))
    }
    return out
}

private func slice(_ s: Int, endpoints: Int, shift: Int) -> EndpointSlice {
    let eps = (0..<endpoints).map { e -> EndpointSlice.Endpoint in
        let node = e % 10
        // One pod per node and service (up to 10 endpoints); `shift` moves them all.
        let ip = IPAddress("10.\(node + 1).\(s / 250 + (shift > 0 ? 100 : 0)).\(s % 250 + 3)")!
        return EndpointSlice.Endpoint(addresses: [ip], nodeName: "work00\(node)")
    }
    return EndpointSlice(namespace: "ns", name: "svc\(s)-abc", serviceName: "svc\(s)", endpoints: eps)
}

extension ControllerTests {
    @Test("a 1% endpoint change sends operations proportional to it; the steady state sends nothing")
    func complexity() async throws {
        // 100 services x 10 endpoints: 1,000 policies.
        try await withController(typedCluster(services: 100, endpoints: 10)) { server, controller, reports in
            var reports = reports
            let first = try #require(await next(&reports))
            #expect(first.error == nil)
            #expect(first.plan?.additions.count == 1000)
            // Nothing is sent while nothing changes (its own write's echo included).
            try await Task.sleep(for: .milliseconds(300))
            // One service (1% of the endpoints) moves all its pods.
            try await controller.upsert([.endpointSlice(slice(7, endpoints: 10, shift: 1))])
            var between: [ReconcileReport] = []
            let change = try #require(await next(&reports) { r in
                if !r.triggers.contains(.input) { between.append(r) }
                return r.triggers.contains(.input)
            })
            #expect(between.allSatisfy { $0.operationsSent == 0 }, "passes between the two sent operations")
            #expect(change.error == nil)
            let plan = try #require(change.plan)
            #expect(plan.additions.count == 10 && plan.removals.count == 10 && plan.kept.isEmpty)
            // A guard on each row removed, 10 inserts, 10 deletes, the router's and the
            // address set's mutations, and that set's guard: nothing per row of the other 99.
            #expect(change.operationsSent == 10 + 10 + 10 + 1 + 1 + 1, "\(change.operationsSent)")
            #expect(change.attempts == 1)
            let owned = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Policy", "priority=101"])
            #expect(owned.split(separator: "\n").filter { !$0.isEmpty }.count == 1000)
        }
    }

    @Test("drift is repaired: a duplicate owned policy, an edited nexthop, an edited address set; foreign rows stay")
    func driftRepair() async throws {
        let objects = try ManifestLoader.load([workedExamplePath]).objects
        try await withController(objects) { server, controller, reports in
            var reports = reports
            _ = try #require(await next(&reports))
            try await server.nbctl(["lr-policy-add", "ovn_cluster_router", "101", "ip4.src == 10.124.9.9", "reroute", "10.124.1.2"])
            try await server.nbctl(["--", "--id=@p", "create", "Logical_Router_Policy", "priority=101", "match=\"ip4.src == 10.124.0.3\"",
                                    "action=reroute", "nexthops=\"10.124.2.2\"", "external_ids:EgressSVC=default/example-service",
                                    "--", "add", "Logical_Router", "ovn_cluster_router", "policies", "@p"])
            let repairedDuplicate = try #require(await next(&reports) { $0.writes > 0 })
            #expect(repairedDuplicate.plan?.removals.map(\.reason) == ["duplicate"])
            #expect(repairedDuplicate.isDriftRepair)

            let uuid = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Policy", "external_ids:EgressSVC=default/example-service"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try await server.nbctl(["set", "Logical_Router_Policy", uuid, "nexthops=\"10.124.1.2\""])
            let repairedHop = try #require(await next(&reports) { $0.writes > 0 })
            #expect(repairedHop.plan?.repairs.map(\.to) == ["10.124.2.2"])

            try await server.nbctl(["add", "Address_Set", "a13607449821398607916", "addresses", "\"10.124.0.200\""])
            let repairedSet = try #require(await next(&reports) { $0.writes > 0 })
            #expect(repairedSet.plan?.addressChanges.first?.remove == ["10.124.0.200"])
            let listing = try await server.nbctl(["lr-policy-list", "ovn_cluster_router"])
            #expect(listing.contains("10.124.9.9"), "a foreign policy is never removed")
        }
    }

    @Test("host selection stays sticky across passes: a new, emptier candidate does not move a service")
    func stickyHost() async throws {
        var objects = typedCluster(services: 1, endpoints: 2)
        objects.removeAll { if case .node(let n) = $0 { return n.name != "work005" && n.name != "work006" }; return false }
        var settings = EngineSettings()
        settings.clusterSubnets = [CIDR("10.0.0.0/8")!]
        try await withController(objects, settings: settings) { _, controller, reports in
            var reports = reports
            let first = try #require(await next(&reports))
            #expect(first.plan?.hosts["ns/svc0"] == "work005")
            try await controller.upsert([.node(Node(name: "work000", labels: ["kubernetes.io/hostname": "work000"], subnets: [CIDR("10.1.0.0/16")!]))])
            let second = try #require(await next(&reports) { $0.triggers.contains(.input) })
            #expect(second.plan?.hosts["ns/svc0"] == "work005")
            #expect(second.writes == 0)
        }
    }

    @Test("objects built in code are checked as the API server checks them")
    func typedObjectsAreChecked() async throws {
        var configuration = EgressController.Configuration()
        configuration.lockName = nil
        let controller = EgressController(remotes: try RemoteAddress.list("unix:/nonexistent"), configuration: configuration)
        await #expect(throws: ManifestError.self) {
            try await controller.upsert([.egressService(EgressService(namespace: "ns", name: "bad\"name"))])
        }
        await #expect(throws: ManifestError.self) {
            try await controller.upsert([.node(Node(name: "n", labels: ["k": "v\n"], subnets: []))])
        }
        #expect(await controller.objectCount == 0)
    }
}

extension ControllerTests {
    @Test("the narrow guard stops a write when a row to be removed was taken over by another writer meanwhile")
    func narrowGuardProtectsRows() async throws {
        try await withRouter { server, engine in
            _ = try await engine.apply(try ManifestLoader.load([workedExamplePath]))
            let schema = try await engine.connection.schema(of: "OVN_Northbound")
            let live = try await LiveState.read(engine.connection, schema: schema, settings: EngineSettings(), families: [.v4])
            // Planned with the service gone: its policy is to be removed.
            var input = try ManifestLoader.load([workedExamplePath])
            input.egressServices = []
            var plan = try Plan(desired: DesiredState(input, settings: EngineSettings()), live: live, settings: EngineSettings(),
                                scope: .services(["default/example-service"]))
            #expect(plan.removals.count == 1)
            plan.guardOnlyWhatChanges(live: live)
            // Meanwhile another writer gives the row to someone else.
            let uuid = plan.removals[0].uuid
            try await server.nbctl(["set", "Logical_Router_Policy", uuid.description, "external_ids:EgressSVC=other/owner"])
            await #expect(throws: OVSDBClientError.self) {
                _ = try await engine.connection.transact("OVN_Northbound", plan.operations, schema: schema)
            }
            let still = try await server.nbctl(["--bare", "--columns=external_ids", "list", "Logical_Router_Policy", uuid.description])
            #expect(still.contains("other/owner"))
        }
    }
}
