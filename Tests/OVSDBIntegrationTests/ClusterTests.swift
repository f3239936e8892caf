import Foundation
import Testing
import OVSDBClient
import OVSDBTestSupport

@Suite("a 3-member Raft cluster on loopback", .serialized)
struct ClusterTests {
    @Test("the replica follows the leader; after the leader's outage it resumes with found=true and equals the dump")
    func resumeWithDelta() async throws {
        try await withCluster { cluster in
            let leader = try await cluster.waitForLeader()
            let server = OVSDBServerFixtureView(cluster.remote(leader))
            let schema = try await server.schema()
            let replica = try makeReplica(cluster.remotes, monitors: [[MonitorRequest(table: "Logical_Switch"), MonitorRequest(table: "Address_Set")]],
                                          probe: .milliseconds(500))
            try await replica.start()
            guard case .synced(let first, .clustered) = replica.status else { Issue.record("\(replica.status)"); return }
            #expect(first.description == cluster.remote(leader))
            try await nbctl(cluster.remotes, ["ls-add", "a"])
            cluster.kill(leader)
            let newLeader = try await cluster.waitForLeader()
            try await nbctl(cluster.remotes, ["ls-add", "b", "--", "create", "Address_Set", "name=while-away"])
            try await replica.waitForSync()
            try await cluster.restart(leader)
            let after = OVSDBServerFixtureView(cluster.remote(newLeader))
            try await expectEqualsDump(replica, after, schema, tables: ["Logical_Switch", "Address_Set"])
            #expect(replica.statistics.resumedWithDelta >= 1, "resumed from the last transaction id: only the delta came (stats \(replica.statistics))")
            guard case .synced(let now, _) = replica.status else { Issue.record("\(replica.status)"); return }
            #expect(now.description == cluster.remote(newLeader))
            await replica.close()
        }
    }

    @Test("2,000 writes while the leader is SIGKILLed and restarted, 3 trials: each write done exists exactly once")
    func writesThroughFailover() async throws {
        for trial in 1...3 { try await failoverTrial(trial) }
    }

    private func failoverTrial(_ trial: Int) async throws {
        try await withCluster { cluster in
            let replica = try makeReplica(cluster.remotes, monitors: [[MonitorRequest(table: "Address_Set", columns: ["name"])]], probe: .milliseconds(500))
            try await replica.start()
            let total = 2000
            var done: [OVSDBUUID] = []
            var killedAt: ContinuousClock.Instant?
            var recovery: Duration?
            var killed = -1
            var elected: Task<ContinuousClock.Instant?, Never>?
            for i in 0..<total {
                if i == 500 {
                    killed = try await cluster.waitForLeader()
                    cluster.kill(killed)
                    killedAt = .now
                    // When another member reports itself leader (polled every 100 ms): the
                    // part of the stall that is the election, not the client.
                    elected = Task { () -> ContinuousClock.Instant? in
                        (try? await cluster.waitForLeader()) == nil ? nil : .now
                    }
                }
                if i == 1200 { try await cluster.restart(killed) }
                let uuid = OVSDBUUID.random()
                let outcome = try await replica.transactIdempotently(
                    [.insert(table: "Address_Set", row: Row(["name": .scalar(.string("w-\(i)"))]), uuid: uuid)],
                    until: .now + .seconds(30))
                if let k = killedAt, recovery == nil { recovery = .now - k }
                _ = outcome
                done.append(uuid)
            }
            let dump = try await OVSDBServerFixtureView(cluster.remote(try await cluster.waitForLeader())).dump(["Address_Set"])
            let rows = dump["Address_Set"] ?? [:]
            #expect(rows.count == total, "no write lost, none duplicated")
            #expect(Set(done).count == total && done.allSatisfy { rows[$0] != nil })
            let names = Set(rows.values.compactMap { $0["name"]?.keys.first })
            #expect(names.count == total)
            let election = await elected?.value.flatMap { e in killedAt.map { e - $0 } }
            print("cluster failover trial \(trial): kill to next committed write \(recovery.map { "\($0)" } ?? "-"), kill to a new leader reported \(election.map { "\($0)" } ?? "-")")
            await replica.close()
        }
    }
}

/// ovn-nbctl against any members of a cluster.
@discardableResult
func nbctl(_ remotes: String, _ args: [String]) async throws -> String {
    try await OVSDBServerFixture.runOffPool("/usr/bin/ovn-nbctl", ["--db=\(remotes)", "--timeout=20"] + args)
}

/// One member, read with ovsdb-client.
struct OVSDBServerFixtureView {
    var remote: String
    init(_ remote: String) { self.remote = remote }

    func schema() async throws -> DatabaseSchema {
        let c = try await OVSDBConnection.connect(to: remote)
        defer { Task { await c.close() } }
        return try await c.schema(of: "OVN_Northbound")
    }

    func dump(_ tables: [String]) async throws -> [String: [OVSDBUUID: Row]] {
        let schema = try await schema()
        var out: [String: [OVSDBUUID: Row]] = [:]
        for t in tables {
            let text = try await OVSDBServerFixture.runOffPool("/usr/bin/ovsdb-client", ["--format=json", "dump", remote, "OVN_Northbound", t])
            out.merge(try OVSDBServerFixture.parseDump(text, schema: schema)) { a, _ in a }
        }
        return out
    }
}

func expectEqualsDump(_ replica: OVSDBReplica, _ server: OVSDBServerFixtureView, _ schema: DatabaseSchema, tables: [String],
                      sourceLocation: SourceLocation = #_sourceLocation) async throws {
    var difference = ""
    for _ in 0..<100 {
        let dump = try await server.dump(tables)
        let mine = try replicaTables(replica)
        difference = tables.first { (mine[$0] ?? [:]) != (dump[$0] ?? [:]) }.map { "\($0): \(mine[$0]?.count ?? 0) rows here, \(dump[$0]?.count ?? 0) in the dump" } ?? ""
        if difference.isEmpty { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("replica differs: \(difference)", sourceLocation: sourceLocation)
}

func replicaDebug(_ s: String) {
    guard let path = ProcessInfo.processInfo.environment["OVSDB_TEST_LOG"] else { return }
    FileLogHandler(path: path).log(level: .info, message: "\(s)", metadata: nil, source: "", file: "", function: "", line: 0)
}
