import Foundation
import OVSDBClient
import OVSDBTestSupport

/// `ovn-egressctl run` started in the background: its stderr goes to a file the test reads,
/// its stdin is a pipe the test writes.
final class RunningCtl: @unchecked Sendable {
    let process = Process()
    let stdin = Pipe()
    let logPath: String
    private let exited = NSCondition()
    private var status: Int32?

    /// `prefix`: a command that runs ovn-egressctl (`ip netns exec NAME`).
    init(_ args: [String], db: String, logPath: String, prefix: [String] = [], environment: [String: String] = [:]) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let ctl = try ctlPath()
        process.executableURL = URL(fileURLWithPath: prefix.first ?? ctl)
        process.arguments = Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [ctl]) + ["--db=\(db)"] + args
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given } }
        process.standardInput = stdin
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.terminationHandler = { [weak self] p in
            guard let self else { return }
            self.exited.lock()
            self.status = p.terminationStatus
            self.exited.broadcast()
            self.exited.unlock()
        }
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var pid: Int32 { process.processIdentifier }

    func signal(_ s: Int32) { kill(process.processIdentifier, s) }

    /// The exit status, waiting up to `seconds` without holding a cooperative thread.
    func exitStatus(within seconds: Double) async -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let s = currentStatus() { return s }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    private func currentStatus() -> Int32? {
        exited.lock()
        defer { exited.unlock() }
        return status
    }

    func write(_ text: String) {
        stdin.fileHandleForWriting.write(Data(text.utf8))
    }

    func closeStdin() {
        try? stdin.fileHandleForWriting.close()
    }

    /// The port `--metrics 127.0.0.1:0` got, read from the log.
    func metricsPort(within seconds: Double = 10) async throws -> Int {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let range = log.range(of: #"/healthz on 127\.0\.0\.1:([0-9]+)"#, options: .regularExpression) {
                return Int(log[range].split(separator: ":").last!)!
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FixtureError("no metrics port in the log:\n\(log)")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

func ctlPath() throws -> String {
    let build = ProcessInfo.processInfo.environment["OVN_EGRESS_BUILD_DIR"] ?? ".build"
    for dir in [build + "/debug", build + "/x86_64-unknown-linux-gnu/debug", build + "/aarch64-unknown-linux-gnu/debug"] {
        let path = root + "/" + dir + "/ovn-egressctl"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    throw FixtureError("ovn-egressctl is not built")
}

/// One HTTP GET on loopback: status and body (URLSession is not used: its Linux build
/// needs libcurl's networking stack for what a socket does here).
/// `namespace`: a network namespace the server listens in.
func httpGet(port: Int, path: String, namespace: String? = nil) async throws -> (Int, String) {
    let prefix = namespace.map { ["netns", "exec", $0, "/usr/bin/python3"] } ?? []
    let out = try await OVSDBServerFixture.executeOffPool(namespace == nil ? "/usr/bin/python3" : "/usr/sbin/ip", prefix + ["-c", """
    import http.client, sys
    c = http.client.HTTPConnection("127.0.0.1", \(port), timeout=5)
    c.request("GET", "\(path)")
    r = c.getresponse()
    sys.stdout.write(str(r.status) + "\\n" + r.read().decode())
    """])
    let text = out.stdout
    let firstLine = text.prefix { $0 != "\n" }
    return (Int(firstLine) ?? 0, String(text.dropFirst(firstLine.count + 1)))
}
