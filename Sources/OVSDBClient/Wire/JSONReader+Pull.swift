/// Reading a large message piece by piece: its outer objects and arrays are walked in place
/// and only the pieces asked for become `JSON`, so a 100,000-row reply is never one tree.
/// The rules are the tree reader's: the same code reads every value handed out.
extension JSONReader {
    /// Reads `bytes`, which must hold exactly what `body` consumes (spaces aside).
    static func reading<T>(_ bytes: UnsafeRawBufferPointer, _ body: (inout JSONReader) throws -> T) throws -> T {
        var reader = JSONReader(bytes)
        let value = try body(&reader)
        reader.skipSpace()
        guard reader.at == reader.end else { throw reader.failure("end of file expected") }
        return value
    }

    /// An object: `member` is called with each key and must read that member's value.
    mutating func readObject(_ member: (inout JSONReader, String) throws -> Void) throws {
        skipSpace()
        guard current == UInt8(ascii: "{") else { throw failure("object expected") }
        try nested { try $0.eachMember(failing: { $0 }, member) }
    }

    /// An array: `element` is called once per element and must read it.
    mutating func readArray(_ element: (inout JSONReader) throws -> Void) throws {
        skipSpace()
        guard current == UInt8(ascii: "[") else { throw failure("array expected") }
        try nested { try $0.eachElement(failing: { $0 }, element) }
    }

    /// Whether the next value is an object (spaces skipped).
    var startsObject: Bool {
        mutating get {
            skipSpace()
            return at < end && base[at] == UInt8(ascii: "{")
        }
    }

    /// Whether the next value is an array (spaces skipped).
    var startsArray: Bool {
        mutating get {
            skipSpace()
            return at < end && base[at] == UInt8(ascii: "[")
        }
    }

    /// Passes over the next value without reading it and returns where it lies. Nothing is
    /// checked but nesting and strings: whoever reads the range later checks it.
    mutating func skipValue() throws(JSONDecodeError) -> Range<Int> {
        skipSpace()
        let start = at
        var depth = 0
        repeat {
            guard at < end else { throw failure("premature end of input") }
            switch base[at] {
            case UInt8(ascii: "\""):
                at += 1
                while at < end, base[at] != UInt8(ascii: "\"") { at += base[at] == UInt8(ascii: "\\") ? 2 : 1 }
                guard at < end else { throw failure("premature end of input") }
                at += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                at += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0 else { throw failure("unexpected close") }
                depth -= 1
                at += 1
            default:
                if depth == 0 {
                    while at < end, !Self.endsScalar(base[at]) { at += 1 }
                } else {
                    at += 1
                }
            }
        } while depth > 0
        return start..<at
    }

    private static func endsScalar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x09, 0x0A, 0x0D: return true
        default: return false
        }
    }

    private mutating func nested(_ body: (inout JSONReader) throws -> Void) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("maximum parsing depth reached") }
        try body(&self)
    }
}
