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

    public static func write<Out: JSONOutput>(_ value: JSON, into out: inout Out) {
        switch value {
        case .null: out.appendASCII("null")
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

    static func writeBool<Out: JSONOutput>(_ b: Bool, into out: inout Out) {
        out.appendASCII(b ? "true" : "false")
    }

    static func writeInteger<Out: JSONOutput>(_ i: Int64, into out: inout Out) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        var m = i.magnitude
        if m < 10 { out.append(UInt8(ascii: "0") + UInt8(m)); return }
        // At most 20 digits, written backwards into a stack buffer.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var position = 20
            while m > 0 {
                position -= 1
                digits[position] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            }
            out.append(bytes: UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[position...])))
        }
    }

    /// jansson's `dtostr`: `%.17g`, `.0` when the text reads as an integer, and the exponent
    /// without `+` or leading zeros (`1e+300` -> `1e300`, `3e-05` -> `3e-5`).
    static func writeReal<Out: JSONOutput>(_ d: Double, into out: inout Out) {
        var buffer = [CChar](repeating: 0, count: 40)
        let n = withVaList([d]) { vsnprintf(&buffer, buffer.count, "%.17g", $0) }
        var text = buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }
        if let e = text.firstIndex(of: UInt8(ascii: "e")) {
            var start = e + 1
            if start < text.count, text[start] == UInt8(ascii: "+") { text.remove(at: start) }
            if start < text.count, text[start] == UInt8(ascii: "-") { start += 1 }
            while start < text.count - 1, text[start] == UInt8(ascii: "0") { text.remove(at: start) }
        }
        text.withUnsafeBytes { out.append(bytes: $0) }
        if !text.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
            out.appendASCII(".0")
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Whether `s` prints as it is between quotes: no control character, quote or backslash.
    static func needsNoEscape(_ s: String) -> Bool {
        s.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }
    }

    static func writeString<Out: JSONOutput>(_ s: String, into out: inout Out) {
        out.append(UInt8(ascii: "\""))
        if needsNoEscape(s) {
            out.append(utf8: s)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case 0x22: out.appendASCII("\\\"")
            case 0x5C: out.appendASCII("\\\\")
            case 0x08: out.appendASCII("\\b")
            case 0x0C: out.appendASCII("\\f")
            case 0x0A: out.appendASCII("\\n")
            case 0x0D: out.appendASCII("\\r")
            case 0x09: out.appendASCII("\\t")
            case 0x00..<0x20:
                out.appendASCII("\\u00")
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
