import Testing
@testable import OVSDBClient

/// A large `transact` reply read in place must give exactly what its tree gives: the same
/// results, the same refusals, and bad JSON refused by both.
@Suite("transact replies read in place against the tree")
struct TransactInPlaceTests {
    static let schema = InPlaceReadingTests.schema

    enum Outcome: Equatable {
        case results([OperationResult?])
        case notArray
        case badJSON
    }

    static func tables(_ schema: DatabaseSchema) -> [TableSchema?] {
        [schema.tables["Logical_Router_Policy"], schema.tables["Address_Set"], nil]
    }

    static func viaTree(_ bytes: [UInt8], _ tables: [TableSchema?]) -> Outcome {
        guard let json = try? JSONReader.decode(bytes) else { return .badJSON }
        guard let elements = json.arrayValue else { return .notArray }
        return .results(elements.enumerated().map { i, e in try? OperationResult(json: e, table: i < tables.count ? tables[i] : nil) })
    }

    static func inPlace(_ bytes: [UInt8], _ tables: [TableSchema?]) -> Outcome {
        let reader = TransactReplyReader(tables: tables)
        do {
            try bytes.withUnsafeBytes { try reader.read(inPlace: $0) }
        } catch {
            return .badJSON
        }
        guard let results = reader.results else { return .notArray }
        return .results(results.map { try? $0.get() })
    }

    static let policy = #"{"_uuid":["uuid","5a1e0000-0000-4000-8000-000000000001"],"priority":101,"match":"ip4.src == 10.128.0.5","action":"reroute","nexthops":["set",["10.130.0.2"]],"external_ids":["map",[["EgressSVC","default/web"]]],"newer_column":1}"#
    static let reply = #"[{"rows":["# + policy + "," + policy + #"]},{"rows":[{"name":"a1","addresses":["set",["10.0.0.1","10.0.0.2"]]}],"count":1},{"uuid":["uuid","5a1e0000-0000-4000-8000-000000000009"]},{"count":3}]"#

    static let replies: [String] = [
        reply,
        #"[{"rows":[{"priority":"high"}]}]"#,
        #"[{"rows":[{"priority":"high"}],"error":"constraint violation","details":"x"}]"#,
        #"[{"rows":"not an array"},{"rows":[{"name":"a"}],"rows":[{"name":"b"}]}]"#,
        #"[{"rows":[{"name":"a"}],"count":2,"rows":[]}]"#,
        #"[{"error":"timed out"},null,7,[]]"#,
        #"[{"rows":[{"_uuid":["uuid","x"]}]}]"#,
        #"{"rows":[]}"#,
        #"[{"rows":[{"name":"a"}]}"#,
        #"[]"#,
        #"[{},{"rows":[{"name":7,"name":"ok"}]}]"#,
        #"[{},{"rows":[{"name":"ok","name":7}]}]"#,
        #"[{},{"rows":[{"name":"ok","no_such":1,"addresses":["set",[1]]}]}]"#,
        #"[{"rows":[{"priority":101,"priority":"x","match":"m"}]}]"#,
    ]

    @Test("valid and invalid replies: the same results, or both refuse")
    func samples() throws {
        let tables = Self.tables(try Self.schema.get())
        var typed = 0
        for text in Self.replies {
            let bytes = Array(text.utf8)
            let tree = Self.viaTree(bytes, tables)
            #expect(Self.inPlace(bytes, tables) == tree, "\(text)")
            if case .results(let r) = tree { typed += r.filter { $0?.rows?.isEmpty == false }.count }
        }
        #expect(typed == 4, "the samples read rows")
    }

    @Test("seeded byte mutations of a reply: the same results, or both refuse")
    func mutations() throws {
        let tables = Self.tables(try Self.schema.get())
        let agreedTyped = JSONWriterTests.SplitMix.agreement(
            seed: 2026_12_02_17, of: Self.reply,
            tree: { Self.viaTree($0, tables) }, inPlace: { Self.inPlace($0, tables) },
            counting: { if case .results(let r) = $0 { return r.contains { $0?.rows != nil } } else { return false } })
        #expect(agreedTyped > 100)
    }
}
