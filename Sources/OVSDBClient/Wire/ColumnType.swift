/// A column's type: key, optional value (a map), and how many elements (`<type>` of RFC 7047).
public struct ColumnType: Sendable, Hashable {
    public var key: BaseType
    public var value: BaseType?
    public var min: Int
    /// nil means "unlimited".
    public var max: Int?

    public init(key: BaseType, value: BaseType? = nil, min: Int = 1, max: Int? = 1) {
        self.key = key
        self.value = value
        self.min = min
        self.max = max
    }

    public var isMap: Bool { value != nil }
    public var isScalar: Bool { value == nil && min == 1 && max == 1 }
    public var isOptionalScalar: Bool { value == nil && min == 0 && max == 1 }
    public var isSet: Bool { value == nil && !isScalar }

    /// Largest element count; unlimited is UInt32.max as in Open vSwitch's messages.
    public var maxCount: Int { max ?? Int(UInt32.max) }

    public init(json: JSON) throws(OVSDBError) {
        if case .string = json {
            self.init(key: try BaseType(json: json))
            return
        }
        var parser = try ObjectParser(json, name: "ovsdb type")
        let key = try BaseType(json: try parser.required("key", .any))
        let value = try parser.optional("value", .any).map { (j: JSON) throws(OVSDBError) in try BaseType(json: j) }
        let minJSON = try parser.optional("min", .integer)
        let maxJSON = try parser.optional("max", .any)
        try parser.finish()
        var max: Int? = 1
        if let maxJSON {
            if maxJSON == .string("unlimited") {
                max = nil
            } else {
                max = try Self.count(maxJSON)
            }
        }
        let min = try minJSON.map { (j: JSON) throws(OVSDBError) in try Self.count(j) } ?? 1
        self.init(key: key, value: value, min: min, max: max)
        guard min <= 1, max.map({ $0 >= 1 && $0 >= min }) ?? true else {
            throw .syntaxError(json, "ovsdb type fails constraint checks")
        }
    }

    private static func count(_ json: JSON) throws(OVSDBError) -> Int {
        guard let n = json.integerValue, n >= 0, n < Int64(UInt32.max) else {
            throw .syntaxError(json, "bad min or max value")
        }
        return Int(n)
    }

    public var json: JSON {
        if isScalar, !key.hasConstraints { return key.json }
        var o: [String: JSON] = ["key": key.json]
        if let value { o["value"] = value.json }
        if min != 1 { o["min"] = .integer(Int64(min)) }
        if max != 1 { o["max"] = max.map { .integer(Int64($0)) } ?? "unlimited" }
        return .object(o)
    }

    /// The type in words, as Open vSwitch writes it in type-mismatch messages.
    public var english: String {
        if isScalar { return key.type.rawValue }
        var s = value == nil ? "set" : "map"
        if let max {
            s += min > 0 ? " of \(min) to \(max)" : " of up to \(max)"
        } else {
            s += min > 0 ? " of \(min) or more" : " of"
        }
        if let value {
            s += " (\(key.type.rawValue), \(value.type.rawValue)) pairs"
        } else {
            s += " \(key.type.rawValue)s"
        }
        return s
    }
}
