import Testing
@testable import OVSDBClient

/// The direct reader must agree with jansson, the codec of record, on every input: the same
/// value, or both refuse.
@Suite("the direct JSON reader against jansson")
struct JSONReaderTests {
    static func agree(_ bytes: [UInt8]) -> Comment? {
        let theirs = Result { () throws(JSONDecodeError) -> JSON in try JanssonCodec.decode(bytes) }
        let ours = Result { () throws(JSONDecodeError) -> JSON in try JSONReader.decode(bytes) }
        switch (theirs, ours) {
        case (.success(let a), .success(let b)) where a == b: return nil
        case (.failure, .failure): return nil
        default:
            return "\(String(decoding: bytes, as: UTF8.self).debugDescription) \(bytes.prefix(40)): jansson \(theirs), reader \(ours)"
        }
    }

    static let edges: [String] = [
        "{}", "[]", " [ ] ", "[1,2", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "[01]", "[-0]", "[-]", "[1.]", "[.5]",
        "[1e]", "[1e+]", "[1E-3]", "[1e400]", "[-1e400]", "[1e-400]", "[9223372036854775807]", "[9223372036854775808]",
        "[-9223372036854775808]", "[-9223372036854775809]", "[18446744073709551616]", "[1.0]", "[2e19]", "[-0.0]",
        "[true]", "[truex]", "[True]", "[nul]", "[null1]", "[\"a\\u0000b\"]", "{\"a\\u0000\":1}", "[\"\\ud834\\udd1e\"]",
        "[\"\\ud834\"]", "[\"\\udd1e\"]", "[\"\\ud834\\u0041\"]", "[\"\\u00e9\\u00E9\"]", "[\"\\x\"]", "[\"\\u12\"]",
        "[\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"]", "[\"tab\there\"]", "1", "\"s\"", "null", "", "  ", "[] []", "[]x", "{\"a\":1}}",
        "{\"a\":1,\"a\":2}", "[\"é ü 𝄞\"]", "\u{FEFF}[]", "[1 2]", "[,1]", "{\"a\":}", "[\"unterminated]",
        "[1\u{0}]", "[1\u{0}\u{0}]", "[true\u{0},1]", "[\u{0}1]", "[\"a\"\u{0}]",
    ]

    @Test("edge cases: numbers, escapes, surrogates, literals, structure")
    func edgeCases() {
        for text in Self.edges {
            if let failure = Self.agree(Array(text.utf8)) { Issue.record(failure) }
        }
    }

    @Test("raw bytes: control characters, invalid, overlong and surrogate UTF-8, sequences cut short")
    func rawBytes() {
        let strings: [[UInt8]] = [
            [0x01], [0x1F], [0x7F], [0x80], [0xC0, 0x80], [0xC1, 0xBF], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0x80, 0x80],
            [0xE0, 0xA0, 0x80], [0xED, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEF, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80],
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0xFF], [0xE2, 0x82], [0xC3], [0x00],
        ]
        for s in strings {
            let bytes = Array("[\"a".utf8) + s + Array("b\"]".utf8)
            if let failure = Self.agree(bytes) { Issue.record(failure) }
            let cut = Array("[\"a".utf8) + s
            if let failure = Self.agree(cut) { Issue.record(failure) }
        }
        if let failure = Self.agree([UInt8(ascii: "["), 0, UInt8(ascii: "]")]) { Issue.record(failure) }
    }

    @Test("nesting at jansson's depth limit and one past it")
    func depth() {
        for n in [2047, 2048, 2049] {
            let arrays = String(repeating: "[", count: n) + String(repeating: "]", count: n)
            if let failure = Self.agree(Array(arrays.utf8)) { Issue.record(failure) }
            let objects = String(repeating: "{\"k\":[", count: n / 2) + "1" + String(repeating: "]}", count: n / 2)
            if let failure = Self.agree(Array(objects.utf8)) { Issue.record(failure) }
        }
    }

    @Test("every JSON text of the conformance vectors, whole and cut at every tenth byte")
    func conformanceTexts() throws {
        let cases = try #require(try ConformanceCase.load(), "../shared/conformance/vectors.json is missing")
        var checked = 0
        for c in cases {
            for arg in c.args + [c.output] {
                let bytes = Array(arg.utf8)
                for text in [bytes, Array("[".utf8) + bytes + Array("]".utf8)] {
                    checked += 1
                    if let failure = Self.agree(text) { Issue.record("\(c): \(failure)") }
                    for cut in stride(from: 1, to: text.count, by: 10) {
                        if let failure = Self.agree(Array(text.prefix(cut))) { Issue.record("\(c): \(failure)") }
                    }
                }
            }
        }
        #expect(checked > 1000)
    }

    @Test("random mutations of OVSDB-shaped messages (seeded)")
    func mutations() {
        let seeds = [
            #"{"id":7,"result":[{"rows":[{"_uuid":["uuid","550e8400-e29b-41d4-a716-446655440000"],"match":"ip4.src == 10.0.0.1","nexthops":["set",["10.1.0.2"]],"external_ids":["map",[["k","v"]]],"priority":101,"x":1.5e3}]}],"error":null}"#,
            #"{"method":"update3","params":[["m",0],"2d9f0c4e-0000-0000-0000-000000000000",{"T":{"u":{"modify":{"s":"\u00e9\n","n":-12}}}}],"id":null}"#,
        ]
        var generator = JSONWriterTests.SplitMix(state: 20261202)
        let alphabet = Array(#"{}[]",:\-0123456789.eE+tfnulrsa "#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xED, 0xF0]
        for seed in seeds {
            let original = Array(seed.utf8)
            for _ in 0..<4000 {
                let bytes = generator.mutated(original, alphabet: alphabet)
                if let failure = Self.agree(bytes) { Issue.record(failure) }
            }
        }
    }
}

extension JSONWriterTests.SplitMix {
    /// `bytes` with one to three bytes replaced, removed or inserted (from `alphabet`).
    mutating func mutated(_ bytes: [UInt8], alphabet: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for _ in 0...(next() % 3) {
            let i = Int(next() % UInt64(bytes.count))
            switch next() % 3 {
            case 0: bytes[i] = alphabet[Int(next() % UInt64(alphabet.count))]
            case 1: bytes.remove(at: i)
            default: bytes.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: i)
            }
            if bytes.isEmpty { break }
        }
        return bytes
    }

    /// Bytes that make and break JSON structure, plus NUL and a two-byte UTF-8 letter.
    static let structuralAlphabet = Array(#"{}[]",:0123456789-.abcdefnrstu "#.utf8) + [0x00, 0xC3, 0xA9]

    /// Reads 3,000 seeded mutations of `original` both ways, records every mutation on which
    /// they disagree, and returns how many of the tree's readings `counts` picked.
    static func agreement<Reading: Equatable>(seed: UInt64, of original: String, tree: ([UInt8]) -> Reading,
                                              inPlace: ([UInt8]) -> Reading, counting counts: (Reading) -> Bool) -> Int {
        var generator = Self(state: seed)
        var counted = 0
        for _ in 0..<3000 {
            let bytes = generator.mutated(Array(original.utf8), alphabet: structuralAlphabet)
            let expected = tree(bytes)
            let ours = inPlace(bytes)
            if ours != expected { Issue.record("\(String(decoding: bytes, as: UTF8.self)): tree \(expected) in place \(ours)") }
            if counts(expected) { counted += 1 }
        }
        return counted
    }
}
