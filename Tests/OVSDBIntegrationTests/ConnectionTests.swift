import Foundation
import Testing
import OVSDBClient
import OVSDBTestSupport

@Suite("connections against a real ovsdb-server")
struct ConnectionTests {
    @Test("concurrent requests each get their own reply")
    func concurrentRequests() async throws {
        try await withConnection { _, connection, _ in
            try await withThrowingTaskGroup(of: (Int, [JSON]).self) { group in
                for i in 0..<100 {
                    group.addTask { (i, try await connection.echo([.integer(Int64(i)), .string("req-\(i)")])) }
                }
                var seen = 0
                for try await (i, reply) in group {
                    #expect(reply == [.integer(Int64(i)), .string("req-\(i)")])
                    seen += 1
                }
                #expect(seen == 100)
            }
        }
    }

    @Test("cancelling a task sends RFC 7047 cancel; the request ends and the connection stays usable")
    func cancelRequest() async throws {
        try await withConnection { _, connection, schema in
            let blocked = try await startBlockedWait(connection, schema)
            blocked.cancel()
            let outcome = await blocked.result
            guard case .failure(let error) = outcome, error is CancellationError else {
                Issue.record("expected CancellationError, got \(outcome)")
                return
            }
            #expect(try await connection.echo(["still alive"]) == ["still alive"])
            // The server dropped the wait: a write it would have blocked goes through.
            let inserted = try await connection.transact("OVN_Northbound", [
                .insert(table: "Logical_Router", row: Row(["name": .scalar("r")])),
            ], schema: schema)
            #expect(inserted[0].uuid != nil)
        }
    }

    @Test("a cancel that comes before the request reaches the event loop is not lost")
    func earlyCancel() async throws {
        try await withConnection { _, connection, schema in
            // A lost cancel ends with the server's "timed out" after the wait's 20 s instead of
            // CancellationError, so the error type is the check; no clock is involved.
            for _ in 0..<10 {
                let blocked = Task {
                    try await connection.transact("OVN_Northbound", [
                        .wait(table: "Logical_Router", where: .all, columns: ["name"], until: .equal,
                              rows: [Row(["name": .scalar("never")])], timeout: 20_000),
                    ], schema: schema)
                }
                blocked.cancel()
                let outcome = await blocked.result
                guard case .failure(let error) = outcome, error is CancellationError else {
                    Issue.record("expected CancellationError, got \(outcome)")
                    return
                }
            }
            let echoed = try await connection.echo(["ok"])
            #expect(echoed == ["ok"])
        }
    }

    @Test("a server that goes away fails waiting requests instead of hanging")
    func serverStopsMidRequest() async throws {
        let server = try await OVSDBServerFixture.start()
        let connection = try await OVSDBConnection.connect(to: server.remote)
        let schema = try await connection.schema(of: "OVN_Northbound")
        let blocked = try await startBlockedWait(connection, schema)
        // SIGKILL: a server stopped cleanly answers pending waits before it closes.
        server.stop(signal: SIGKILL)
        let outcome = await blocked.result
        guard case .failure(let error) = outcome, case OVSDBClientError.connectionClosed = error else {
            Issue.record("expected connectionClosed, got \(outcome)")
            return
        }
        await #expect(throws: OVSDBClientError.self) { _ = try await connection.echo() }
    }

    @Test("a missing socket is a connection error naming the remote")
    func connectFailure() async throws {
        await #expect {
            _ = try await OVSDBConnection.connect(to: "unix:/tmp/no-such-dir-for-ovsdb/nb.sock")
        } throws: { error in
            guard case OVSDBClientError.connectionFailed(let remote, _) = error else { return false }
            return remote == "unix:/tmp/no-such-dir-for-ovsdb/nb.sock"
        }
    }

    @Test("tcp on loopback, and a remote list that skips a dead entry")
    func tcpAndRemoteList() async throws {
        try await withServer(extraArguments: ["--remote=ptcp:0:127.0.0.1"]) { server in
            let port = try await listeningPort(server)
            let connection = try await OVSDBConnection.connect(to: "unix:\(server.directory)/missing.sock,tcp:127.0.0.1:\(port)")
            #expect(connection.remote == .tcp(host: "127.0.0.1", port: port))
            #expect(try await connection.listDatabases().contains("OVN_Northbound"))
            await connection.close()
        }
    }
}

/// A transaction the server holds for a minute (a `wait` for a row that never appears),
/// already sent when this returns.
func startBlockedWait(_ connection: OVSDBConnection, _ schema: DatabaseSchema) async throws -> Task<[OperationResult], Error> {
    let blocked = Task {
        try await connection.transact("OVN_Northbound", [
            .wait(table: "Logical_Router", where: .all, columns: ["name"], until: .equal,
                  rows: [Row(["name": .scalar("never")])], timeout: 60_000),
        ], schema: schema)
    }
    try await Task.sleep(for: .milliseconds(200))
    return blocked
}

/// The port a `ptcp:0`/`pssl:0` remote bound, from the server's log (as Open vSwitch's tests read it).
func listeningPort(_ server: OVSDBServerFixture) async throws -> Int {
    for _ in 0..<100 {
        let log = (try? String(contentsOfFile: server.directory + "/log", encoding: .utf8)) ?? ""
        for line in log.split(separator: "\n") {
            if let r = line.range(of: "listening on port ") {
                if let port = Int(line[r.upperBound...].trimmingCharacters(in: .whitespaces)) { return port }
            }
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw FixtureError("no 'listening on port' line in \(server.directory)/log")
}
