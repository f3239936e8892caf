import Foundation
import OVSDBTestSupport
import Testing

private let python = "/usr/bin/env"

@Suite("deploy/ and the Containerfile, checked offline")
struct DeployTests {
    @Test("every manifest passes the Kubernetes 1.32 schemas (strict), the ClusterRole grants exactly the calls the deployment makes, the Containerfile's COPY sources exist and its runtime packages cover what the binary links")
    func deployIsValid() async throws {
        let out = try await OVSDBServerFixture.executeOffPool(python, ["python3", root + "/scripts/check-deploy.py", root, try ctlPath()])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
    }

    @Test("the check fails on a role missing a verb, an unused grant, a COPY of nothing, a schema error and a runtime stage missing a linked library")
    func checkCatchesMistakes() async throws {
        var template = Array("/tmp/egress-deploy.XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: root + "/deploy", toPath: dir + "/deploy")
        let rbac = try String(contentsOfFile: dir + "/deploy/rbac.yaml", encoding: .utf8)
            .replacingOccurrences(of: "  resources: [endpointslices]\n  verbs: [list, watch]", with: "  resources: [endpointslices]\n  verbs: [list, delete]")
        try rbac.write(toFile: dir + "/deploy/rbac.yaml", atomically: true, encoding: .utf8)
        let daemonset = try String(contentsOfFile: dir + "/deploy/daemonset.yaml", encoding: .utf8)
            .replacingOccurrences(of: "initialDelaySeconds: 30", with: "initialDelaySeconds: soon")
        try daemonset.write(toFile: dir + "/deploy/daemonset.yaml", atomically: true, encoding: .utf8)
        let containerfile = try String(contentsOfFile: root + "/Containerfile", encoding: .utf8)
            .replacingOccurrences(of: "libjansson4 ", with: "")
            .replacingOccurrences(of: "COPY Tests Tests", with: "COPY Tests Tests\nCOPY Nowhere Nowhere")
        try containerfile.write(toFile: dir + "/Containerfile", atomically: true, encoding: .utf8)
        for folder in ["Sources", "Tests", "Benchmarks", "examples"] {
            try FileManager.default.createSymbolicLink(atPath: dir + "/" + folder, withDestinationPath: root + "/" + folder)
        }
        try FileManager.default.createSymbolicLink(atPath: dir + "/Package.swift", withDestinationPath: root + "/Package.swift")
        let out = try await OVSDBServerFixture.executeOffPool(python, ["python3", root + "/scripts/check-deploy.py", dir, try ctlPath()])
        #expect(out.status == 1)
        let problems = out.stdout.split(separator: "\n").map(String.init)
        #expect(problems.contains("ClusterRole: watch on endpointslices.discovery.k8s.io is used but not granted"), "\(problems)")
        #expect(problems.contains("ClusterRole: delete on endpointslices.discovery.k8s.io is granted but never used"), "\(problems)")
        #expect(problems.contains("Containerfile: COPY Nowhere: no such file"), "\(problems)")
        #expect(problems.contains { $0.hasPrefix("daemonset.yaml: DaemonSet ovn-egressctl:") }, "\(problems)")
        #expect(problems.contains { $0.contains("libjansson.so.4 (package libjansson4)") }, "\(problems)")
    }
}
