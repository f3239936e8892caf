import Foundation
import Testing
@testable import EgressPolicy
import OVNSchema
import OVSDBClient
import OVSDBTestSupport

/// Runs a controller against a fresh server holding the cluster router, with `objects`
/// given before it starts; stops it after `body`.
private func withController(_ objects: [ClusterObject], lock: String? = nil, settings: EngineSettings = EngineSettings(), prune: Bool = false,
                            before: (OVSDBServerFixture) async throws -> Void = { _ in },
                            _ body: (OVSDBServerFixture, EgressController, AsyncStream<ReconcileReport>.AsyncIterator) async throws -> Void) async throws {
    try await withServer { server in
        try await server.nbctl(["lr-add", "ovn_cluster_router"])
        try await before(server)
        var configuration = EgressController.Configuration()
        configuration.lockName = lock
        configuration.prune = prune
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

    @Test("a member another writer removes from or adds to a 1,000-member served-pods set is repaired, and only it")
    func largeAddressSetDrift() async throws {
        // The cache follows such a set by the members that differ between the old and new
        // rows (not by decoding it again), and the replica applies the one-member diff in place.
        try await withController(typedCluster(services: 100, endpoints: 10)) { server, controller, reports in
            var reports = reports
            let first = try #require(await next(&reports))
            #expect(first.plan?.addressChanges.first?.add.count == 1000)
            let served = "10.4.0.10"  // service 7's pod on work003
            try await server.nbctl(["remove", "Address_Set", "a13607449821398607916", "addresses", "\"\(served)\""])
            let readded = try #require(await next(&reports) { $0.writes > 0 })
            #expect(readded.plan?.addressChanges.first?.add == [served])
            #expect(readded.plan?.addressChanges.first?.remove == [])
            #expect(readded.plan?.additions.isEmpty == true && readded.plan?.removals.isEmpty == true)
            try await server.nbctl(["add", "Address_Set", "a13607449821398607916", "addresses", "\"10.200.0.1\"", "\"10.200.0.2\""])
            let removed = try #require(await next(&reports) { $0.writes > 0 })
            #expect(removed.plan?.addressChanges.first?.remove == ["10.200.0.1", "10.200.0.2"])
            let members = try await server.nbctl(["--bare", "--columns=addresses", "list", "Address_Set", "a13607449821398607916"])
            let listed = members.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { !$0.isEmpty }
            #expect(listed.count == 1000)
            #expect(listed.contains(Substring(served)) && !listed.contains("10.200.0.1"))
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

/// A small deterministic generator, so that a failing sequence can be replayed.
private struct SplitMix {
    var state: UInt64
    mutating func next(_ n: Int) -> Int {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return Int((z ^ (z >> 31)) % UInt64(n))
    }
}

extension ControllerTests {
    @Test("partial passes converge to what a one-shot apply plans: 60 random steps of endpoint moves, shared pod IPs, services removed and re-added, node changes and drift by another writer")
    func partialPassesMatchApply() async throws {
        var rng = SplitMix(state: UInt64(ProcessInfo.processInfo.environment["CONTROLLER_SEED"] ?? "2026")!)
        let nodeNames = ["n0", "n1", "n2", "n3"]
        func node(_ i: Int, ready: Bool = true, role: String = "worker") -> ClusterObject {
            .node(Node(name: nodeNames[i], labels: ["kubernetes.io/hostname": nodeNames[i], "role": role], ready: ready, subnets: [CIDR("10.\(i + 1).0.0/16")!]))
        }
        var ips: [[String]] = (0..<12).map { s in (0..<3).map { e in "10.\(e % 4 + 1).\(s).\(e + 10)" } }
        func slice(_ s: Int) -> ClusterObject {
            .endpointSlice(EndpointSlice(namespace: "ns\(s % 2)", name: "svc\(s)-x", serviceName: "svc\(s)",
                                         endpoints: ips[s].map { ip in .init(addresses: [IPAddress(ip)!], nodeName: nodeNames[Int(ip.split(separator: ".")[1])! - 1]) }))
        }
        func egress(_ s: Int) -> ClusterObject {
            .egressService(EgressService(namespace: "ns\(s % 2)", name: "svc\(s)", nodeSelector: LabelSelector(matchLabels: ["role": "worker"])))
        }
        var objects: [ClusterObject] = (0..<4).map { node($0) }
        for s in 0..<12 {
            objects.append(.service(Service(namespace: "ns\(s % 2)", name: "svc\(s)", ingressIPs: [IPAddress("172.18.0.\(s + 1)")!])))
            objects += [slice(s), egress(s)]
        }
        var mirror = ClusterObjectStore()
        for o in objects { mirror.upsert(o, source: "api") }
        try await withController(objects) { server, controller, reports in
            var reports = reports
            _ = try #require(await next(&reports))
            let connection = try await OVSDBConnection.connect(to: server.remote)
            let engine = EgressEngine(connection: connection, settings: EngineSettings())
            var writing = await controller.passCounts.writing
            var stepWrites: [Int] = []
            for step in 0..<60 {
                var what = ""
                switch rng.next(6) {
                case 0, 1:
                    let s = rng.next(12), e = rng.next(3)
                    let parts = ips[s][e].split(separator: ".")
                    ips[s][e] = "10.\(parts[1]).\(rng.next(200)).\(rng.next(200) + 20)"
                    what = "move an endpoint of svc\(s)"
                    try await controller.upsert([slice(s)]); mirror.upsert(slice(s), source: "api")
                case 2:
                    let s = rng.next(12), t = rng.next(12)
                    ips[s][0] = ips[t][1]
                    what = "svc\(s) shares a pod IP with svc\(t)"
                    try await controller.upsert([slice(s)]); mirror.upsert(slice(s), source: "api")
                case 3:
                    let s = rng.next(12)
                    if mirror[egress(s).key] != nil {
                        what = "remove svc\(s)"
                        await controller.delete([egress(s).key]); mirror.remove(egress(s).key)
                    } else {
                        what = "add svc\(s) back"
                        try await controller.upsert([egress(s)]); mirror.upsert(egress(s), source: "api")
                    }
                case 4:
                    let n = rng.next(4)
                    let changed = node(n, ready: rng.next(2) == 0, role: rng.next(3) == 0 ? "infra" : "worker")
                    what = "change \(nodeNames[n])"
                    try await controller.upsert([changed]); mirror.upsert(changed, source: "api")
                default:
                    let owned = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Policy", "priority=101"])
                        .split(separator: "\n").filter { !$0.isEmpty }
                    guard !owned.isEmpty else { continue }
                    let victim = String(owned[rng.next(owned.count)])
                    what = "another writer deletes policy \(victim)"
                    try await server.nbctl(["lr-policy-del", "ovn_cluster_router", victim])
                }
                let input = mirror.input
                let schema = try await connection.schema(of: "OVN_Northbound")
                // Converged: apply plans nothing, and no row of a removed service is left.
                func state() async throws -> (plan: Plan, strays: Set<String>) {
                    let live = try await LiveState.read(connection, schema: schema, settings: EngineSettings(), families: [.v4])
                    let owners = Set(live.ownedPolicies.compactMap { $0.externalIDs[DesiredState.ownerKey] })
                    return (try await engine.plan(input), owners.subtracting(input.egressServices.map(\.key)))
                }
                var converged = false
                for _ in 0..<100 {
                    let (plan, strays) = try await state()
                    if plan.isEmpty && strays.isEmpty { converged = true; break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                if !converged {
                    let (plan, strays) = try await state()
                    Issue.record("step \(step) (\(what)): not converged; apply plans: \(plan.text); rows of removed services: \(strays.sorted())")
                }
                // One change, one write: a pass that got something wrong and a later one that
                // repaired it show as more. Counted once the controller has been quiet for
                // 150 ms, so that a slow machine does not move a write into the next step.
                var now = await controller.passCounts.writing
                var quietSince = ContinuousClock.now
                while ContinuousClock.now - quietSince < .milliseconds(150) {
                    try await Task.sleep(for: .milliseconds(25))
                    let count = await controller.passCounts.writing
                    if count != now { now = count; quietSince = .now }
                }
                stepWrites.append(now - writing)
                #expect(now - writing <= 2, "step \(step) (\(what)): \(now - writing) passes wrote")
                writing = now
                if !converged { break }
            }
            await connection.close()
            // Almost every step takes exactly one write (or none, when the change changes
            // nothing in the database).
            #expect(stepWrites.filter { $0 > 1 }.count <= 2, "steps that took more than one write: \(stepWrites)")
            let passes = await controller.passCounts
            #expect(passes.partial > 20, "most steps should be planned in part: \(passes)")
            #expect(passes.full > 1, "node changes and shared IPs plan everything: \(passes)")
        }
    }
}

extension ControllerTests {
    @Test("without prune, owned rows of a service never seen are left; with prune they are removed; services that leave the input lose their rows either way")
    func pruneOwnership() async throws {
        let objects = try ManifestLoader.load([workedExamplePath]).objects
        let stranger = { (server: OVSDBServerFixture) in
            try await server.nbctl(["--", "--id=@p", "create", "Logical_Router_Policy", "priority=101", "match=\"ip4.src == 10.124.0.99\"",
                                    "action=reroute", "nexthops=\"10.124.2.2\"", "external_ids:EgressSVC=other/unknown",
                                    "--", "add", "Logical_Router", "ovn_cluster_router", "policies", "@p"])
            _ = ()
        }
        for prune in [false, true] {
            try await withController(objects, prune: prune, before: stranger) { server, controller, reports in
                var reports = reports
                let first = try #require(await next(&reports))
                #expect(first.error == nil)
                let unknown = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Policy", "external_ids:EgressSVC=other/unknown"])
                #expect(unknown.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == prune, "prune: \(prune)")
                // The worked example's service leaves the input: its row goes.
                await controller.delete([ObjectKey(kind: .egressService, namespace: "default", name: "example-service")])
                _ = try #require(await next(&reports) { $0.triggers.contains(.input) })
                let mine = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Policy", "external_ids:EgressSVC=default/example-service"])
                #expect(mine.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            }
        }
    }
}
