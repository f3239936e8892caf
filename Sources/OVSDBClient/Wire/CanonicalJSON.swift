#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text form Open vSwitch prints (`json_to_string` with sorted keys): compact, object keys
/// in byte order, reals as `%.15g`, only the characters JSON requires escaped.
///
/// Used for messages and for comparing with Open vSwitch's own output; the wire goes through
/// `JanssonCodec`.
public enum CanonicalJSON {
    public static func string(_ value: JSON) -> String {
        var out: [UInt8] = []
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// An array of objects with string members, one per row, keyed by `keys`: the text
    /// `string(.array(rows.map { .object(...) }))` prints, without building the tree (a
    /// 100,000-row listing would otherwise be 600,000 nodes).
    public static func objects(keys: [String], rows: [[String]]) -> String {
        let order = keys.indices.sorted { keys[$0].utf8.lexicographicallyPrecedes(keys[$1].utf8) }
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (r, row) in rows.enumerated() {
            out.append(contentsOf: r == 0 ? "{".utf8 : ",{".utf8)
            var first = true
            for i in order where i < row.count {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(keys[i], into: &out)
                out.append(UInt8(ascii: ":"))
                writeString(row[i], into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .real(let d): out.append(contentsOf: formatReal(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            let keys = o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, k) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                write(o[k]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `printf("%.15g")`, as Open vSwitch prints reals.
    public static func formatReal(_ d: Double) -> String {
        var buffer = [UInt8](repeating: 0, count: 40)
        let length = buffer.withUnsafeMutableBufferPointer { out in
            out.withMemoryRebound(to: CChar.self) { chars in
                withVaList([d]) { args in vsnprintf(chars.baseAddress, chars.count, "%.15g", args) }
            }
        }
        return String(decoding: buffer.prefix(Int(length)), as: UTF8.self)
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if JSONWriter.needsNoEscape(s) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
