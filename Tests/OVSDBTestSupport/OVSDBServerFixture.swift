import Foundation
import OVSDBClient

/// A real `ovsdb-server` in a temporary folder, started for one test and stopped by its pid
/// file (never by name, so other servers on the machine are left alone).
public final class OVSDBServerFixture: @unchecked Sendable {
    public let directory: String
    public let socketPath: String
    public var remote: String { "unix:\(socketPath)" }
    private let serverArguments: [String]

    public static var repositoryRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().path
    }

    public static var nbSchemaPath: String { repositoryRoot + "/schemas/ovn-nb.ovsschema" }

    /// - Parameters:
    ///   - schema: path of the `.ovsschema` to create the database from.
    ///   - extraArguments: more `ovsdb-server` options (TLS files, extra remotes).
    public init(schema: String = OVSDBServerFixture.nbSchemaPath, extraArguments: [String] = []) throws {
        var template = Array("/tmp/ovsdb-test.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed") }
        directory = String(cString: made)
        socketPath = directory + "/nb.sock"
        try Self.run("/usr/bin/ovsdb-tool", ["create", directory + "/nb.db", schema])
        serverArguments = [
            "--detach", "--no-chdir", "--pidfile=\(directory)/pid", "--unixctl=\(directory)/ctl",
            "--log-file=\(directory)/log", "--remote=punix:\(socketPath)",
        ] + extraArguments + [directory + "/nb.db"]
        try Self.run("/usr/sbin/ovsdb-server", serverArguments)
    }

    /// Kills the server (SIGKILL: no clean shutdown) and keeps its files.
    public func kill() {
        signalServer(SIGKILL)
    }

    /// Starts the server again on the same database file and socket.
    public func restart() async throws {
        try await Self.runOffPool("/usr/sbin/ovsdb-server", serverArguments)
    }

    /// Every row of every table as `ovsdb-client dump` prints them, typed by `schema`.
    public func dump(_ schema: DatabaseSchema) async throws -> [String: [OVSDBUUID: Row]] {
        let text = try await Self.runOffPool("/usr/bin/ovsdb-client", ["--format=json", "dump", remote, schema.name])
        return try Self.parseDump(text, schema: schema)
    }

    public static func parseDump(_ text: String, schema: DatabaseSchema) throws -> [String: [OVSDBUUID: Row]] {
        var out: [String: [OVSDBUUID: Row]] = [:]
        for line in text.split(separator: "\n") where !line.isEmpty {
            let table = try JanssonCodec.decode(Array(line.utf8))
            guard let caption = table["caption"]?.stringValue, caption.hasSuffix(" table"),
                  let headings = table["headings"]?.arrayValue?.compactMap(\.stringValue),
                  let data = table["data"]?.arrayValue else { throw FixtureError("bad dump line \(line.prefix(80))") }
            let name = String(caption.dropLast(" table".count))
            let t = try schema.table(name)
            var rows: [OVSDBUUID: Row] = [:]
            for values in data {
                guard let values = values.arrayValue else { continue }
                var row = Row()
                var uuid: OVSDBUUID?
                for (h, v) in zip(headings, values) {
                    if h == "_uuid" {
                        if case .array(let p) = v, p.count == 2 { uuid = p[1].stringValue.flatMap { OVSDBUUID($0) } }
                        continue
                    }
                    if h == "_version" { continue }
                    row[h] = try Datum(json: v, type: t.columns[h]!.type)
                }
                guard let uuid else { throw FixtureError("dump row without _uuid") }
                rows[uuid] = row
            }
            out[name] = rows
        }
        return out
    }

    public var databasePath: String { directory + "/nb.db" }

    /// Runs `ovn-nbctl` against this server and returns its standard output.
    @discardableResult
    public func nbctl(_ arguments: [String]) async throws -> String {
        try await Self.runOffPool("/usr/bin/ovn-nbctl", ["--db=\(remote)", "--timeout=10"] + arguments)
    }

    /// Starts a server without blocking Swift's cooperative threads (2 on this machine):
    /// blocking them in waitpid starves every other test running in parallel.
    public static func start(schema: String = OVSDBServerFixture.nbSchemaPath, extraArguments: [String] = []) async throws -> OVSDBServerFixture {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try OVSDBServerFixture(schema: schema, extraArguments: extraArguments) })
            }
        }
    }

    /// `run` on a dispatch thread, for the same reason as `start`.
    public static func runOffPool(_ program: String, _ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(program, arguments) })
            }
        }
    }

    /// Stops the server through its pid file and removes the folder.
    public func stop(signal: Int32 = SIGTERM) {
        signalServer(signal)
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func signalServer(_ signal: Int32) {
        guard let pid = Self.pid(inFile: directory + "/pid") else { return }
        Self.signalAndWait(pid, signal)
    }

    public static func pid(inFile path: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Sends `signal`, waits up to 2 s for the process to end, then SIGKILLs it. A detached
    /// server's parent is init, which here may reap late: a zombie counts as ended, or every
    /// stop would sleep the full 2 s on a cooperative thread and starve the other tests.
    public static func signalAndWait(_ pid: Int32, _ signal: Int32) {
        Foundation.kill(pid, signal)
        for _ in 0..<100 where isRunning(pid) { usleep(20_000) }
        if isRunning(pid) { Foundation.kill(pid, SIGKILL) }
    }

    static func isRunning(_ pid: Int32) -> Bool {
        guard Foundation.kill(pid, 0) == 0 else { return false }
        // /proc/PID/stat: "PID (comm) STATE ..."; the comm may hold spaces, so read after ')'.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }

    /// Runs a program, failing with its stderr when it exits non-zero.
    @discardableResult
    /// Runs a program to completion with posix_spawn and waitpid; output goes through files,
    /// since a daemonizing program would hold pipes open for its whole life.
    public static func run(_ program: String, _ arguments: [String]) throws -> String {
        let result = try execute(program, arguments)
        guard result.status == 0 else {
            throw FixtureError("\(program) \(arguments.joined(separator: " ")) failed (status \(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    /// What a finished program printed and returned.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a program to completion and returns its exit status and output, whatever it is.
    public static func execute(_ program: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Outcome {
        let base = NSTemporaryDirectory() + "ovsdb-fixture-\(UUID().uuidString)"
        let outPath = base + ".out"
        let errPath = base + ".err"
        let inPath = base + ".in"
        defer {
            unlink(outPath)
            unlink(errPath)
            unlink(inPath)
        }
        try (stdin ?? "").write(toFile: inPath, atomically: true, encoding: .utf8)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin == nil ? "/dev/null" : inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Threads of the test process block some signals, and a spawned child inherits that
        // mask: a server with SIGTERM blocked would never stop. Start children clean.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw FixtureError("cannot start \(program): error \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return Outcome(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: stdout, stderr: stderr)
    }

    /// `execute` on a dispatch thread, off Swift's cooperative pool.
    public static func executeOffPool(_ program: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try execute(program, arguments, environment: environment, stdin: stdin) })
            }
        }
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Starts a server, runs `body`, and always stops the server.
public func withServer<T>(schema: String = OVSDBServerFixture.nbSchemaPath, extraArguments: [String] = [],
                   _ body: (OVSDBServerFixture) async throws -> T) async throws -> T {
    let server = try await OVSDBServerFixture.start(schema: schema, extraArguments: extraArguments)
    defer { server.stop() }
    return try await body(server)
}

/// Starts a server and opens a connection with its schema.
public func withConnection<T>(_ body: (OVSDBServerFixture, OVSDBConnection, DatabaseSchema) async throws -> T) async throws -> T {
    try await withServer { server in
        let connection = try await OVSDBConnection.connect(to: server.remote)
        let schema = try await connection.schema(of: "OVN_Northbound")
        defer { Task { await connection.close() } }
        return try await body(server, connection, schema)
    }
}

/// Fails the test instead of hanging the run. Generous: under a sanitizer, CPU-bound tests
/// running beside this one can hold both cooperative threads for tens of seconds.
public func within<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await runBefore(.now + .seconds(seconds), orThrow: { OVSDBClientError.timedOut("test deadline of \(seconds) s") }, body)
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass; returns whether it held.
/// For state another process changes (a replica following a write): the assertion follows.
public func eventually(seconds: Double = 5, _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try condition()
}
