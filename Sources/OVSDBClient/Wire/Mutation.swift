/// The mutators of RFC 7047.
public enum Mutator: String, Sendable, Hashable, CaseIterable {
    case add = "+="
    case subtract = "-="
    case multiply = "*="
    case divide = "/="
    case modulo = "%="
    case insert
    case delete

    var isArithmetic: Bool { self != .insert && self != .delete }
}

/// One mutation: `[column, mutator, value]`.
public struct Mutation: Sendable, Hashable {
    public var column: String
    public var mutator: Mutator
    public var value: Datum

    public init(column: String, mutator: Mutator, value: Datum) {
        self.column = column
        self.mutator = mutator
        self.value = value
    }

    public static func insert(_ column: String, _ value: Datum) -> Mutation {
        Mutation(column: column, mutator: .insert, value: value)
    }

    public static func delete(_ column: String, _ value: Datum) -> Mutation {
        Mutation(column: column, mutator: .delete, value: value)
    }

    public var json: JSON {
        .array([.string(column), .string(mutator.rawValue), value.json])
    }

    /// Reads and type-checks a mutation against `table`.
    public init(json: JSON, table: TableSchema, allowNamedUUID: Bool = false) throws(OVSDBError) {
        guard case .array(let a) = json, a.count == 3, let columnName = a[0].stringValue, let mutatorName = a[1].stringValue else {
            throw .syntaxError(json, "Parse error in mutation.")
        }
        guard let column = table.column(columnName) else {
            throw .syntaxError(json, tag: "unknown column", "No column \(columnName) in table \(table.name).")
        }
        guard column.isMutable, column.name != "_uuid", column.name != "_version" else {
            throw .syntaxError(json, tag: "constraint violation", "Cannot mutate immutable column \(columnName) in table \(table.name).")
        }
        guard let mutator = Mutator(rawValue: mutatorName) else {
            throw OVSDBError(tag: "unknown mutator", details: "No mutator named \(mutatorName).")
        }
        var type = column.type
        let mismatch = OVSDBError.syntaxError(json, "Type mismatch: \"\(mutatorName)\" operator may not be applied to column \(columnName) of type \(type.english).")
        if mutator.isArithmetic {
            let keyOK = type.key.type == .integer || (type.key.type == .real && mutator != .modulo)
            guard keyOK, type.value == nil else { throw mismatch }
            // The argument need not satisfy the column's constraints; the result must.
            type = ColumnType(key: type.key.unconstrained)
            value = try Datum(json: a[2], type: type, allowNamedUUID: allowNamedUUID)
        } else {
            guard !type.isScalar else { throw mismatch }
            type.min = 0
            if mutator == .delete { type.max = nil }
            do {
                value = try Datum(json: a[2], type: type, allowNamedUUID: allowNamedUUID)
            } catch {
                // A map's delete also takes a set of keys.
                guard mutator == .delete, type.isMap else { throw error }
                type.value = nil
                value = try Datum(json: a[2], type: type, allowNamedUUID: allowNamedUUID)
            }
        }
        self.column = columnName
        self.mutator = mutator
    }

    /// Applies the mutation to `datum`, a value of a column of `type`; the result is checked
    /// against the column's constraints as the server would.
    public func apply(to datum: Datum, type: ColumnType) throws(OVSDBError) -> Datum {
        let result: Datum
        switch mutator {
        case .insert:
            result = datum.union(value)
        case .delete:
            result = datum.subtracting(value, matchValues: value.isMap)
        default:
            guard let operand = value.keys.first else { return datum }
            let mapped = try datum.mapKeys { (atom: Atom) throws(OVSDBError) -> Atom in try self.arithmetic(atom, operand) }
            for i in mapped.keys.indices.dropFirst() where mapped.keys[i - 1] == mapped.keys[i] {
                throw .constraint("Result of \"\(mutator.rawValue)\" operation contains duplicates.")
            }
            result = mapped
        }
        if result.count < type.min || result.count > type.maxCount {
            throw .constraint("Attempted to store \(result.count) elements in \(type.english).")
        }
        for k in result.keys { try k.check(type.key) }
        if let vt = type.value, let values = result.values { for v in values { try v.check(vt) } }
        return result
    }

    private func arithmetic(_ atom: Atom, _ operand: Atom) throws(OVSDBError) -> Atom {
        let rangeError = OVSDBError(tag: "range error", details: "Result of \"\(mutator.rawValue)\" operation is out of range.")
        let divisionByZero = OVSDBError(tag: "domain error", details: "Division by zero.")
        switch (atom, operand) {
        case let (.integer(x), .integer(y)):
            let (r, overflow): (Int64, Bool)
            switch mutator {
            case .add: (r, overflow) = x.addingReportingOverflow(y)
            case .subtract: (r, overflow) = x.subtractingReportingOverflow(y)
            case .multiply: (r, overflow) = x.multipliedReportingOverflow(by: y)
            case .divide:
                guard y != 0 else { throw divisionByZero }
                (r, overflow) = x.dividedReportingOverflow(by: y)
            case .modulo:
                guard y != 0 else { throw divisionByZero }
                (r, overflow) = x.remainderReportingOverflow(dividingBy: y)
            default: return atom
            }
            if overflow { throw rangeError }
            return .integer(r)
        case let (.real(x), .real(y)):
            let r: Double
            switch mutator {
            case .add: r = x + y
            case .subtract: r = x - y
            case .multiply: r = x * y
            case .divide:
                guard y != 0 else { throw divisionByZero }
                r = x / y
            default: return atom
            }
            guard r.isFinite else { throw rangeError }
            return .real(r == 0 ? 0 : r)
        default:
            return atom
        }
    }
}
