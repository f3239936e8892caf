import Testing
@testable import OVSDBClient

/// `Datum.readDirect` must read exactly what `Datum(json:type:)` reads from the tree, and
/// decline (leaving the reader where it was) everything else.
@Suite("datums read directly against the tree")
struct DatumReadingTests {
    static let table: TableSchema = {
        let json = try! JanssonCodec.decode(#"""
        {"columns": {
          "i": {"type": {"key": {"type": "integer", "minInteger": -5, "maxInteger": 100}, "min": 0, "max": "unlimited"}},
          "r": {"type": "real"},
          "b": {"type": "boolean"},
          "s": {"type": {"key": {"type": "string", "enum": ["set", ["a", "b", "c"]]}, "min": 0, "max": 2}},
          "o": {"type": {"key": "string", "min": 0, "max": 1}},
          "m": {"type": {"key": "string", "value": {"type": "string", "maxLength": 8}, "min": 0, "max": "unlimited"}},
          "n": {"type": {"key": "integer", "value": {"type": "uuid"}, "min": 1, "max": 2}},
          "u": {"type": {"key": {"type": "uuid"}, "min": 0, "max": "unlimited"}},
          "x": {"type": "uuid"}
        }}
        """#)
        return try! TableSchema(name: "t", json: json)
    }()

    static let samples = [
        "1", "-5", "101", "2.5", "0", "-0.0", "1e3", "true", "null", "\"a\"", "\"d\"", "\"\\u0041\"", "\"abcdefghi\"",
        #"["set",[]]"#, #"["set",[1,2,3]]"#, #"["set",[3,1,3]]"#, #"["set",["a","b"]]"#, #"["set",["a","b","c"]]"#,
        #"["set",["a"]]"#, #"[ "set" , [ 1 , 2 ] ]"#, #"["set",[1],2]"#, #"["set"]"#, #"["set",{}]"#,
        #"["map",[]]"#, #"["map",[["k","v"],["a","b"]]]"#, #"["map",[["k","v"],["k","w"]]]"#, #"["map",[["k","123456789"]]]"#,
        #"["map",[[1,["uuid","5a1e0000-0000-4000-8000-000000000001"]]]]"#, #"["map",[[1,["uuid","5a1e0000-0000-4000-8000-000000000001"]],[2,["uuid","5a1e0000-0000-4000-8000-000000000002"]],[3,["uuid","5a1e0000-0000-4000-8000-000000000003"]]]]"#,
        #"["map",[["k"]]]"#, #"["map",[["k","v","w"]]]"#,
        #"["uuid","5a1e0000-0000-4000-8000-000000000001"]"#, #"["uuid","not-a-uuid"]"#, #"["named-uuid","row1"]"#,
        #"["set",[["uuid","5a1e0000-0000-4000-8000-000000000001"],["uuid","5a1e0000-0000-4000-8000-000000000002"]]]"#,
        #"["uuid","5a1e0000-0000-4000-8000-000000000001","x"]"#, "{}", "[]", "[1,2]",
    ]

    enum Reading: Equatable {
        case declined
        /// The datum and the bytes it was read from.
        case read(Datum, from: String)
        case moved
    }

    static func direct(_ text: String, _ type: ColumnType) -> Reading {
        Array(text.utf8).withUnsafeBytes { bytes in
            var reader = JSONReader(bytes)
            guard let datum = Datum.readDirect(&reader, type: type) else { return reader.at == 0 ? .declined : .moved }
            return .read(datum, from: String(decoding: bytes.prefix(reader.at), as: UTF8.self))
        }
    }

    static func tree(_ text: String, _ type: ColumnType) -> Datum? {
        guard let json = try? JSONReader.decode(Array("[\(text)]".utf8)), case .array(let a) = json, a.count == 1 else { return nil }
        return try? Datum(json: a[0], type: type)
    }

    /// Checks one value against every column; returns how many readings were direct.
    static func check(_ text: String) -> Int {
        var read = 0
        for column in table.columns.values {
            switch direct(text, column.type) {
            case .declined: break
            case .moved: Issue.record("\(text) as \(column.name): declined but moved the reader")
            case .read(let datum, let consumed):
                // What follows the value is its container's to check; the bytes read must be
                // one whole value that the tree reads the same.
                read += 1
                let expected = tree(consumed, column.type)
                #expect(datum == expected, "\(text) as \(column.name): \(datum) from \(consumed) but the tree reads \(String(describing: expected))")
            }
        }
        return read
    }

    @Test("samples of every shape, valid and not, against columns of every shape")
    func samples() {
        var read = 0
        for text in Self.samples { read += Self.check(text) }
        #expect(read >= 30, "only \(read) samples were read directly")
    }

    @Test("seeded byte mutations of sets, maps and UUIDs: the same datum or declined")
    func mutations() {
        var g = JSONWriterTests.SplitMix(state: 2026_12_02)
        var read = 0
        for original in [Self.samples[14], Self.samples[24], Self.samples[28], Self.samples[34]] {
            for _ in 0..<1500 {
                let bytes = g.mutated(Array(original.utf8), alphabet: JSONWriterTests.SplitMix.structuralAlphabet)
                read += Self.check(String(decoding: bytes, as: UTF8.self))
            }
        }
        #expect(read > 300, "only \(read) mutations were read directly")
    }
}
