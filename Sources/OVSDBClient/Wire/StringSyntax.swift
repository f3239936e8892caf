/// The ovs-vsctl / ovn-nbctl text syntax for values (`[a, b]`, `{k=v}`, `0-8`, quoted
/// strings), as Open vSwitch's `ovsdb_atom_from_string` and `ovsdb_datum_from_string` read it.
public enum StringSyntax {
    /// One atom from its text; an integer range `A-B` (at most 4096 values) gives them all.
    /// Every value is checked against `base`'s constraints.
    public static func atoms(_ text: String, base: BaseType, allowRange: Bool = true) throws(OVSDBError) -> [Atom] {
        let atoms = try parse(text, base.type, allowRange: allowRange)
        for a in atoms { try a.check(base) }
        return atoms
    }

    /// True when `text` is an integer range (`A-B`), which ovs-vsctl prints back as a range.
    public static func isRange(_ text: String) -> Bool {
        splitRange(text) != nil && Int64(text) == nil && Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) == nil
    }

    private static func fail(_ message: String) -> OVSDBError {
        OVSDBError(tag: "syntax error", details: message)
    }

    private static func integer(_ s: Substring) -> Int64? {
        let body = s.hasPrefix("+") ? s.dropFirst() : s
        guard !body.isEmpty, !body.hasPrefix("+") else { return nil }
        return Int64(body)
    }

    /// `A-B` where A and B are signed integers: the '-' that separates them is the first one
    /// after a digit.
    private static func splitRange(_ s: String) -> (Int64, Int64)? {
        let chars = Array(s)
        for i in chars.indices.dropFirst() where chars[i] == "-" && chars[i - 1].isNumber {
            let a = s[s.startIndex..<s.index(s.startIndex, offsetBy: i)]
            let b = s[s.index(s.startIndex, offsetBy: i + 1)...]
            if let x = integer(a), let y = integer(b) { return (x, y) }
        }
        return nil
    }

    private static func parse(_ s: String, _ type: AtomicType, allowRange: Bool) throws(OVSDBError) -> [Atom] {
        switch type {
        case .integer:
            if let v = integer(Substring(s)) { return [.integer(v)] }
            if allowRange, let (a, b) = splitRange(s) {
                guard a <= b else { throw fail("\"\(s)\" is not a valid range. Range end cannot be before start.") }
                guard b - a < 4096 else { throw fail("Range \"\(s)\" is too big.") }
                return (a...b).map { .integer($0) }
            }
            throw fail("\"\(s)\" is not a valid integer or range")
        case .real:
            guard let d = Double(s), d.isFinite else { throw fail("\"\(s)\" is not a valid real number") }
            return [.real(d == 0 ? 0 : d)]
        case .boolean:
            switch s {
            case "true", "yes", "on", "1": return [.boolean(true)]
            case "false", "no", "off", "0": return [.boolean(false)]
            default: throw fail("\"\(s)\" is not a valid boolean (use \"true\" or \"false\")")
            }
        case .string:
            if s.isEmpty { throw fail("An empty string is not valid as input; use \"\" to represent the empty string") }
            if s.hasPrefix("\"") { return [.string(try unquote(s))] }
            return [.string(s)]
        case .uuid:
            guard let u = OVSDBUUID(s) else { throw fail("\"\(s)\" is not a valid UUID") }
            return [.uuid(u)]
        }
    }

    /// A double-quoted string with JSON escapes.
    static func unquote(_ s: String) throws(OVSDBError) -> String {
        let body = Array(s.unicodeScalars.dropFirst())
        guard body.last == "\"" else { throw fail("\(s): missing quote at end of quoted string") }
        var out = String.UnicodeScalarView()
        var i = 0
        let end = body.count - 1
        while i < end {
            let c = body[i]
            if c == "\"" { throw fail("\(s): quoted string may not include unescaped \"") }
            if c == "\\" {
                guard i + 1 < end else { throw fail("\(s): quoted string may not end with backslash") }
                let e = body[i + 1]
                i += 2
                switch e {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "/": out.append("/")
                case "b": out.append("\u{8}")
                case "f": out.append("\u{C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    guard i + 4 <= end, let v = UInt32(String(String.UnicodeScalarView(body[i..<i + 4])), radix: 16),
                          let scalar = Unicode.Scalar(v) else { throw fail("\(s): bad \\u escape") }
                    out.append(scalar)
                    i += 4
                default: throw fail("\(s): bad escape \\\(e)")
                }
                continue
            }
            out.append(c)
            i += 1
        }
        return String(out)
    }

    /// A whole value: `[...]` or bare comma/space-separated atoms for sets, `{...}` or bare
    /// `k=v` pairs for maps. Sizes and duplicates are checked against `type`.
    public static func datum(_ text: String, type: ColumnType) throws(OVSDBError) -> Datum {
        let chars = Array(text.unicodeScalars)
        var p = 0
        func skipSpaces() { while p < chars.count, chars[p].properties.isWhitespace { p += 1 } }
        func token() throws(OVSDBError) -> String {
            skipSpaces()
            let start = p
            if p < chars.count, chars[p] == "\"" {
                p += 1
                while p < chars.count, chars[p] != "\"" {
                    if chars[p] == "\\" { p += 1 }
                    p += 1
                }
                p = min(p + 1, chars.count)
            } else {
                while p < chars.count, !chars[p].properties.isWhitespace, !",=[]{}".unicodeScalars.contains(chars[p]) { p += 1 }
            }
            return String(String.UnicodeScalarView(chars[start..<p]))
        }
        skipSpaces()
        let open: Unicode.Scalar = type.isMap ? "{" : "["
        let close: Unicode.Scalar = type.isMap ? "}" : "]"
        var delimited = false
        if p < chars.count, chars[p] == open {
            delimited = true
            p += 1
        } else if p == chars.count {
            throw fail(type.isMap ? "use \"{}\" to specify the empty map" : "use \"[]\" to specify the empty set")
        }
        var keys: [Atom] = []
        var values: [Atom] = []
        while true {
            skipSpaces()
            if p == chars.count || (delimited && chars[p] == close) { break }
            let keyText = try token()
            if type.isMap {
                skipSpaces()
                guard p < chars.count, chars[p] == "=" else { throw fail("\(text): syntax error at \"\(keyText)\": expected \"=\"") }
                p += 1
                let valueText = try token()
                keys += try atoms(keyText, base: type.key, allowRange: false)
                values += try atoms(valueText, base: type.value!, allowRange: false)
            } else {
                keys += try atoms(keyText, base: type.key, allowRange: true)
            }
            skipSpaces()
            if p < chars.count, chars[p] == "," { p += 1 }
        }
        if delimited {
            guard p < chars.count, chars[p] == close else { throw fail("\(text): missing \"\(close)\" at end of data") }
            p += 1
        }
        let datum: Datum
        do {
            datum = type.isMap ? try .map(Array(zip(keys, values))) : try .set(keys)
        } catch {
            throw fail(type.isMap ? "map contains duplicate key" : "set contains duplicate value")
        }
        if datum.count < type.min || datum.count > type.maxCount {
            throw fail("\(type.isMap ? "map" : "set") must have \(type.min) to \(type.maxCount) members but \(datum.count) are present")
        }
        return datum
    }
}
