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
}
