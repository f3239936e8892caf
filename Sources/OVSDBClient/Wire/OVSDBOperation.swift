/// What a `wait` operation waits for.
public enum WaitUntil: String, Sendable, Hashable {
    case equal = "=="
    case notEqual = "!="
}

/// One operation of a `transact` request (RFC 7047 section 5.2, with Open vSwitch's explicit
/// `uuid` on insert).
public enum OVSDBOperation: Sendable, Hashable {
    case insert(table: String, row: Row, uuidName: String? = nil, uuid: OVSDBUUID? = nil)
    case select(table: String, where: Condition, columns: [String]? = nil)
    case update(table: String, where: Condition, row: Row)
    case mutate(table: String, where: Condition, mutations: [Mutation])
    case delete(table: String, where: Condition)
    case wait(table: String, where: Condition, columns: [String], until: WaitUntil, rows: [Row], timeout: Int? = nil)
    case commit(durable: Bool)
    case abort
    case comment(String)
    case assert(lock: String)

    public var name: String {
        switch self {
        case .insert: return "insert"
        case .select: return "select"
        case .update: return "update"
        case .mutate: return "mutate"
        case .delete: return "delete"
        case .wait: return "wait"
        case .commit: return "commit"
        case .abort: return "abort"
        case .comment: return "comment"
        case .assert: return "assert"
        }
    }

    public var table: String? {
        switch self {
        case .insert(let t, _, _, _), .select(let t, _, _), .update(let t, _, _), .mutate(let t, _, _),
             .delete(let t, _), .wait(let t, _, _, _, _, _):
            return t
        default:
            return nil
        }
    }

    /// Whether the operation can change the database (used to count writes).
    public var isWrite: Bool {
        switch self {
        case .insert, .update, .mutate, .delete: return true
        default: return false
        }
    }

    public var json: JSON {
        var o: [String: JSON] = ["op": .string(name)]
        switch self {
        case .insert(let table, let row, let uuidName, let uuid):
            o["table"] = .string(table)
            o["row"] = row.json
            if let uuidName { o["uuid-name"] = .string(uuidName) }
            // Open vSwitch takes the explicit UUID as a plain string, not ["uuid", ...].
            if let uuid { o["uuid"] = .string(uuid.description) }
        case .select(let table, let condition, let columns):
            o["table"] = .string(table)
            o["where"] = condition.json
            if let columns { o["columns"] = .array(columns.map(JSON.string)) }
        case .update(let table, let condition, let row):
            o["table"] = .string(table)
            o["where"] = condition.json
            o["row"] = row.json
        case .mutate(let table, let condition, let mutations):
            o["table"] = .string(table)
            o["where"] = condition.json
            o["mutations"] = .array(mutations.map(\.json))
        case .delete(let table, let condition):
            o["table"] = .string(table)
            o["where"] = condition.json
        case .wait(let table, let condition, let columns, let until, let rows, let timeout):
            o["table"] = .string(table)
            o["where"] = condition.json
            o["columns"] = .array(columns.map(JSON.string))
            o["until"] = .string(until.rawValue)
            o["rows"] = .array(rows.map(\.json))
            if let timeout { o["timeout"] = .integer(Int64(timeout)) }
        case .commit(let durable):
            o["durable"] = .bool(durable)
        case .abort:
            break
        case .comment(let text):
            o["comment"] = .string(text)
        case .assert(let lock):
            o["lock"] = .string(lock)
        }
        return .object(o)
    }

