import Foundation
import Testing
@testable import EgressPolicy

/// Manifests are read from their files a chunk at a time (64 KB ahead, then as libyaml asks):
/// what a file gives must be what its bytes give from memory.
@Suite("reading manifest files in chunks")
struct ManifestFileReadingTests {
    private func nodes(_ count: Int, badSubnetAt bad: Int? = nil) -> String {
        (0..<count).map { i in
            let subnet = i == bad ? "10.1.0.0/33" : "10.\(i / 256).\(i % 256).0/24"
            return "kind: Node\nmetadata:\n  name: node\(i)\n  annotations:\n    k8s.ovn.org/node-subnets: '{\"default\":\"\(subnet)\"}'\n"
        }.joined(separator: "---\n")
    }

    private func written(_ text: String, _ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a 350 KB YAML file gives from disk the objects it gives from memory, and an error in its last object names the line that object starts on")
    func largeYAML() throws {
        let good = nodes(3_000)
        #expect(good.utf8.count > 5 * (1 << 16))
        let path = try written(good, "nodes.yaml")
        let fromDisk = try ManifestLoader.load([path])
        let fromMemory = try ClusterInput(objects: ManifestLoader.flatten(ManifestLoader.parse(Array(good.utf8), file: path)))
        #expect(fromDisk.nodes.count == 3_000)
        #expect(fromDisk.nodes == fromMemory.nodes)
        #expect(fromDisk.nodes["node2999"]?.subnets.map(\.description) == ["10.11.183.0/24"])

        let bad = nodes(3_000, badSubnetAt: 2_999)
        let badPath = try written(bad, "bad.yaml")
        let diskError = #expect(throws: ManifestError.self) { try ManifestLoader.load([badPath]) }
        let memoryError = #expect(throws: ManifestError.self) {
            try ClusterInput(objects: ManifestLoader.flatten(ManifestLoader.parse(Array(bad.utf8), file: badPath)))
        }
        #expect(diskError == memoryError)
        #expect(diskError?.document == 2_999)
        // The line the bad object starts on: 18,000 lines in, far past the 64 KB read ahead.
        let lines = bad.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(diskError?.line == lines.lastIndex(of: "kind: Node").map { $0 + 1 })
        #expect(diskError?.description.contains("node-subnets") == true)
    }

    @Test("JSON after more than 64 KB of blank lines is still read as JSON, and its error says so")
    func jsonAfterBlanks() throws {
        let json = #"{"kind":"List","items":[{"kind":"Node","apiVersion":"v1","metadata":{"name":"n1","annotations":{"k8s.ovn.org/node-subnets":"{\"default\":\"10.1.0.0/24\"}"}}}]}"#
        let blanks = String(repeating: "\n", count: 70_000)
        let input = try ManifestLoader.load([try written(blanks + json, "n.json")])
        #expect(input.nodes["n1"]?.subnets.first?.description == "10.1.0.0/24")
        let error = #expect(throws: ManifestError.self) { try ManifestLoader.load([try written(blanks + "{\"kind\":,}", "bad.json")]) }
        #expect(error?.message.hasPrefix("JSON:") == true)
    }

    @Test("a file of only blank lines is the empty-input error, from disk as from memory")
    func blankFile() throws {
        let path = try written(String(repeating: " \n", count: 40_000), "blank.yaml")
        let error = #expect(throws: ManifestError.self) { try ManifestLoader.load([path]) }
        #expect(error?.message.contains("empty input") == true)
    }
}
