import CJansson
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes to `JSON` and back, through libjansson.
///
/// This is the one seam between the wire layer and a JSON library: a faster decoder can
/// replace `decode` as long as it gives the same values (the tests compare them).
public enum JanssonCodec {
    /// Parses one JSON text (object or array at the top level, as RFC 4627 and OVSDB require).
    ///
    /// Integral numbers that fit in 64 bits become `.integer` whatever their spelling (`1e3`,
    /// `1.0`), and a real zero is +0, as Open vSwitch's own parser does.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(JSONDecodeError) -> JSON {
        var error = json_error_t()
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else {
            throw JSONDecodeError(message: "empty input", position: 0)
        }
        guard let root = json_loadb(base, bytes.count, JSON_ALLOW_NUL_FLAG, &error) else {
            let text = withUnsafeBytes(of: &error.text) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            throw JSONDecodeError(message: text, position: Int(error.position))
        }
        defer { json_decref(root) }
        return convert(root)
    }

    public static func decode(_ bytes: [UInt8]) throws(JSONDecodeError) -> JSON {
        try JSONDecodeError.decoding(bytes) { (raw) throws(JSONDecodeError) in try decode(raw) }
    }

    public static func decode(_ text: String) throws(JSONDecodeError) -> JSON {
        try decode(Array(text.utf8))
    }

    /// Encodes compactly with object keys sorted; reals keep 17 significant digits so they
    /// read back as the same double.
    public static func encode(_ value: JSON) -> [UInt8] {
        let tree = build(value)
        defer { json_decref(tree) }
        guard let text = json_dumps(tree, encodeFlags) else { return [] }
        defer { free(text) }
        let length = strlen(text)
        return Array(UnsafeRawBufferPointer(start: text, count: length))
    }

    // JSON_ALLOW_NUL and JSON_REAL_PRECISION are C macros Swift cannot import.
    private static let JSON_ALLOW_NUL_FLAG: Int = 0x10
    private static let encodeFlags: Int = 0x20 /* JSON_COMPACT */ | 0x80 /* JSON_SORT_KEYS */ | ((17 & 0x1F) << 11)

    private static func convert(_ node: UnsafeMutablePointer<json_t>) -> JSON {
        switch node.pointee.type {
        case JSON_OBJECT:
            var object: [String: JSON] = [:]
            object.reserveCapacity(json_object_size(node))
            var iter = json_object_iter(node)
            while let it = iter {
                let key = String(cString: json_object_iter_key(it))
                object[key] = convert(json_object_iter_value(it))
                iter = json_object_iter_next(node, it)
            }
            return .object(object)
        case JSON_ARRAY:
            let count = json_array_size(node)
            var array: [JSON] = []
            array.reserveCapacity(count)
            for i in 0..<count {
                array.append(convert(json_array_get(node, i)))
            }
            return .array(array)
        case JSON_STRING:
            let length = json_string_length(node)
            let pointer = UnsafeRawPointer(json_string_value(node)!)
            return .string(String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self))
        case JSON_INTEGER:
            return .integer(Int64(json_integer_value(node)))
        case JSON_REAL:
            return JSONNumber.normalize(json_real_value(node))
        case JSON_TRUE:
            return .bool(true)
        case JSON_FALSE:
            return .bool(false)
        default:
            return .null
        }
    }

    private static func build(_ value: JSON) -> UnsafeMutablePointer<json_t> {
        switch value {
        case .null:
            return json_null()
        case .bool(let b):
            return b ? json_true() : json_false()
        case .integer(let i):
            return json_integer(json_int_t(i))
        case .real(let d):
            return json_real(d)
        case .string(let s):
            if s.isEmpty { return json_string("") }
            var s = s
            return s.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { chars in
                    json_stringn_nocheck(chars.baseAddress!, utf8.count)
                }
            }
        case .array(let elements):
            let array = json_array()!
            for element in elements {
                json_array_append_new(array, build(element))
            }
            return array
        case .object(let members):
            let object = json_object()!
            for (key, member) in members {
                json_object_set_new_nocheck(object, key, build(member))
            }
            return object
        }
    }
}

/// Open vSwitch's number rules, shared by every decoder.
enum JSONNumber {
    static func normalize(_ d: Double) -> JSON {
        if d == d.rounded(), d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 {
            return .integer(Int64(d))
        }
        return .real(d)
    }
}