    /// Checks the operation against the schema before it is sent: tables, columns, types,
    /// constraints and mutability, with errors naming table and column.
    public func validate(against schema: DatabaseSchema) throws(OVSDBError) {
        guard let tableName = table else { return }
        let t = try schema.table(tableName)
        func check(_ row: Row, forInsert: Bool) throws(OVSDBError) {
            for (name, datum) in row.entries {
                guard let c = t.columns[name] else {
                    throw OVSDBError(tag: "unknown column", details: "No column \(name) in table \(tableName).", table: tableName, column: name)
                }
                if !forInsert, !c.isMutable {
                    throw OVSDBError(tag: "constraint violation", details: "Cannot update immutable column \(name) in table \(tableName).", table: tableName, column: name)
                }
                do { try datum.check(c.type) } catch { throw error.located(table: tableName, column: name) }
            }
        }
        func check(_ condition: Condition) throws(OVSDBError) {
            for clause in condition.clauses {
                guard case .compare(let name, _, _) = clause else { continue }
                if t.column(name) == nil {
                    throw OVSDBError(tag: "unknown column", details: "No column \(name) in table \(tableName).", table: tableName, column: name)
                }
            }
        }
        switch self {
        case .insert(_, let row, _, _): try check(row, forInsert: true)
        case .update(_, let condition, let row): try check(condition); try check(row, forInsert: false)
        case .select(_, let condition, _), .delete(_, let condition): try check(condition)
        case .wait(_, let condition, _, _, _, _): try check(condition)
        case .mutate(_, let condition, let mutations):
            try check(condition)
            for m in mutations {
                guard let c = t.columns[m.column] else {
                    throw OVSDBError(tag: "unknown column", details: "No column \(m.column) in table \(tableName).", table: tableName, column: m.column)
                }
                if !c.isMutable {
                    throw OVSDBError(tag: "constraint violation", details: "Cannot mutate immutable column \(m.column) in table \(tableName).", table: tableName, column: m.column)
                }
            }
        default: break
        }
    }
}

/// The result of one operation in a transaction.
public struct OperationResult: Sendable, Hashable {
    /// Insert: the new row's UUID.
    public var uuid: OVSDBUUID?
    /// Select: the rows.
    public var rows: [Row]?
    /// Update, mutate, delete: how many rows matched.
    public var count: Int?
    /// Set when this operation (or the commit) failed.
    public var error: OVSDBError?

    public init(uuid: OVSDBUUID? = nil, rows: [Row]? = nil, count: Int? = nil, error: OVSDBError? = nil) {
        self.uuid = uuid
        self.rows = rows
        self.count = count
        self.error = error
    }

    /// Reads one element of a transact reply. Rows are typed by `table` when given; otherwise
    /// their values are read without a schema.
    public init(json: JSON, table: TableSchema?) throws(OVSDBError) {
        guard case .object(let o) = json else {
            self.init()
            return
        }
        if o["error"] != nil, let e = OVSDBError(json: json) {
            self.init(error: e)
            return
        }
        var result = OperationResult()
        if let u = o["uuid"] {
            guard case .uuid(let uuid) = try Atom(json: u, type: .uuid) else { throw .syntaxError(u, "expected uuid") }
            result.uuid = uuid
        }
        if let c = o["count"]?.integerValue { result.count = Int(c) }
        if let rowsJSON = o["rows"]?.arrayValue {
            var rows: [Row] = []
            rows.reserveCapacity(rowsJSON.count)
            for r in rowsJSON {
                if let table {
                    rows.append(try Row(json: r, table: table, ignoreUnknownColumns: true))
                } else {
                    rows.append(try Row(untypedJSON: r))
                }
            }
            result.rows = rows
        }
        self = result
    }
}

extension Row {
    /// Reads a row without a schema: each value's type is taken from its JSON form.
    public init(untypedJSON json: JSON) throws(OVSDBError) {
        guard case .object(let o) = json else { throw .syntaxError(json, "Parsing row failed: Object expected.") }
        var columns: [String: Datum] = [:]
        for (k, v) in o { columns[k] = try Datum(untypedJSON: v) }
        self.init(columns)
    }
}

extension Datum {
    /// Reads a value without a schema, inferring each atom's type from its JSON form.
    public init(untypedJSON json: JSON) throws(OVSDBError) {
        func atom(_ j: JSON) throws(OVSDBError) -> Atom {
            switch j {
            case .integer(let i): return .integer(i)
            case .real(let d): return .real(d)
            case .bool(let b): return .boolean(b)
            case .string(let s): return .string(s)
            default: return try Atom(json: j, type: .uuid, allowNamedUUID: true)
            }
        }
        if case .array(let a) = json, a.count == 2, a[0] == "map", case .array(let pairs) = a[1] {
            var out: [(Atom, Atom)] = []
            for p in pairs {
                guard case .array(let kv) = p, kv.count == 2 else { throw .syntaxError(p, "expected 2-element array") }
                out.append((try atom(kv[0]), try atom(kv[1])))
            }
            self = try .map(out)
        } else if case .array(let a) = json, a.count == 2, a[0] == "set", case .array(let elements) = a[1] {
            var out: [Atom] = []
            for e in elements { out.append(try atom(e)) }
            self = try .set(out)
        } else {
            self = .scalar(try atom(json))
        }
    }
}
