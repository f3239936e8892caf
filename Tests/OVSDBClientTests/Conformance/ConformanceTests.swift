import Testing
@testable import OVSDBClient

@Suite("Open vSwitch conformance vectors")
struct ConformanceTests {
    @Test("every vector of a supported command gives Open vSwitch's exact output")
    func supportedCommandsMatch() throws {
        guard let cases = try ConformanceCase.load() else {
            Issue.record("../shared/conformance/vectors.json not found next to the checkout")
            return
        }
        #expect(cases.count == 360)
        var passed = 0
        var failures: [String] = []
        var notCovered: [String: Int] = [:]
        for c in cases {
            guard ConformanceDriver.supported.contains(c.command) else {
                notCovered[c.command, default: 0] += 1
                continue
            }
            let got = ConformanceDriver.run(c)
            let ok: Bool
            if c.positive {
                ok = got.exitCode == 0 && got.stdout == c.output && got.stderr.isEmpty
            } else {
                ok = got.exitCode == 1 && got.stderr.contains(c.output)
            }
            if ok {
                passed += 1
            } else {
                failures.append("\(c)\n  expected: \(c.output.debugDescription)\n  stdout:   \(got.stdout.debugDescription)\n  stderr:   \(got.stderr.debugDescription)")
            }
        }
        let skipped = notCovered.values.reduce(0, +)
        print("conformance: \(passed) passed, \(failures.count) failed, \(skipped) not covered \(notCovered.sorted { $0.key < $1.key })")
        #expect(failures.isEmpty, "\(failures.count) vectors differ:\n\(failures.joined(separator: "\n"))")
        // Guards against the supported list shrinking silently.
        #expect(passed >= 290)
    }

    @Test("the direct writer prints every value the vectors parse as JSONWriter prints its tree")
    func directWriterAgrees() throws {
        guard let cases = try ConformanceCase.load() else {
            Issue.record("../shared/conformance/vectors.json not found next to the checkout")
            return
        }
        var checked = 0
        var mismatches: [String] = []
        for c in cases where ConformanceDriver.supported.contains(c.command) {
            let got = ConformanceDriver.run(c)
            checked += got.encodingsChecked
            mismatches += got.encodingMismatches.map { "\(c): \($0)" }
        }
        print("conformance: \(checked) values written both ways")
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(checked >= 300)
    }
}
