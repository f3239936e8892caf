#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `JSON` as bytes directly, the fast path for outgoing messages: the same bytes as
/// `JanssonCodec.encode` (compact, keys in byte order, jansson's string escapes, reals with 17
/// significant digits), without building a jansson tree first. Tests and the JSON fuzz target
/// compare the two on every value; jansson stays the codec of record.
public enum JSONWriter {
    public static func encode(_ value: JSON) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    public static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): writeBool(b, into: &out)
        case .integer(let i): writeInteger(i, into: &out)
        case .real(let d): writeReal(d, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeBool(_ b: Bool, into out: inout [UInt8]) {
        if b {
            out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
    }

    static func writeInteger(_ i: Int64, into out: inout [UInt8]) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        var m = i.magnitude
        if m < 10 { out.append(UInt8(ascii: "0") + UInt8(m)); return }
        var width = 0
        var rest = m
        while rest > 0 { width += 1; rest /= 10 }
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        var position = start + width
        while m > 0 {
            position -= 1
            out[position] = UInt8(ascii: "0") + UInt8(m % 10)
            m /= 10
        }
    }

    /// jansson's `dtostr`: `%.17g`, `.0` when the text reads as an integer, and the exponent
    /// without `+` or leading zeros (`1e+300` -> `1e300`, `3e-05` -> `3e-5`).
    static func writeReal(_ d: Double, into out: inout [UInt8]) {
        var buffer = [CChar](repeating: 0, count: 40)
        let n = withVaList([d]) { vsnprintf(&buffer, buffer.count, "%.17g", $0) }
        var text = buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }
        if let e = text.firstIndex(of: UInt8(ascii: "e")) {
            var start = e + 1
            if start < text.count, text[start] == UInt8(ascii: "+") { text.remove(at: start) }
            if start < text.count, text[start] == UInt8(ascii: "-") { start += 1 }
            while start < text.count - 1, text[start] == UInt8(ascii: "0") { text.remove(at: start) }
        }
        out.append(contentsOf: text)
        if !text.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
            out.append(contentsOf: [UInt8(ascii: "."), UInt8(ascii: "0")])
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
