import Foundation
import OVSDBClient
import OVSDBTestSupport

let root = OVSDBServerFixture.repositoryRoot
let examples = root + "/examples"

/// The built `ovn-egressctl` (the test target depends on it, so it is built first).
func ctl(_ args: [String], db: String? = nil, stdin: String? = nil) async throws -> OVSDBServerFixture.Outcome {
    let build = ProcessInfo.processInfo.environment["OVN_EGRESS_BUILD_DIR"] ?? ".build"
    for dir in [build + "/debug", build + "/x86_64-unknown-linux-gnu/debug", build + "/aarch64-unknown-linux-gnu/debug"] {
        let path = root + "/" + dir + "/ovn-egressctl"
        if FileManager.default.isExecutableFile(atPath: path) {
            return try await OVSDBServerFixture.executeOffPool(path, args, environment: db.map { ["OVN_NB_DB": $0] } ?? [:], stdin: stdin)
        }
    }
    throw FixtureError("ovn-egressctl is not built")
}

func withRouterServer(_ body: (OVSDBServerFixture) async throws -> Void) async throws {
    try await withServer { server in
        try await server.nbctl(["lr-add", "ovn_cluster_router"])
        try await body(server)
    }
}

/// A temporary folder holding a copy of `files` of examples/NAME.
func exampleCopy(_ name: String, files: [String]) throws -> String {
    var template = Array("/tmp/egress-example.XXXXXX".utf8CString)
    let dir = String(cString: mkdtemp(&template)!)
    for file in files { try FileManager.default.copyItem(atPath: examples + "/" + name + "/" + file, toPath: dir + "/" + file) }
    return dir
}

/// Rewrites a file the way tools do it atomically: a new file renamed over the old one.
func atomicRewrite(_ path: String, _ transform: (String) -> String) throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let temporary = (path as NSString).deletingLastPathComponent + "/.edit.tmp"
    try transform(text).write(toFile: temporary, atomically: false, encoding: .utf8)
    guard rename(temporary, path) == 0 else { throw FixtureError("rename failed") }
}
