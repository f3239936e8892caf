import NIOCore
import Testing
@testable import OVSDBClient

@Suite("operations written straight from their storage")
struct OperationEncodingTests {
    typealias SplitMix = JSONWriterTests.SplitMix

    /// Both writers' bytes as text, so a failure reads.
    private static func direct(_ op: OVSDBOperation) -> String {
        var out: [UInt8] = []
        op.encode(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func tree(_ op: OVSDBOperation) -> String {
        String(decoding: JSONWriter.encode(op.json), as: UTF8.self)
    }

    private static func randomAtom(_ g: inout SplitMix) -> Atom {
        switch g.next() % 6 {
        case 0: return .integer(Int64.random(in: .min ... .max, using: &g) >> Int64.random(in: 0...63, using: &g))
        case 1: return .real([0.5, -2.5e-300, 1e300, 123456.789, -0.0, 3.0e-5, 1.0 / 3.0, 7].randomElement(using: &g)!)
        case 2: return .boolean(g.next() % 2 == 0)
        case 3: return .string(JSONWriterTests.randomString(&g))
        case 4: return .uuid(OVSDBUUID(high: g.next(), low: g.next()))
        default: return .namedUUID("row" + String(g.next() % 1000))
        }
    }

    private static func randomDatum(_ g: inout SplitMix) -> Datum {
        let n = Int(g.next() % 4)
        switch g.next() % 3 {
        case 0: return .scalar(randomAtom(&g))
        case 1: return (try? .set((0..<n).map { _ in randomAtom(&g) })) ?? .emptySet
        default: return (try? .map((0..<n).map { _ in (randomAtom(&g), randomAtom(&g)) })) ?? .emptyMap
        }
    }

    /// Column names include ones whose Swift order and byte order differ (a non-NFC "é").
    private static let names = ["name", "match", "_uuid", "external_ids", "e\u{301}", "\u{E9}t\u{E9}", "Z", "a\"b", "é", "€"]

    private static func randomRow(_ g: inout SplitMix) -> Row {
        var row = Row()
        for _ in 0..<Int(g.next() % 5) { row[names.randomElement(using: &g)!] = randomDatum(&g) }
        return row
    }

    private static func randomCondition(_ g: inout SplitMix) -> Condition {
        Condition((0..<Int(g.next() % 3)).map { _ in
            g.next() % 5 == 0 ? .literal(g.next() % 2 == 0)
                : .column(names.randomElement(using: &g)!, [.equal, .includes, .lessThan, .notEqual].randomElement(using: &g)!, randomDatum(&g))
        })
    }

    private static func randomOperation(_ g: inout SplitMix) -> OVSDBOperation {
        let table = JSONWriterTests.randomString(&g)
        switch g.next() % 10 {
        case 0:
            return .insert(table: table, row: randomRow(&g), uuidName: g.next() % 2 == 0 ? "new\(g.next() % 9)" : nil,
                           uuid: g.next() % 2 == 0 ? OVSDBUUID(high: g.next(), low: g.next()) : nil)
        case 1: return .select(table: table, where: randomCondition(&g), columns: g.next() % 2 == 0 ? nil : Array(names.prefix(Int(g.next() % 4))))
        case 2: return .update(table: table, where: randomCondition(&g), row: randomRow(&g))
        case 3:
            return .mutate(table: table, where: randomCondition(&g), mutations: (0..<Int(g.next() % 3)).map { _ in
                Mutation(column: names.randomElement(using: &g)!, mutator: [.insert, .delete, .add].randomElement(using: &g)!, value: randomDatum(&g))
            })
        case 4: return .delete(table: table, where: randomCondition(&g))
        case 5:
            return .wait(table: table, where: randomCondition(&g), columns: Array(names.prefix(Int(g.next() % 3))),
                         until: g.next() % 2 == 0 ? .equal : .notEqual, rows: (0..<Int(g.next() % 3)).map { _ in randomRow(&g) },
                         timeout: g.next() % 2 == 0 ? nil : Int(g.next() % 10_000))
        case 6: return .commit(durable: g.next() % 2 == 0)
        case 7: return .abort
        case 8: return .comment(JSONWriterTests.randomString(&g))
        default: return .assert(lock: JSONWriterTests.randomString(&g))
        }
    }

    @Test("random operations of every kind: the bytes JSONWriter prints for their trees, and jansson's")
    func randomOperations() {
        var g = SplitMix(state: 11)
        var kinds: Set<String> = []
        for _ in 0..<5000 {
            let op = Self.randomOperation(&g)
            kinds.insert(op.name)
            #expect(Self.direct(op) == Self.tree(op))
            #expect(JSONWriter.encode(op.json) == JanssonCodec.encode(op.json))
        }
        #expect(kinds.count == 10)
    }

    @Test("edge values: extreme integers and reals, escapes, empty sets and maps, non-NFC column names")
    func edges() {
        var row = Row()
        row["e\u{301}"] = .scalar(.integer(.min))
        row["\u{E9}"] = .scalar(.integer(.max))
        row["r"] = .scalar(.real(-0.0))
        row["s"] = .scalar(.string("\u{0}\u{1F}\"\\\n\u{7F}𝄞"))
        row["e"] = .emptySet
        row["m"] = .emptyMap
        let ops: [OVSDBOperation] = [
            .insert(table: "t", row: row, uuidName: "a", uuid: OVSDBUUID(high: .max, low: 0)),
            .update(table: "t", where: Condition([.literal(true), .literal(false)]), row: Row()),
            .mutate(table: "t", where: Condition([]), mutations: []),
            .wait(table: "t", where: Condition([]), columns: [], until: .equal, rows: [], timeout: 0),
        ]
        for op in ops { #expect(Self.direct(op) == Self.tree(op)) }
    }

    @Test("a request with encoded params is the message the JSON path sends")
    func encodedRequest() throws {
        let ops: [OVSDBOperation] = [.select(table: "Logical_Router", where: Condition([]), columns: ["name"]), .comment("x")]
        var params = ByteBufferAllocator().buffer(capacity: 0)
        OVSDBOperation.encodeTransactParams(database: "OVN_Northbound", ops, into: &params)
        func sent(_ p: RequestParams) -> [UInt8] {
            p.buffers(id: 42, method: "transact", allocator: ByteBufferAllocator()).flatMap { Array($0.readableBytesView) }
        }
        let tree = sent(.json([.string("OVN_Northbound")] + ops.map(\.json)))
        #expect(String(decoding: sent(.encoded(params)), as: UTF8.self) == String(decoding: tree, as: UTF8.self))
        #expect(tree == JanssonCodec.encode(RPCMessage.request(method: "transact", params: [.string("OVN_Northbound")] + ops.map(\.json), id: 42).json))
    }

    @Test("operations written into a ByteBuffer are the bytes written into an array")
    func intoByteBuffer() {
        var g = SplitMix(state: 13)
        for _ in 0..<500 {
            let op = Self.randomOperation(&g)
            var buffer = ByteBufferAllocator().buffer(capacity: 0)
            op.encode(into: &buffer)
            #expect(String(decoding: buffer.readableBytesView, as: UTF8.self) == Self.direct(op))
        }
    }
}
