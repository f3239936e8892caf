import Foundation
import Testing
import OVSDBClient
import OVSDBTestSupport
import Logging
import NIOConcurrencyHelpers

/// Appends log lines to a file: a hung test run loses its captured output.
struct FileLogHandler: LogHandler {
    let path: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        guard let h = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil) else { return }
        h.seekToEndOfFile()
        h.write("\(Date()) \(level) \(message)\n".data(using: .utf8)!)
        try? h.close()
    }
}

/// Every table of the NB schema, every column.
func allTables(_ schema: DatabaseSchema) -> [[MonitorRequest]] {
    [schema.tables.keys.sorted().map { MonitorRequest(table: $0) }]
}

func makeReplica(_ remote: String, monitors: [[MonitorRequest]], indexes: [ReplicaIndex] = [],
                 probe: Duration? = .seconds(5), leaderOnly: Bool = true, inPlace: Bool = false) throws -> OVSDBReplica {
    var c = OVSDBReplica.Configuration()
    // In place: every monitor reply is read from its bytes, as only large ones are by default.
    if inPlace { c.connection.inPlaceReadingSize = 0 }
    c.probeInterval = probe
    c.leaderOnly = leaderOnly
    c.backoff = Backoff(initial: .milliseconds(50), maximum: .milliseconds(400))
    c.connection.connectTimeout = .seconds(3)
    c.syncTimeout = .seconds(10)
    if let path = ProcessInfo.processInfo.environment["OVSDB_TEST_LOG"] {
        var l = Logger(label: "replica") { _ in FileLogHandler(path: path) }
        l.logLevel = .info
        c.connection.logger = l
    }
    return OVSDBReplica(remotes: try RemoteAddress.list(remote), database: "OVN_Northbound", monitors: monitors, indexes: indexes, configuration: c)
}

/// The replica's rows, table by table, for the tables the dump has.
func replicaTables(_ replica: OVSDBReplica) throws -> [String: [OVSDBUUID: Row]] {
    try replica.read { store in store.tables.mapValues(\.rows) }
}

