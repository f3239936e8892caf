extension Datum {
    /// Reads a datum of `type` in place, with no `JSON` built for its sets, maps, pairs and
    /// UUIDs, when it is a valid value in one of RFC 7047's shapes: a bare atom, `["uuid", s]`,
    /// `["set", [...]]` or `["map", [[k, v], ...]]`. Anything else (a value the type refuses,
    /// named UUIDs, bad JSON) gives nil with the reader where it was, and the caller reads the
    /// value as a tree, so refusals and their messages stay the tree's. The values it does read
    /// are the ones `init(json:type:)` gives, which the tests check on mutated replies.
    static func readDirect(_ reader: inout JSONReader, type: ColumnType) -> Datum? {
        // Three levels at most are entered here: keep the tree's depth limit exactly.
        guard reader.depth + 4 <= JSONReader.maximumDepth else { return nil }
        let start = reader
        if let datum = try? direct(&reader, type: type) { return datum }
        reader = start
        return nil
    }

    private static func direct(_ reader: inout JSONReader, type: ColumnType) throws -> Datum? {
        reader.skipSpace()
        guard reader.current == UInt8(ascii: "[") else {
            guard !type.isMap, let atom = try atom(&reader, base: type.key) else { return nil }
            return .scalar(atom)
        }
        reader.at += 1
        guard let tag = try tag(&reader) else { return nil }
        switch tag {
        case .uuid:
            guard !type.isMap, type.key.type == .uuid, let atom = try uuidTail(&reader) else { return nil }
            try atom.check(type.key)
            return .scalar(atom)
        case .set:
            guard !type.isMap else { return nil }
            var atoms: [Atom] = []
            guard try elements(&reader, { reader in
                guard let a = try atom(&reader, base: type.key) else { return false }
                atoms.append(a)
                return true
            }) else { return nil }
            guard close(&reader), atoms.count >= type.min, atoms.count <= type.maxCount else { return nil }
            return try .set(atoms)
        case .map:
            guard let valueType = type.value else { return nil }
            var pairs: [(Atom, Atom)] = []
            guard try elements(&reader, { reader in
                guard open(&reader), let k = try atom(&reader, base: type.key), comma(&reader),
                      let v = try atom(&reader, base: valueType), close(&reader) else { return false }
                pairs.append((k, v))
                return true
            }) else { return nil }
            guard close(&reader), pairs.count >= type.min, pairs.count <= type.maxCount else { return nil }
            return try .map(pairs)
        }
    }

    private enum Tag { case uuid, set, map }

    /// `"uuid",`, `"set",` or `"map",` after an opening bracket.
    private static func tag(_ reader: inout JSONReader) throws -> Tag? {
        reader.skipSpace()
        guard reader.current == UInt8(ascii: "\"") else { return nil }
        let tag: Tag
        switch try reader.string() {
        case "uuid": tag = .uuid
        case "set": tag = .set
        case "map": tag = .map
        default: return nil
        }
        return comma(&reader) ? tag : nil
    }

    /// One atom of `base`: a bare scalar, or `["uuid", s]` for a UUID.
    private static func atom(_ reader: inout JSONReader, base: BaseType) throws -> Atom? {
        reader.skipSpace()
        switch reader.current {
        case UInt8(ascii: "["):
            reader.at += 1
            guard base.type == .uuid, try tag(&reader) == .uuid, let atom = try uuidTail(&reader) else { return nil }
            try atom.check(base)
            return atom
        case UInt8(ascii: "{"), nil:
            return nil
        default:
            return try Atom(json: reader.value(), base: base)
        }
    }

    /// The string and the closing bracket of `["uuid", s]`. The 36 characters of a UUID are
    /// parsed where they lie; anything longer or escaped goes through the string reader.
    private static func uuidTail(_ reader: inout JSONReader) throws -> Atom? {
        reader.skipSpace()
        guard reader.current == UInt8(ascii: "\"") else { return nil }
        let text = reader.at + 1
        let uuid: OVSDBUUID?
        if text + 36 < reader.end, reader.base[text + 36] == UInt8(ascii: "\""),
           let parsed = OVSDBUUID(utf8: UnsafeBufferPointer(start: reader.base + text, count: 36)) {
            uuid = parsed
            reader.at = text + 37
        } else {
            uuid = OVSDBUUID(try reader.string())
        }
        guard let uuid, close(&reader) else { return nil }
        return .uuid(uuid)
    }

    /// The elements of an array, each read by `element` (false: not a shape read here).
    private static func elements(_ reader: inout JSONReader, _ element: (inout JSONReader) throws -> Bool) throws -> Bool {
        guard open(&reader) else { return false }
        reader.skipSpace()
        if reader.current == UInt8(ascii: "]") {
            reader.at += 1
            return true
        }
        while true {
            guard try element(&reader) else { return false }
            reader.skipSpace()
            switch reader.current {
            case UInt8(ascii: ","): reader.at += 1
            case UInt8(ascii: "]"):
                reader.at += 1
                return true
            default: return false
            }
        }
    }

    private static func punctuation(_ reader: inout JSONReader, _ byte: UInt8) -> Bool {
        reader.skipSpace()
        guard reader.current == byte else { return false }
        reader.at += 1
        return true
    }

    private static func open(_ reader: inout JSONReader) -> Bool { punctuation(&reader, UInt8(ascii: "[")) }
    private static func comma(_ reader: inout JSONReader) -> Bool { punctuation(&reader, UInt8(ascii: ",")) }
    private static func close(_ reader: inout JSONReader) -> Bool { punctuation(&reader, UInt8(ascii: "]")) }
}
