/// Reads JSON text straight into `JSON`, accepting and refusing exactly what jansson's
/// `json_loadb(_, JSON_ALLOW_NUL)` does (a top-level object or array, no trailing text, strict
/// UTF-8, no NUL in object keys, 64-bit integers, finite reals, at most 2,048 levels). It is the
/// fast path for messages from the server: jansson would build its own tree first and that tree
/// would then be converted, twice the allocations and twice the memory for a large reply. A
/// fuzz target and the tests hold it to jansson's answers.
public struct JSONReader {
    static let maximumDepth = 2048

    let base: UnsafePointer<UInt8>
    let end: Int
    var at = 0
    var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        // A zero-length buffer may have no base address; any valid pointer will do then.
        base = bytes.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(bitPattern: 1)!
        end = bytes.count
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(JSONDecodeError) -> JSON {
        var reader = JSONReader(bytes)
        reader.skipSpace()
        guard reader.at < reader.end, reader.base[reader.at] == UInt8(ascii: "{") || reader.base[reader.at] == UInt8(ascii: "[") else {
            throw reader.failure("'[' or '{' expected")
        }
        let value = try reader.value()
        reader.skipSpace()
        guard reader.at == reader.end else { throw reader.failure("end of file expected") }
        return value
    }

    public static func decode(_ bytes: [UInt8]) throws(JSONDecodeError) -> JSON {
        try JSONDecodeError.decoding(bytes) { (raw) throws(JSONDecodeError) in try decode(raw) }
    }

    func failure(_ text: String) -> JSONDecodeError {
        JSONDecodeError(message: text, position: at)
    }

    var current: UInt8? { at < end ? base[at] : nil }

    mutating func skipSpace() {
        while at < end {
            switch base[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    mutating func value() throws(JSONDecodeError) -> JSON {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("maximum parsing depth reached") }
        guard let c = current else { throw failure("unexpected end of input") }
        switch c {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: return try literal()
        }
    }

    private mutating func object() throws(JSONDecodeError) -> JSON {
        var members: [String: JSON] = [:]
        try eachMember(failing: { $0 }) { (reader, key) throws(JSONDecodeError) in members[key] = try reader.readValue() }
        return .object(members)
    }

    private mutating func array() throws(JSONDecodeError) -> JSON {
        var elements: [JSON] = []
        try eachElement(failing: { $0 }) { (reader) throws(JSONDecodeError) in elements.append(try reader.readValue()) }
        return .array(elements)
    }

    /// The next value as a tree.
    mutating func readValue() throws(JSONDecodeError) -> JSON {
        skipSpace()
        return try value()
    }

    /// The members of the object whose `{` is at `at`: `member` gets each key and must read
    /// that member's value. Shared by the tree and by reading in place; generic over the error
    /// type (`failing` turns the reader's own) so that the tree's loop stays specialised.
    @inline(__always)
    mutating func eachMember<E: Error>(failing: (JSONDecodeError) -> E, _ member: (inout JSONReader, String) throws(E) -> Void) throws(E) {
        at += 1
        skipSpace()
        if current == UInt8(ascii: "}") {
            at += 1
            return
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw failing(failure("string or '}' expected")) }
            let key: String
            do { key = try string() } catch { throw failing(error) }
            if key.utf8.contains(0) { throw failing(failure("NUL byte in object key not supported")) }
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw failing(failure("':' expected")) }
            at += 1
            try member(&self, key)
            skipSpace()
            switch current {
            case UInt8(ascii: ","):
                at += 1
                skipSpace()
            case UInt8(ascii: "}"):
                at += 1
                return
            default:
                throw failing(failure("'}' expected"))
            }
        }
    }

    /// The elements of the array whose `[` is at `at`: `element` is called once per element
    /// and must read it.
    @inline(__always)
    mutating func eachElement<E: Error>(failing: (JSONDecodeError) -> E, _ element: (inout JSONReader) throws(E) -> Void) throws(E) {
        at += 1
        skipSpace()
        if current == UInt8(ascii: "]") {
            at += 1
            return
        }
        while true {
            try element(&self)
            skipSpace()
            switch current {
            case UInt8(ascii: ","):
                at += 1
            case UInt8(ascii: "]"):
                at += 1
                return
            default:
                throw failing(failure("']' expected"))
            }
        }
    }

    /// jansson's lexer reads one byte past a number or a word and puts it back; a NUL byte put
    /// back that way is lost, so one NUL right after such a token is skipped there.
    private mutating func skipPutBackNUL() {
        if at < end, base[at] == 0 { at += 1 }
    }

    private mutating func literal() throws(JSONDecodeError) -> JSON {
        let start = at
        while let c = current, (c | 0x20) >= UInt8(ascii: "a"), (c | 0x20) <= UInt8(ascii: "z") { at += 1 }
        defer { skipPutBackNUL() }
        let word = UnsafeBufferPointer(start: base + start, count: at - start)
        if word.elementsEqual("true".utf8) { return .bool(true) }
        if word.elementsEqual("false".utf8) { return .bool(false) }
        if word.elementsEqual("null".utf8) { return .null }
        at = start
        throw failure("invalid token")
    }

