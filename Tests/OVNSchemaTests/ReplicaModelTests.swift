import Foundation
import OVNSchema
import OVSDBClient
import OVSDBTestSupport
import Testing

@Suite("typed reads from the replica")
struct ReplicaModelTests {
    @Test("policies written by ovn-nbctl read back through the generated model, following later edits")
    func typedPolicies() async throws {
        try await withServer { server in
            try await server.nbctl(["lr-add", "r", "--", "lr-policy-add", "r", "101", "ip4.src == 10.0.0.1", "reroute", "10.1.0.2"])
            var c = OVSDBReplica.Configuration()
            c.probeInterval = nil
            let replica = OVSDBReplica(remotes: [.unix(path: server.socketPath)], database: OVNNorthbound.name,
                                       monitors: [[MonitorRequest(table: LogicalRouterPolicy.tableName)]], configuration: c)
            try await replica.start()
            let first = try replica.read { try $0.all(LogicalRouterPolicy.self) }
            #expect(first.count == 1)
            #expect(first.first?.priority == 101 && first.first?.action == .reroute && first.first?.nexthops == ["10.1.0.2"])
            let uuid = try #require(first.first?.uuid)
            try await server.nbctl(["set", "Logical_Router_Policy", uuid.description, "external_ids:EgressSVC=default/svc"])
            let after = { try replica.read { try $0.model(LogicalRouterPolicy.self, uuid) } }
            _ = try await eventually { try after()?.externalIDs["EgressSVC"] == "default/svc" }
            #expect(try after()?.externalIDs == ["EgressSVC": "default/svc"])
            await replica.close()
        }
    }
}
