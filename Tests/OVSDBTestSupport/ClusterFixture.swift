import Foundation
import OVSDBClient

/// A Raft cluster of `ovsdb-server`s on loopback: members talk Raft over 127.0.0.1 TCP, and
/// clients reach each member on its own unix socket. Stopped by pid files, never by name.
public final class ClusterFixture: @unchecked Sendable {
    public let directory: String
    public let size: Int
    private let raftPorts: [Int]

    public func socket(_ i: Int) -> String { "\(directory)/s\(i).sock" }
    public func remote(_ i: Int) -> String { "unix:\(socket(i))" }
    /// Every member, comma-separated, as --db takes them.
    public var remotes: String { (0..<size).map(remote).joined(separator: ",") }

    public init(size: Int = 3, schema: String = OVSDBServerFixture.nbSchemaPath) throws {
        var template = Array("/tmp/ovsdb-cluster.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed") }
        directory = String(cString: made)
        self.size = size
        let base = 20_000 + Int.random(in: 0..<20_000)
        raftPorts = (0..<size).map { base + $0 }
        try OVSDBServerFixture.run("/usr/bin/ovsdb-tool", ["create-cluster", db(0), schema, "tcp:127.0.0.1:\(raftPorts[0])"])
        for i in 1..<size {
            try OVSDBServerFixture.run("/usr/bin/ovsdb-tool", ["join-cluster", db(i), "OVN_Northbound", "tcp:127.0.0.1:\(raftPorts[i])", "tcp:127.0.0.1:\(raftPorts[0])"])
        }
        for i in 0..<size { try startMember(i) }
    }

    public static func start(size: Int = 3) async throws -> ClusterFixture {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async { c.resume(with: Result { try ClusterFixture(size: size) }) }
        }
    }

    private func db(_ i: Int) -> String { "\(directory)/s\(i).db" }
    private func pidFile(_ i: Int) -> String { "\(directory)/s\(i).pid" }

    private func startMember(_ i: Int) throws {
        try OVSDBServerFixture.run("/usr/sbin/ovsdb-server", [
            "--detach", "--no-chdir", "--pidfile=\(pidFile(i))", "--unixctl=\(directory)/s\(i).ctl",
            "--log-file=\(directory)/s\(i).log", "--remote=punix:\(socket(i))", db(i),
        ])
    }

    public func restart(_ i: Int) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            DispatchQueue.global().async { c.resume(with: Result { try self.startMember(i) }) }
        }
    }

    /// SIGKILL, and waits until the process is gone.
    public func kill(_ i: Int) {
        guard let pid = OVSDBServerFixture.pid(inFile: pidFile(i)) else { return }
        OVSDBServerFixture.signalAndWait(pid, SIGKILL)
        try? FileManager.default.removeItem(atPath: pidFile(i))
    }

    /// The member that leads now, asked of each member's `_Server` database.
    public func leader() async -> Int? {
        for i in 0..<size {
            guard let c = try? await OVSDBConnection.connect(to: remote(i)) else { continue }
            let status = try? await c.databaseStatus("OVN_Northbound")
            await c.close()
            if status?.leader == true, status?.connected == true { return i }
        }
        return nil
    }

    /// Waits until some member leads.
    public func waitForLeader(seconds: Double = 20) async throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let l = await leader() { return l }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FixtureError("no leader elected within \(seconds) s")
    }

    public func stop() {
        for i in 0..<size { kill(i) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

public func withCluster<T>(size: Int = 3, _ body: (ClusterFixture) async throws -> T) async throws -> T {
    let cluster = try await ClusterFixture.start(size: size)
    defer { cluster.stop() }
    _ = try await cluster.waitForLeader()
    return try await body(cluster)
}
