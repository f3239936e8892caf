/// An atomic type with its constraints: the `<base-type>` of RFC 7047.
public struct BaseType: Sendable, Hashable {
    public enum ReferenceType: String, Sendable, Hashable { case strong, weak }

    public var type: AtomicType
    /// Allowed values, sorted (nil: any value).
    public var enumeration: [Atom]?
    public var minInteger: Int64 = .min
    public var maxInteger: Int64 = .max
    public var minReal: Double = -Double.greatestFiniteMagnitude
    public var maxReal: Double = Double.greatestFiniteMagnitude
    public var minLength: UInt32 = 0
    public var maxLength: UInt32 = .max
    public var refTable: String?
    public var refType: ReferenceType = .strong

    public init(_ type: AtomicType) {
        self.type = type
    }

    public static let integer = BaseType(.integer)
    public static let real = BaseType(.real)
    public static let boolean = BaseType(.boolean)
    public static let string = BaseType(.string)
    public static let uuid = BaseType(.uuid)

    public init(json: JSON) throws(OVSDBError) {
        if case .string = json {
            self.init(try AtomicType(json: json))
            return
        }
        var parser = try ObjectParser(json, name: "ovsdb type")
        self.init(try AtomicType(json: try parser.required("type", .string)))
        if let e = try parser.optional("enum", .any) {
            let enumType = ColumnType(key: BaseType(type), value: nil, min: 1, max: nil)
            enumeration = try Datum(json: e, type: enumType).keys
        }
        switch type {
        case .integer:
            if let v = try parser.optional("minInteger", .integer)?.integerValue { minInteger = v }
            if let v = try parser.optional("maxInteger", .integer)?.integerValue { maxInteger = v }
            if minInteger > maxInteger { throw .syntaxError(json, "minInteger exceeds maxInteger") }
        case .real:
            if let v = try parser.optional("minReal", .number) { minReal = v.numberValue! }
            if let v = try parser.optional("maxReal", .number) { maxReal = v.numberValue! }
            if minReal > maxReal { throw .syntaxError(json, "minReal exceeds maxReal") }
        case .string:
            minLength = try Self.length(parser.optional("minLength", .integer), "minLength", json) ?? 0
            maxLength = try Self.length(parser.optional("maxLength", .integer), "maxLength", json) ?? .max
            if minLength > maxLength { throw .syntaxError(json, "minLength exceeds maxLength") }
        case .uuid:
            if let t = try parser.optional("refTable", .id)?.stringValue {
                refTable = t
                if let r = try parser.optional("refType", .string)?.stringValue {
                    guard let rt = ReferenceType(rawValue: r) else {
                        throw .syntaxError(json, "refType must be \"strong\" or \"weak\" (not \"\(r)\")")
                    }
                    refType = rt
                }
            }
        case .boolean:
            break
        }
        try parser.finish()
    }

    /// A string length bound, or nil when the member is absent.
    private static func length(_ value: JSON?, _ name: String, _ json: JSON) throws(OVSDBError) -> UInt32? {
        guard let v = value?.integerValue else { return nil }
        guard v >= 0, v <= Int64(UInt32.max) else {
            throw .syntaxError(json, "\(name) out of valid range 0 to \(UInt32.max)")
        }
        return UInt32(v)
    }

    public var hasConstraints: Bool {
        enumeration != nil || minInteger != .min || maxInteger != .max
            || minReal != -Double.greatestFiniteMagnitude || maxReal != Double.greatestFiniteMagnitude
            || minLength != 0 || maxLength != .max || refTable != nil
    }

    /// The same type without constraints (what arithmetic mutation arguments are parsed as).
    var unconstrained: BaseType { BaseType(type) }

    public var json: JSON {
        guard hasConstraints else { return type.json }
        var o: [String: JSON] = ["type": type.json]
        if let enumeration {
            o["enum"] = Datum(sortedKeys: enumeration).json
        }
        if minInteger != .min { o["minInteger"] = .integer(minInteger) }
        if maxInteger != .max { o["maxInteger"] = .integer(maxInteger) }
        if minReal != -Double.greatestFiniteMagnitude { o["minReal"] = .real(minReal) }
        if maxReal != Double.greatestFiniteMagnitude { o["maxReal"] = .real(maxReal) }
        if minLength != 0 { o["minLength"] = .integer(Int64(minLength)) }
        if maxLength != .max { o["maxLength"] = .integer(Int64(maxLength)) }
        if let refTable {
            o["refTable"] = .string(refTable)
            if refType == .weak { o["refType"] = "weak" }
        }
        return .object(o)
    }
}

extension JSON {
    var numberValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        default: return nil
        }
    }
}
