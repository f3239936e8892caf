import Testing
@testable import OVSDBClient

/// The update2 diff of sets and maps against a reference built from Swift's own Set and
/// Dictionary, on both of applying's paths: a few changes to a large value (edited in place)
/// and many (one walk of both).
@Suite("update2 diffs of large sets and maps")
struct DatumDiffTests {
    private let setType = ColumnType(key: BaseType(.string), min: 0, max: nil)
    private let mapType = ColumnType(key: BaseType(.string), value: BaseType(.string), min: 0, max: nil)

    private func members(_ range: some Sequence<Int>) -> [String] { range.map { "10.\($0 / 256).\($0 % 256).1" } }

    private func set(_ strings: some Sequence<String>) throws -> Datum { try Datum.set(strings.map { .string($0) }) }

    private func map(_ pairs: [String: String]) throws -> Datum { try Datum.map(pairs.map { (.string($0.key), .string($0.value)) }) }

    @Test("sets: a few and many members changed, each way, give the reference result and its diff back",
          arguments: [1, 3, 4, 5, 40, 400])
    func sets(changed: Int) throws {
        let before = Set(members(0..<1000))
        let after = before.subtracting(members(0..<changed)).union(members(5000..<(5000 + changed)))
        let old = try set(before), new = try set(after)
        let diff = old.diff(to: new, type: setType)
        #expect(diff == (try set(before.symmetricDifference(after))))
        #expect(try old.applying(diff: diff, type: setType) == new)
        #expect(try new.applying(diff: diff, type: setType) == old)
        let (went, came) = old.keysDiffering(from: new)
        #expect(went == members(0..<changed).sorted(by: ByteOrder.less).map { .string($0) })
        #expect(came == members(5000..<(5000 + changed)).sorted(by: ByteOrder.less).map { .string($0) })
    }

    @Test("maps: pairs added, removed and given new values, few and many", arguments: [1, 2, 50])
    func maps(changed: Int) throws {
        var before: [String: String] = [:]
        for (i, k) in members(0..<200).enumerated() { before[k] = "v\(i)" }
        var after = before
        let keys = members(0..<200)
        for i in 0..<changed {
            after[keys[i]] = nil  // removed
            after[keys[100 + i]] = "changed\(i)"  // new value
            after["new\(i)"] = "n\(i)"  // added
        }
        let old = try map(before), new = try map(after)
        let diff = old.diff(to: new, type: mapType)
        #expect(diff.count == 3 * changed)
        #expect(try old.applying(diff: diff, type: mapType) == new)
    }

    @Test("a diff that breaks the column's size limit is refused with Open vSwitch's message")
    func sizeLimit() throws {
        let limited = ColumnType(key: BaseType(.string), min: 0, max: 40)
        let old = try set(members(0..<40))
        #expect(throws: OVSDBError.self) { try old.applying(diff: try set(["10.99.0.1"]), type: limited) }
    }

    @Test("strings compare by their bytes: canonically equal spellings differ, and order is strcmp's")
    func byteOrder() {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        #expect(composed == decomposed)  // Swift's own equality
        #expect(!ByteOrder.equal(composed, decomposed))
        #expect(Atom.string(composed) != Atom.string(decomposed))
        #expect(ByteOrder.less(decomposed, composed))  // 0x65 before 0xC3
        #expect(ByteOrder.less("10.1", "10.10") && !ByteOrder.less("10.10", "10.1"))
        #expect(ByteOrder.less("", "a") && !ByteOrder.less("a", "a") && ByteOrder.equal("", ""))
        #expect(ByteOrder.less("Z", "a"))
    }
}
