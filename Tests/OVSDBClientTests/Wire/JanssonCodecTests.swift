import Testing
@testable import OVSDBClient

@Suite("JSON through libjansson")
struct JanssonCodecTests {
    @Test("values round-trip through encode and decode")
    func roundTrip() throws {
        let values: [JSON] = [
            ["a": 1, "b": [true, false, nil], "c": "x\"y\\z\n\u{1}", "d": 1.5, "e": ["nested": [:]]],
            [.integer(.max), .integer(.min), -0.25, 1e300, "𝄞 é ü", ""],
            [],
            ["uuid", "550e8400-e29b-41d4-a716-446655440000"],
        ]
        for v in values {
            #expect(try JanssonCodec.decode(JanssonCodec.encode(v)) == v)
        }
    }

    @Test("integers and reals stay apart; integral reals become integers as in Open vSwitch")
    func numbers() throws {
        #expect(try JanssonCodec.decode("[1, 1.5, 1e3, 1.0, -0.0, 9223372036854775807, 2e19]") ==
                [.integer(1), .real(1.5), .integer(1000), .integer(1), .integer(0), .integer(.max), .real(2e19)])
    }

    @Test("encoding is compact with sorted keys and reals that read back exactly")
    func encoding() throws {
        let text = String(decoding: JanssonCodec.encode(["b": 1, "a": [0.1, 2.0], "c": "é/"]), as: UTF8.self)
        #expect(text == #"{"a":[0.10000000000000001,2.0],"b":1,"c":"é/"}"#)
        #expect(try JanssonCodec.decode(text)["a"]?.arrayValue?.first == .real(0.1))
    }

    @Test("invalid input is a typed error with its position")
    func invalid() {
        let cases: [[UInt8]] = [
            Array(#"{"a": "#.utf8),
            Array(#"{"a": 1,}"#.utf8),
            [UInt8(ascii: "["), UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\""), UInt8(ascii: "]")],
            Array("42".utf8),
            [],
        ]
        for bytes in cases {
            #expect(throws: JSONDecodeError.self) { try JanssonCodec.decode(bytes) }
        }
    }

    @Test("the canonical printer matches Open vSwitch's text")
    func canonical() {
        #expect(CanonicalJSON.string(["b": 1e37, "a": [1.0e-5, "\u{8}\u{1f}/"]]) == #"{"a":[1e-05,"\b\u001f/"],"b":1e+37}"#)
        #expect(CanonicalJSON.formatReal(Double.greatestFiniteMagnitude) == "1.79769313486232e+308")
    }

    @Test("objects of strings print as their tree prints: keys in byte order, escapes, short rows")
    func objectsOfStrings() {
        var g = JSONWriterTests.SplitMix(state: 5)
        let keys = ["SERVICE", "POD_IP", "é", "NODE", "\u{1}", "UUID"]
        for _ in 0..<500 {
            let rows = (0..<Int(g.next() % 4)).map { _ in
                (0..<Int(g.next() % 8)).map { _ in JSONWriterTests.randomString(&g) }
            }
            let tree = JSON.array(rows.map { .object(Dictionary(uniqueKeysWithValues: zip(keys, $0.map(JSON.string)))) })
            #expect(CanonicalJSON.objects(keys: keys, rows: rows) == CanonicalJSON.string(tree))
        }
    }
}

@Suite("the direct JSON writer against jansson")
struct JSONWriterTests {
    /// A small deterministic generator, so a failure repeats.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomString(_ g: inout SplitMix) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{1}", "\u{1F}",
                                      "\u{7F}", "é", "€", "𝄞", "\u{2028}", "\u{FEFF}"]
        var s = ""
        for _ in 0..<Int.random(in: 0...12, using: &g) { s.unicodeScalars.append(pool.randomElement(using: &g)!) }
        return s
    }

    static func randomJSON(_ g: inout SplitMix, depth: Int) -> JSON {
        switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &g) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2: return .integer(Int64.random(in: .min ... .max, using: &g) >> Int64.random(in: 0...63, using: &g))
        case 3: return .real([0.1, -2.5e-300, 1e300, 123456.789, -0.0, 3.0e-5, 1.0 / 3.0].randomElement(using: &g)! * Double(Int.random(in: 1...9, using: &g)))
        case 4, 5: return .string(randomString(&g))
        case 6: return .array((0..<Int.random(in: 0...4, using: &g)).map { _ in randomJSON(&g, depth: depth + 1) })
        default:
            var o: [String: JSON] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &g) { o[randomString(&g).replacingNUL()] = randomJSON(&g, depth: depth + 1) }
            return .object(o)
        }
    }

    @Test("random values: the same bytes as jansson")
    func random() {
        var g = SplitMix(state: 7)
        for _ in 0..<3000 {
            let v = JSON.array([Self.randomJSON(&g, depth: 0)]) // jansson dumps only arrays and objects
            #expect(JSONWriter.encode(v) == JanssonCodec.encode(v), "\(CanonicalJSON.string(v))")
        }
    }

    @Test("every conformance vector, and every JSON argument in them: the same bytes as jansson")
    func conformanceVectors() throws {
        guard let bytes = readFile(packageRoot() + "/../shared/conformance/vectors.json") else {
            Issue.record("../shared/conformance/vectors.json not found next to the checkout")
            return
        }
        let all = try JanssonCodec.decode(bytes)
        #expect(JSONWriter.encode(all) == JanssonCodec.encode(all))
        var compared = 0
        for case .string(let arg) in (all.arrayValue ?? []).flatMap({ $0["args"]?.arrayValue ?? [] }) {
            guard let v = try? JanssonCodec.decode(arg), v.arrayValue != nil || v.objectValue != nil else { continue }
            #expect(JSONWriter.encode(v) == JanssonCodec.encode(v), "\(arg)")
            compared += 1
        }
        #expect(compared > 300)
    }
}

private extension String {
    /// jansson keys are C strings; a NUL in a key cannot round-trip through it.
    func replacingNUL() -> String { String(unicodeScalars.map { $0 == "\u{0}" ? "0" : Character($0) }) }
}
