import Foundation
import OVSDBClient
import OVSDBTestSupport
import Testing

/// A fake `kubectl` that records each argv (one JSON array a line) and fails the first
/// `failures` calls; returns its folder.
private func fakeKubectl(failures: Int) throws -> String {
    var template = Array("/tmp/egress-kubectl.XXXXXX".utf8CString)
    let dir = String(cString: mkdtemp(&template)!)
    let script = """
    #!/usr/bin/python3
    import json, os, sys
    d = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(d, "calls"), "a") as f:
        f.write(json.dumps(sys.argv[1:]) + "\\n")
    n = os.path.join(d, "failures")
    left = int(open(n).read()) if os.path.exists(n) else 0
    if left > 0:
        open(n, "w").write(str(left - 1))
        sys.stderr.write("error: the server is currently unable to handle the request\\n")
        sys.exit(1)
    """
    // Through a close-on-exec descriptor: a process that other tests spawn meanwhile must not
    // inherit it, or every exec of the script fails with ETXTBSY while that process lives.
    let fd = open(dir + "/kubectl", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    let bytes = Array(script.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count else { throw POSIXError(.EIO) }
    try "\(failures)".write(toFile: dir + "/failures", atomically: true, encoding: .utf8)
    return dir
}

private func calls(_ dir: String) -> [[String]] {
    let text = (try? String(contentsOfFile: dir + "/calls", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { line in
        (try? JanssonCodec.decode(String(line)))?.arrayValue?.compactMap(\.stringValue)
    }
}

private func example() throws -> String {
    try exampleCopy("worked-example", files: ["nodes.yaml", "service.yaml"])
}

@Suite("status write-back through kubectl", .serialized)
struct StatusWriteBackCLITests {
    static let label = "egress-service.k8s.ovn.org/default-example-service"

    @Test("run --status: status.host and the host's label with the exact kubectl argv; when the host moves, the new host is labelled and the old one unlabelled; a failing kubectl is retried without touching the NB state")
    func writesStatus() async throws {
        try await withRouterServer { server in
            let dir = try example()
            let kubectl = try fakeKubectl(failures: 2)
            defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: kubectl) }
            let run = try RunningCtl(["run", "-f", dir, "--status", "--kubectl", kubectl + "/kubectl"], db: server.remote, logPath: dir + ".log")
            defer { run.signal(SIGKILL) }
            let patch = ["patch", "egressservices.k8s.ovn.org", "example-service", "--namespace", "default", "--subresource=status",
                         "--type=merge", "--patch", #"{"status":{"host":"work002"}}"#]
            let label = ["label", "nodes", "work002", "\(Self.label)=", "--overwrite"]
            // Two failures, then the patch and the label.
            #expect(try await eventuallyAsync(seconds: 10) { calls(kubectl).count >= 4 }, "\(run.log)")
            #expect(calls(kubectl) == [patch, patch, patch, label], "\(calls(kubectl))")
            #expect(run.log.contains("retrying in"))
            // The database was written regardless, and is in step.
            #expect(try await ctl(["diff", "-f", dir], db: server.remote).status == 0)

            // The cluster now says so (as a watch would report it): nothing more is written.
            let path = dir + "/service.yaml"
            // The EgressService is the file's last document.
            try atomicRewrite(path) { $0 + "status:\n  host: work002\n" }
            try atomicRewrite(dir + "/nodes.yaml") {
                $0.replacingOccurrences(of: "      kubernetes.io/hostname: work002\n", with: "      kubernetes.io/hostname: work002\n      \(Self.label): \"\"\n")
            }
            try await Task.sleep(for: .milliseconds(700))
            #expect(calls(kubectl).count == 4, "\(calls(kubectl))")

            // The host moves to work001.
            try atomicRewrite(path) { $0.replacingOccurrences(of: "kubernetes.io/hostname: work002", with: "kubernetes.io/hostname: work001") }
            #expect(try await eventuallyAsync(seconds: 10) { calls(kubectl).count >= 7 }, "\(run.log)")
            #expect(Array(calls(kubectl).dropFirst(4)) == [
                ["patch", "egressservices.k8s.ovn.org", "example-service", "--namespace", "default", "--subresource=status",
                 "--type=merge", "--patch", #"{"status":{"host":"work001"}}"#],
                ["label", "nodes", "work001", "\(Self.label)=", "--overwrite"],
                ["label", "nodes", "work002", "\(Self.label)-"],
            ], "\(calls(kubectl))")
            run.signal(SIGTERM)
            #expect(await run.exitStatus(within: 10) == 0, "\(run.log)")
        }
    }

    @Test("without a watch stream or --status, nothing is written back: kubectl is never run")
    func offByDefaultForFiles() async throws {
        try await withRouterServer { server in
            let dir = try example()
            let kubectl = try fakeKubectl(failures: 0)
            defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: kubectl) }
            let run = try RunningCtl(["run", "-f", dir, "--kubectl", kubectl + "/kubectl"], db: server.remote, logPath: dir + ".off.log")
            defer { run.signal(SIGKILL) }
            #expect(try await eventuallyAsync(seconds: 10) { try await ctl(["diff", "-f", dir], db: server.remote).status == 0 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(calls(kubectl).isEmpty)
        }
    }
}
