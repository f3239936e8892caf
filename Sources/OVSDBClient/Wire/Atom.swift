/// One OVSDB value of an atomic type. `namedUUID` is the `["named-uuid", name]` form that
/// refers to a row inserted earlier in the same transaction.
public enum Atom: Sendable, Hashable, Comparable {
    case integer(Int64)
    case real(Double)
    case boolean(Bool)
    case string(String)
    case uuid(OVSDBUUID)
    case namedUUID(String)

    public var type: AtomicType {
        switch self {
        case .integer: return .integer
        case .real: return .real
        case .boolean: return .boolean
        case .string: return .string
        case .uuid, .namedUUID: return .uuid
        }
    }

    /// Reads an atom of `base`'s type and checks its constraints.
    /// `allowNamedUUID` is true only inside transactions, where a symbol table exists.
    public init(json: JSON, base: BaseType, allowNamedUUID: Bool = false) throws(OVSDBError) {
        self = try Atom(json: json, type: base.type, allowNamedUUID: allowNamedUUID)
        try check(base)
    }

    init(json: JSON, type: AtomicType, allowNamedUUID: Bool = false) throws(OVSDBError) {
        switch (type, json) {
        case (.integer, .integer(let i)): self = .integer(i)
        case (.real, .integer(let i)): self = .real(Double(i))
        case (.real, .real(let d)): self = .real(d == 0 ? 0 : d)
        case (.boolean, .bool(let b)): self = .boolean(b)
        case (.string, .string(let s)): self = .string(s)
        case (.uuid, .array(let a)) where a.count == 2:
            if a[0] == "uuid", let text = a[1].stringValue, let u = OVSDBUUID(text) {
                self = .uuid(u)
            } else if allowNamedUUID, a[0] == "named-uuid", let name = a[1].stringValue, ObjectParser.isID(name) {
                self = .namedUUID(name)
            } else {
                throw .syntaxError(json, "expected [\"uuid\", <string>]")
            }
        case (.uuid, _):
            throw .syntaxError(json, "expected [\"uuid\", <string>]")
        default:
            throw .syntaxError(json, "expected \(type.rawValue)")
        }
    }

    public var json: JSON {
        switch self {
        case .integer(let i): return .integer(i)
        case .real(let d): return .real(d)
        case .boolean(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .uuid(let u): return .array(["uuid", .string(u.description)])
        case .namedUUID(let n): return .array(["named-uuid", .string(n)])
        }
    }

    /// Checks `enum`, then the range or length constraint.
    public func check(_ base: BaseType) throws(OVSDBError) {
        if let allowed = base.enumeration, !allowed.contains(self) {
            let list = allowed.map(\.text).joined(separator: ", ")
            throw .constraint("\(text) is not one of the allowed values ([\(list)])")
        }
        switch self {
        case .integer(let i):
            try Self.checkRange(i, base.minInteger, base.maxInteger, unboundedMin: .min, unboundedMax: .max, format: { String($0) })
        case .real(let d):
            try Self.checkRange(d, base.minReal, base.maxReal,
                                unboundedMin: -Double.greatestFiniteMagnitude, unboundedMax: Double.greatestFiniteMagnitude,
                                format: CanonicalJSON.formatReal)
        case .string(let s):
            let length = s.unicodeScalars.count
            if length < base.minLength {
                throw .constraint("\"\(s)\" length \(length) is less than minimum allowed length \(base.minLength)")
            } else if length > base.maxLength {
                throw .constraint("\"\(s)\" length \(length) is greater than maximum allowed length \(base.maxLength)")
            }
        default:
            break
        }
    }

    private static func checkRange<T: Comparable>(_ v: T, _ lo: T, _ hi: T, unboundedMin: T, unboundedMax: T, format: (T) -> String) throws(OVSDBError) {
        guard v < lo || v > hi else { return }
        if lo != unboundedMin, hi != unboundedMax {
            throw .constraint("\(format(v)) is not in the valid range \(format(lo)) to \(format(hi)) (inclusive)")
        } else if v < lo {
            throw .constraint("\(format(v)) is less than minimum allowed value \(format(lo))")
        } else {
            throw .constraint("\(format(v)) is greater than maximum allowed value \(format(hi))")
        }
    }

    /// The ovs-vsctl string form: bare where unambiguous, JSON-quoted otherwise.
    public var text: String {
        switch self {
        case .integer(let i): return String(i)
        case .real(let d): return CanonicalJSON.formatReal(d)
        case .boolean(let b): return b ? "true" : "false"
        case .uuid(let u): return u.description
        case .namedUUID(let n): return n
        case .string(let s):
            return Self.needsQuotes(s) ? CanonicalJSON.string(.string(s)) : s
        }
    }

    private static func needsQuotes(_ s: String) -> Bool {
        guard let first = s.utf8.first else { return true }
        let isAlpha: (UInt8) -> Bool = { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }
        guard isAlpha(first) else { return true }
        for b in s.utf8.dropFirst() {
            let ok = isAlpha(b) || (b >= 48 && b <= 57) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
            if !ok { return true }
        }
        return s == "true" || s == "false" || OVSDBUUID(s) != nil
    }

    /// Open vSwitch's atom order: numeric, false < true, strings by bytes, UUIDs by text.
    public static func < (a: Atom, b: Atom) -> Bool {
        switch (a, b) {
        case let (.integer(x), .integer(y)): return x < y
        case let (.real(x), .real(y)): return x < y
        case let (.boolean(x), .boolean(y)): return !x && y
        case let (.string(x), .string(y)): return ByteOrder.less(x, y)
        case let (.uuid(x), .uuid(y)): return x < y
        case let (.namedUUID(x), .namedUUID(y)): return ByteOrder.less(x, y)
        case (.namedUUID, .uuid): return false
        case (.uuid, .namedUUID): return true
        default: return a.type.rawValue < b.type.rawValue
        }
    }

    public static func == (a: Atom, b: Atom) -> Bool {
        switch (a, b) {
        case let (.integer(x), .integer(y)): return x == y
        case let (.real(x), .real(y)): return x == y
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.string(x), .string(y)): return ByteOrder.equal(x, y)
        case let (.uuid(x), .uuid(y)): return x == y
        case let (.namedUUID(x), .namedUUID(y)): return x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .integer(let i): hasher.combine(0); hasher.combine(i)
        case .real(let d): hasher.combine(1); hasher.combine(d)
        case .boolean(let b): hasher.combine(2); hasher.combine(b)
        case .string(let s):
            hasher.combine(3)
            var copy = s
            copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        case .uuid(let u): hasher.combine(4); hasher.combine(u)
        case .namedUUID(let n): hasher.combine(5); hasher.combine(n)
        }
    }
}

extension Atom: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}
