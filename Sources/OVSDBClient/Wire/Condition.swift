/// The comparison functions of RFC 7047 conditions.
public enum ConditionFunction: String, Sendable, Hashable, CaseIterable {
    case lessThan = "<"
    case lessOrEqual = "<="
    case equal = "=="
    case notEqual = "!="
    case greaterOrEqual = ">="
    case greaterThan = ">"
    case includes
    case excludes

    /// Open vSwitch's canonical clause order.
    var sortRank: Int {
        switch self {
        case .equal: return 2
        case .includes: return 3
        case .lessOrEqual: return 4
        case .lessThan: return 5
        case .greaterOrEqual: return 6
        case .greaterThan: return 7
        case .excludes: return 8
        case .notEqual: return 9
        }
    }

    var isOrdering: Bool {
        switch self {
        case .lessThan, .lessOrEqual, .greaterThan, .greaterOrEqual: return true
        default: return false
        }
    }
}

/// One clause: `[column, function, value]`, or the boolean literals Open vSwitch accepts.
public enum Clause: Sendable, Hashable {
    case literal(Bool)
    case compare(column: String, function: ConditionFunction, value: Datum)

    public static func column(_ name: String, _ function: ConditionFunction, _ value: Datum) -> Clause {
        .compare(column: name, function: function, value: value)
    }

    public var json: JSON {
        switch self {
        case .literal(let b): return .bool(b)
        case .compare(let column, let function, let value):
            return .array([.string(column), .string(function.rawValue), value.json])
        }
    }

    /// Reads and type-checks a clause against `table`.
    public init(json: JSON, table: TableSchema, allowNamedUUID: Bool = false) throws(OVSDBError) {
        if case .bool(let b) = json {
            self = .literal(b)
            return
        }
        guard case .array(let a) = json, a.count == 3, let columnName = a[0].stringValue, let functionName = a[1].stringValue else {
            throw .syntaxError(json, "Parse error in condition.")
        }
        guard let column = table.column(columnName) else {
            throw .syntaxError(json, tag: "unknown column", "No column \(columnName) in table \(table.name).")
        }
        guard let function = ConditionFunction(rawValue: functionName) else {
            throw OVSDBError(tag: "unknown function", details: "No function named \(functionName).")
        }
        var type = column.type
        switch function {
        case .lessThan, .lessOrEqual, .greaterThan, .greaterOrEqual:
            let numeric = type.key.type == .integer || type.key.type == .real
            guard numeric, type.isScalar || type.isOptionalScalar else {
                throw .syntaxError(json, "Type mismatch: \"\(functionName)\" operator may not be applied to column \(columnName) of type \(type.english).")
            }
            // The argument of an ordering is one number, even for an optional column.
            type.min = 1
        case .equal, .notEqual:
            break
        case .includes:
            if !type.isScalar { type.min = 0 }
        case .excludes:
            if !type.isScalar {
                type.min = 0
                type.max = nil
            }
        }
        let value = try Datum(json: a[2], type: type, allowNamedUUID: allowNamedUUID)
        self = .compare(column: columnName, function: function, value: value)
    }

    /// Evaluates the clause against a row's value of its column.
    public func evaluate(_ field: Datum?) -> Bool {
        switch self {
        case .literal(let b):
            return b
        case .compare(_, let function, let arg):
            let field = field ?? .emptySet
            switch function {
            case .equal: return field == arg
            case .notEqual: return field != arg
            case .includes: return field.includes(arg)
            case .excludes: return field.excludes(arg)
            case .lessThan, .lessOrEqual, .greaterThan, .greaterOrEqual:
                guard let a = field.first, let b = arg.first else { return false }
                switch function {
                case .lessThan: return a < b
                case .lessOrEqual: return a < b || a == b
                case .greaterThan: return b < a
                default: return b < a || a == b
                }
            }
        }
    }

    fileprivate var sortKey: (Int, String) {
        switch self {
        case .literal(let b): return (b ? 1 : 0, "")
        case .compare(let c, let f, _): return (f.sortRank, c)
        }
    }
}

/// A condition: the conjunction of its clauses (RFC 7047 `where`).
public struct Condition: Sendable, Hashable {
    public var clauses: [Clause]

    public init(_ clauses: [Clause]) {
        self.clauses = clauses
    }

    public static let all = Condition([])

    public var json: JSON { .array(clauses.map(\.json)) }

    public init(json: JSON, table: TableSchema, allowNamedUUID: Bool = false) throws(OVSDBError) {
        guard case .array(let a) = json else {
            throw .syntaxError(json, "Parse error in condition.")
        }
        var clauses: [Clause] = []
        for c in a { clauses.append(try Clause(json: c, table: table, allowNamedUUID: allowNamedUUID)) }
        self.clauses = clauses
    }

    /// Clauses in Open vSwitch's canonical order: by function, column, then value.
    public var sorted: Condition {
        Condition(clauses.sorted { a, b in
            let ka = a.sortKey
            let kb = b.sortKey
            if ka.0 != kb.0 { return ka.0 < kb.0 }
            if ka.1 != kb.1 { return Self.columnPrecedes(ka.1, kb.1) }
            if case .compare(_, _, let va) = a, case .compare(_, _, let vb) = b { return va < vb }
            return false
        })
    }

    private static func columnPrecedes(_ a: String, _ b: String) -> Bool {
        let ia = a.hasPrefix("_"), ib = b.hasPrefix("_")
        if ia != ib { return ia }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// True when every clause holds for `row` (an empty condition matches every row).
    public func matches(_ row: Row) -> Bool {
        clauses.allSatisfy { clause in
            if case .compare(let column, _, _) = clause { return clause.evaluate(row[column]) }
            return clause.evaluate(nil)
        }
    }

    /// True when any clause holds (monitor_cond's disjunctive semantics).
    public func matchesAny(_ row: Row) -> Bool {
        clauses.contains { clause in
            if case .compare(let column, _, _) = clause { return clause.evaluate(row[column]) }
            return clause.evaluate(nil)
        }
    }
}