    private mutating func number() throws(JSONDecodeError) -> JSON {
        let start = at
        if current == UInt8(ascii: "-") { at += 1 }
        guard let first = current, isDigit(first) else { throw failure("invalid token") }
        at += 1
        if first == UInt8(ascii: "0") {
            if let c = current, isDigit(c) { throw failure("invalid token") }
        } else {
            skipDigits()
        }
        var isReal = false
        if current == UInt8(ascii: ".") {
            isReal = true
            at += 1
            guard let c = current, isDigit(c) else { throw failure("invalid token") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isReal = true
            at += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { at += 1 }
            guard let c = current, isDigit(c) else { throw failure("invalid token") }
            skipDigits()
        }
        let text = UnsafeBufferPointer(start: base + start, count: at - start)
        defer { skipPutBackNUL() }
        if !isReal {
            guard let i = Self.integer(text) else {
                throw failure(text.first == UInt8(ascii: "-") ? "too big negative integer" : "too big integer")
            }
            return .integer(i)
        }
        guard let d = Double(String(decoding: text, as: UTF8.self)), d.isFinite else {
            throw failure("real number overflow")
        }
        return JSONNumber.normalize(d)
    }

    private static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = text.first == UInt8(ascii: "-")
        var magnitude: UInt64 = 0
        for c in text.dropFirst(negative ? 1 : 0) {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c &- UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            magnitude = a
        }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return .min }
            return magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let c = current, isDigit(c) { at += 1 }
    }

    /// A string token: `at` is on its opening quote.
    mutating func string() throws(JSONDecodeError) -> String {
        at += 1
        let start = at
        // Plain ASCII with no escape is the common case: one pass, no copy before the String.
        while at < end {
            let c = base[at]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(start: base + start, count: at - start), as: UTF8.self)
                at += 1
                return s
            }
            if c < 0x20 || c >= 0x80 || c == UInt8(ascii: "\\") { break }
            at += 1
        }
        var bytes = [UInt8](UnsafeBufferPointer(start: base + start, count: at - start))
        while true {
            guard at < end else { throw failure("premature end of input") }
            let c = base[at]
            switch c {
            case UInt8(ascii: "\""):
                at += 1
                return String(decoding: bytes, as: UTF8.self)
            case 0..<0x20:
                throw failure("control character 0x\(String(c, radix: 16))")
            case UInt8(ascii: "\\"):
                at += 1
                try escape(into: &bytes)
            case 0x80...:
                let n = try utf8Sequence()
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + at, count: n))
                at += n
            default:
                bytes.append(c)
                at += 1
            }
        }
    }

    /// `at` is just after a backslash.
    private mutating func escape(into bytes: inout [UInt8]) throws(JSONDecodeError) {
        guard let c = current else { throw failure("premature end of input") }
        at += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(c)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard at + 1 < end, base[at] == UInt8(ascii: "\\"), base[at + 1] == UInt8(ascii: "u") else {
                    throw failure("invalid Unicode")
                }
                at += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("invalid Unicode") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw failure("invalid Unicode")
            }
            bytes.append(contentsOf: Unicode.UTF8.encode(Unicode.Scalar(scalar)!)!)
        default:
            throw failure("invalid escape")
        }
    }

    private mutating func hex4() throws(JSONDecodeError) -> UInt32 {
        guard at + 4 <= end else { throw failure("invalid escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = base[at]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw failure("invalid escape")
            }
            v = v << 4 | UInt32(d)
            at += 1
        }
        return v
    }

    /// The length of the well-formed UTF-8 sequence at `at` (its first byte is 0x80 or more);
    /// overlong forms, surrogates and values past U+10FFFF are refused, as jansson does.
    private func utf8Sequence() throws(JSONDecodeError) -> Int {
        let first = base[at]
        let count: Int
        var value: UInt32
        switch first {
        case 0xC2...0xDF: count = 2; value = UInt32(first & 0x1F)
        case 0xE0...0xEF: count = 3; value = UInt32(first & 0x0F)
        case 0xF0...0xF4: count = 4; value = UInt32(first & 0x07)
        default: throw failure("unable to decode byte 0x\(String(first, radix: 16))")
        }
        guard at + count <= end else { throw failure("unable to decode byte 0x\(String(first, radix: 16))") }
        for i in 1..<count {
            let b = base[at + i]
            guard b & 0xC0 == 0x80 else { throw failure("unable to decode byte 0x\(String(first, radix: 16))") }
            value = value << 6 | UInt32(b & 0x3F)
        }
        let overlong = (count == 3 && value < 0x800) || (count == 4 && value < 0x10000)
        if overlong || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) {
            throw failure("unable to decode byte 0x\(String(first, radix: 16))")
        }
        return count
    }
}
