import Foundation
import Testing
@testable import EgressPolicy
import OVNSchema
import OVSDBClient
import OVSDBTestSupport

/// Runs a controller against a fresh server holding the cluster router, with `objects`
/// given before it starts; stops it after `body`.
private func withController(_ objects: [ClusterObject], lock: String? = nil,
                            _ body: (OVSDBServerFixture, EgressController, AsyncStream<ReconcileReport>.AsyncIterator) async throws -> Void) async throws {
    try await withServer { server in
        try await server.nbctl(["lr-add", "ovn_cluster_router"])
        var configuration = EgressController.Configuration()
        configuration.lockName = lock
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