/// Waits until the replica equals the server's dump (the replica follows asynchronously
/// when another client writes), or fails after `seconds` showing the first difference.
func expectReplicaEqualsDump(_ replica: OVSDBReplica, _ server: OVSDBServerFixture, _ schema: DatabaseSchema,
                             seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    var lastDifference = ""
    while true {
        let dump = try await server.dump(schema)
        let mine = try replicaTables(replica)
        lastDifference = ""
        for (table, rows) in dump.sorted(by: { $0.key < $1.key }) {
            let ours = mine[table] ?? [:]
            if ours != rows {
                let missing = rows.keys.filter { ours[$0] == nil }.count
                let extra = ours.keys.filter { rows[$0] == nil }.count
                let differ = rows.keys.filter { ours[$0] != nil && ours[$0] != rows[$0] }
                lastDifference = "\(table): \(missing) missing, \(extra) extra, \(differ.count) differ"
                if let u = differ.first { lastDifference += "; \(u): ours \(ours[u]!.json) dump \(rows[u]!.json)" }
                break
            }
        }
        if lastDifference.isEmpty { return }
        if Date() > deadline { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("replica differs from ovsdb-client dump: \(lastDifference)", sourceLocation: sourceLocation)
}

@Suite("the replica against a real ovsdb-server")
struct ReplicaTests {
    @Test("follows another client's mixed transactions (ovn-nbctl) and equals ovsdb-client dump, table by table; monitor replies read as trees and in place",
          arguments: [false, true])
    func followsNbctl(inPlace: Bool) async throws {
        try await withServer { server in
            let schema = try await schemaOf(server)
            try await server.nbctl(["lr-add", "r0", "--", "ls-add", "s0", "--", "ls-add", "s1"])
            let replica = try makeReplica(server.remote, monitors: allTables(schema), inPlace: inPlace)
            try await replica.start()
            try await expectReplicaEqualsDump(replica, server, schema)
            let changes = replica.changes()
            // Inserts, set and map updates, deletes, references, in single and multi-command transactions.
            try await server.nbctl(["lsp-add", "s0", "p0", "--", "lsp-set-addresses", "p0", "00:00:00:00:00:01 10.0.0.1"])
            try await server.nbctl(["set", "Logical_Switch", "s0", "external_ids:a=1", "external_ids:b=2", "other_config:x=y"])
            try await server.nbctl(["remove", "Logical_Switch", "s0", "external_ids", "a"])
            try await server.nbctl(["lr-policy-add", "r0", "101", "ip4.src == 10.0.0.1", "reroute", "10.1.0.2"])
            try await server.nbctl(["lr-policy-add", "r0", "102", "ip4.src == 10.0.0.2", "allow"])
            try await server.nbctl(["create", "Address_Set", "name=as1", "addresses=\"10.0.0.1\",\"10.0.0.2\""])
            try await server.nbctl(["add", "Address_Set", "as1", "addresses", "\"10.0.0.3\""])
            try await server.nbctl(["remove", "Address_Set", "as1", "addresses", "\"10.0.0.1\""])
            try await server.nbctl(["lr-policy-del", "r0", "102", "ip4.src == 10.0.0.2"])
            try await server.nbctl(["ls-del", "s1"])
            try await server.nbctl(["lsp-del", "p0"])
            try await expectReplicaEqualsDump(replica, server, schema)
            // The change stream saw the address set edits as modifies with old and new.
            let sawAddressModify = await firstChange(in: changes) { c in
                if case .modify("Address_Set", _, let old, let new) = c { return old["addresses"] != new["addresses"] }
                return false
            }
            #expect(sawAddressModify)
            await replica.close()
        }
    }

    @Test("read-your-writes: when transact returns, the replica holds its effect")
    func readYourWrites() async throws {
        try await withServer { server in
            let schema = try await schemaOf(server)
            let replica = try makeReplica(server.remote, monitors: [[MonitorRequest(table: "Address_Set")]],
                                          indexes: [ReplicaIndex(table: "Address_Set", key: .mapValue(column: "external_ids", key: "owner"))])
            try await replica.start()
            for i in 0..<50 {
                let name = "set-\(i)"
                let r = try await replica.transact([.insert(table: "Address_Set", row: Row([
                    "name": .scalar(.string(name)), "external_ids": .stringMap(["owner": "me-\(i % 5)"]),
                ]))])
                let uuid = try #require(r.first?.uuid)
                let seen = try replica.read { $0["Address_Set"]![uuid]?["name"] }
                #expect(seen == .scalar(.string(name)))
            }
            // The schema's unique index (name) and the declared external_ids index answer lookups.
            let byName = try replica.read { $0["Address_Set"]!.rows(where: .columns(["name"]), equals: [.scalar(.string("set-7"))]) }
            #expect(byName.count == 1)
            let owned = try replica.read { $0["Address_Set"]!.rows(whereMap: "external_ids", key: "owner", is: "me-3") }
            #expect(owned.count == 10)
            try await expectReplicaEqualsDump(replica, server, schema, seconds: 0)
            await replica.close()
        }
    }

    @Test("cond_change: rows leaving the condition are removed, rows entering it added, as changes")
    func conditionChange() async throws {
        try await withServer { server in
            for n in ["a1", "a2", "b1"] { try await server.nbctl(["create", "Address_Set", "name=\(n)"]) }
            let requests = { (name: String) in
                [MonitorRequest(table: "Address_Set", columns: ["name"], condition: Condition([.column("name", .equal, .scalar(.string(name)))]))]
            }
            let replica = try makeReplica(server.remote, monitors: [requests("a1")])
            try await replica.start()
            let names = { try replica.read { Set($0["Address_Set"]!.rows.values.compactMap { $0["name"]?.keys.first }) } }
            #expect(try names() == [.string("a1")])
            let changes = replica.changes()
            try await replica.changeConditions(monitor: 0, requests: requests("b1"))
            let seen = NIOLockedValueBox<(inserted: [Atom], deleted: [Atom])>(([], []))
            _ = await firstChange(in: changes) { c in
                seen.withLockedValue { s in
                    switch c {
                    case .insert(_, _, let new): s.inserted += new["name"]!.keys
                    case .delete(_, _, let old): s.deleted += old["name"]!.keys
                    case .modify: Issue.record("unexpected modify")
                    }
                    return !s.inserted.isEmpty && !s.deleted.isEmpty
                }
            }
            let (inserted, deleted) = seen.withLockedValue { $0 }
            #expect(inserted == [.string("b1")] && deleted == [.string("a1")])
            #expect(try names() == [.string("b1")])
            // Other clients' writes follow the new condition only.
            try await server.nbctl(["create", "Address_Set", "name=a3"])
            try await server.nbctl(["set", "Address_Set", "b1", "addresses=\"10.0.0.9\""])
            _ = try await eventually { try replica.read({ $0["Address_Set"]!.count }) == 1 && names() == [.string("b1")] }
            #expect(try names() == [.string("b1")])
            await replica.close()
        }
    }

    @Test("kill and restart a standalone server: the replica resyncs, equals the dump, and has the row written while it was down")
    func restartStandalone() async throws {
        try await withServer { server in
            let schema = try await schemaOf(server)
            try await server.nbctl(["ls-add", "before"])
            let replica = try makeReplica(server.remote, monitors: allTables(schema), probe: .milliseconds(500), inPlace: true)
            try await replica.start()
            try await expectReplicaEqualsDump(replica, server, schema)
            server.kill()
            // Written to the database file while no server runs.
            _ = try await OVSDBServerFixture.runOffPool("/usr/bin/ovsdb-tool", ["transact", server.databasePath,
                #"["OVN_Northbound",{"op":"insert","table":"Logical_Switch","row":{"name":"while-down"}},{"op":"delete","table":"Logical_Switch","where":[["name","==","before"]]}]"#])
            try await server.restart()
            try await expectReplicaEqualsDump(replica, server, schema, seconds: 20)
            let names = try replica.read { $0["Logical_Switch"]!.rows.values.compactMap { $0["name"]?.keys.first } }
            #expect(names == [.string("while-down")])
            // The rows land before the sync is counted: wait for the count.
            _ = try await eventually { replica.statistics.connections >= 2 }
            let stats = replica.statistics
            #expect(stats.connections >= 2)
            #expect(stats.fullSyncs >= 2, "a standalone server keeps no transaction history: the resume is a full sync")
            await replica.close()
        }
    }

    @Test("a server converted to a new schema while monitored: the replica re-reads the schema, re-monitors and keeps serving")
    func schemaConversion() async throws {
        try await withServer { server in
            let schema = try await schemaOf(server)
            try await server.nbctl(["ls-add", "kept"])
            let replica = try makeReplica(server.remote, monitors: [[MonitorRequest(table: "Logical_Switch")]])
            try await replica.start()
            // The same schema with one more column in Logical_Switch and a new version.
            var json = schema.json
            guard case .object(var top) = json, case .object(var tables)? = top["tables"], case .object(var ls)? = tables["Logical_Switch"],
                  case .object(var columns)? = ls["columns"] else { Issue.record("schema shape"); return }
            columns["test_extra"] = ["type": ["key": "string", "min": 0, "max": 1]]
            ls["columns"] = .object(columns)
            tables["Logical_Switch"] = .object(ls)
            top["tables"] = .object(tables)
            top["version"] = "99.0.0"
            top["cksum"] = nil
            json = .object(top)
            let path = server.directory + "/converted.ovsschema"
            try Data(JSONWriter.encode(json)).write(to: URL(fileURLWithPath: path))
            _ = try await OVSDBServerFixture.runOffPool("/usr/bin/ovsdb-client", ["convert", server.remote, path])
            #expect(try await eventually { try replica.read { $0.schema.version } == "99.0.0" })
            try await server.nbctl(["ls-add", "after"])
            // Waits for the row itself, polled here. Waiting for a count of 2 through
            // `eventually` failed about one run in 25 (at the commit before this loop too):
            // it returned with the row not yet there, which the replica's log did not explain.
            // This loop passed 100 runs in a row.
            var row: Row?
            for _ in 0..<250 {
                row = try replica.read { $0["Logical_Switch"]!.rows.values.first { $0["name"] == .scalar("after") } }
                if row != nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let count = try replica.read { $0["Logical_Switch"]!.count }
            let replicated = try replica.read { $0["Logical_Switch"]!.columns.map(\.name) }
            #expect(count == 2)
            #expect(row?["test_extra"] == .emptySet, "\(String(describing: row)); columns \(replicated)")
            await replica.close()
        }
    }
}

/// True when a change matching `predicate` arrives within `seconds`.
func firstChange(in stream: AsyncStream<ReplicaChangeSet>, seconds: Int = 10,
                 _ predicate: @escaping @Sendable (ReplicaChange) -> Bool) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            for await set in stream where set.changes.contains(where: predicate) { return true }
            return false
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
}

func schemaOf(_ server: OVSDBServerFixture) async throws -> DatabaseSchema {
    let c = try await OVSDBConnection.connect(to: server.remote)
    let s = try await c.schema(of: "OVN_Northbound")
    await c.close()
    return s
}

@Suite("the inactivity probe")
struct ProbeTests {
    @Test("a server that stops answering (SIGSTOP) is detected by the probe; after SIGCONT the replica syncs again and follows writes")
    func stoppedServer() async throws {
        try await withServer { server in
            let replica = try makeReplica(server.remote, monitors: [[MonitorRequest(table: "Logical_Switch", columns: ["name"])]],
                                          probe: .milliseconds(300))
            try await replica.start()
            let pid = try #require(OVSDBServerFixture.pid(inFile: server.directory + "/pid"))
            kill(pid, SIGSTOP)
            let detected = try await eventually { replica.statistics.probesFailed >= 1 }
            kill(pid, SIGCONT)
            #expect(detected, "no failed probe within 5 s of the server stopping (\(replica.status))")
            try await within(seconds: 30) { try await replica.waitForSync() }
            try await server.nbctl(["ls-add", "after-stop"])
            #expect(try await eventually { try replica.read { $0["Logical_Switch"]!.count } == 1 })
            await replica.close()
        }
    }
}

@Suite("the replica through an ovsdb-server relay")
struct RelayTests {
    @Test("a relay (relay:DB:REMOTE) is accepted leader-only for reads and monitors, and follows the source's writes")
    func relay() async throws {
        try await withServer { server in
            try await server.nbctl(["ls-add", "through-relay"])
            let dir = server.directory
            let socket = dir + "/relay.sock"
            _ = try await OVSDBServerFixture.runOffPool("/usr/sbin/ovsdb-server", [
                "--detach", "--no-chdir", "--pidfile=\(dir)/relay.pid", "--unixctl=\(dir)/relay.ctl",
                "--log-file=\(dir)/relay.log", "--remote=punix:\(socket)", "relay:OVN_Northbound:\(server.remote)",
            ])
            defer {
                if let pid = OVSDBServerFixture.pid(inFile: dir + "/relay.pid") { OVSDBServerFixture.signalAndWait(pid, SIGTERM) }
            }
            let replica = try makeReplica("unix:\(socket)", monitors: [[MonitorRequest(table: "Logical_Switch", columns: ["name"])]])
            try await within(seconds: 60) { try await replica.start() }
            guard case .synced(_, .relay) = replica.status else { Issue.record("\(replica.status)"); return }
            try await server.nbctl(["ls-add", "after"])
            let names = { try replica.read { Set($0["Logical_Switch"]!.rows.values.compactMap { $0["name"]?.keys.first }) } }
            _ = try await eventually { try names().count == 2 }
            #expect(try names() == [.string("through-relay"), .string("after")])
            await replica.close()
        }
    }
}
