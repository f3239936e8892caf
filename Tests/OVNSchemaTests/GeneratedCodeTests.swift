import Foundation
import OVSDBModelGen
import OVSDBTestSupport
import Testing

@Suite("generated code")
struct GeneratedCodeTests {
    private var generatedDirectory: String { OVSDBServerFixture.repositoryRoot + "/Sources/OVNSchema/Generated" }

    @Test("the committed OVNSchema code is what the generator makes from schemas/ovn-nb.ovsschema")
    func committedCodeIsFresh() throws {
        let expected = try ModelGenerator.generate(schemaFile: OVSDBServerFixture.nbSchemaPath)
        let committed = try FileManager.default.contentsOfDirectory(atPath: generatedDirectory).filter { $0.hasSuffix(".swift") }
        #expect(Set(committed) == Set(expected.keys), "stale or missing files: run scripts/generate-models.sh")
        for (name, text) in expected {
            let onDisk = try? String(contentsOfFile: generatedDirectory + "/" + name, encoding: .utf8)
            #expect(onDisk == text, "\(name) is stale: run scripts/generate-models.sh")
        }
        #expect(expected.count == 31, "30 NB tables plus the schema identity file")
    }

    @Test("the generator handles other schemas: OVN Southbound and Open vSwitch, and their code type-checks",
          arguments: ["/usr/share/ovn/ovn-sb.ovsschema", "/usr/share/openvswitch/vswitch.ovsschema"])
    func otherSchemasTypeCheck(schema: String) async throws {
        let files = try ModelGenerator.generate(schemaFile: schema)
        #expect(files.count > 10)
        var template = Array("/tmp/ovsdb-modelgen.XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        // Type-check against the OVSDBClient module this test run was built with; its C
        // dependencies (jansson, NIO's shims) need their module maps named explicitly.
        let root = OVSDBServerFixture.repositoryRoot
        let modules = try builtModulesDirectory(root: root)
        let maps = moduleMaps(root: root, buildDirectory: modules + "/..")
        _ = try await OVSDBServerFixture.runOffPool("/opt/swift/usr/bin/swiftc", [
            "-typecheck", "-swift-version", "6", "-I", modules,
        ] + maps.flatMap { ["-Xcc", "-fmodule-map-file=\($0)"] } + files.keys.sorted().map { dir + "/" + $0 })
    }

    /// One module map per C module: SwiftPM's generated ones, then the packages' own.
    private func moduleMaps(root: String, buildDirectory: String) -> [String] {
        let fm = FileManager.default
        var byModule: [String: String] = [:]
        for entry in (try? fm.contentsOfDirectory(atPath: buildDirectory)) ?? [] where entry.hasSuffix(".build") {
            let path = buildDirectory + "/" + entry + "/module.modulemap"
            if fm.fileExists(atPath: path) { byModule[String(entry.dropLast(6)), default: path] = path }
        }
        let checkouts = root + "/" + Self.buildFolder + "/checkouts"
        for package in (try? fm.contentsOfDirectory(atPath: checkouts)) ?? [] {
            let sources = checkouts + "/" + package + "/Sources"
            for target in (try? fm.contentsOfDirectory(atPath: sources)) ?? [] {
                let path = sources + "/" + target + "/include/module.modulemap"
                if byModule[target] == nil, fm.fileExists(atPath: path) { byModule[target] = path }
            }
        }
        byModule["CJansson"] = root + "/Sources/CJansson/module.modulemap"
        return byModule.keys.sorted().map { byModule[$0]! }
    }

    /// `.build`, or the sanitizer script's build folder.
    private static var buildFolder: String { ProcessInfo.processInfo.environment["OVN_EGRESS_BUILD_DIR"] ?? ".build" }

    private func builtModulesDirectory(root: String) throws -> String {
        let b = Self.buildFolder
        for candidate in [b + "/debug/Modules", b + "/x86_64-unknown-linux-gnu/debug/Modules", b + "/aarch64-unknown-linux-gnu/debug/Modules"] {
            let path = root + "/" + candidate
            if FileManager.default.fileExists(atPath: path + "/OVSDBClient.swiftmodule") { return path }
        }
        throw FixtureError("no built OVSDBClient.swiftmodule under \(root)/.build")
    }
}
