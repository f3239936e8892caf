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
