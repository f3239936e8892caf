/// Builds one transaction from generated models. Rows are checked against the server's schema
/// before anything is sent, and columns or tables the server does not have (an older OVN) are
/// left out with a warning instead of failing the whole write.
///
/// ```swift
/// var txn = TypedTransaction(database: "OVN_Northbound", schema: schema)
/// let policy = txn.insert(LogicalRouterPolicy(action: .reroute, match: "ip4.src == 10.0.0.3", priority: 101))
/// txn.mutate(LogicalRouter.self, where: [.where(LogicalRouter.Column.name, .equal, "r1")],
///            [.insert("policies", Datum(scalar: policy))])
/// let results = try await connection.transact(txn)
/// ```
///
/// New rows get their UUID up front (Open vSwitch's explicit `uuid` on insert), so rows inserted
/// in one transaction can reference each other by plain UUID.
public struct TypedTransaction: Sendable {
    public let database: String
    public let schema: DatabaseSchema
    public private(set) var operations: [OVSDBOperation] = []
    /// What was left out for version skew, one line each.
    public private(set) var warnings: [String] = []
    /// Tables of the rows this transaction inserts, to check references between them.
    private var insertedTables: [OVSDBUUID: String] = [:]

    public init(database: String, schema: DatabaseSchema) {
        self.database = database
        self.schema = schema
    }

    /// Inserts `model`; returns the UUID it will have.
    @discardableResult
    public mutating func insert<M: OVSDBModel>(_ model: M) -> OVSDBUUID {
        let uuid = model.uuid ?? .random()
        insertedTables[uuid] = M.tableName
        if let row = serverRow(M.self, model.row(nil), operation: "insert") {
            operations.append(.insert(table: M.tableName, row: row, uuid: uuid))
        }
        return uuid
    }

    /// Writes `columns` of `model` to the row with its UUID.
    public mutating func update<M: OVSDBModel>(_ model: M, columns: Set<M.Column>) {
        guard let uuid = model.uuid else {
            warnings.append("update of \(M.tableName) without a uuid skipped")
            return
        }
        update(M.self, where: [.uuid(uuid)], model, columns: columns)
    }

    public mutating func update<M: OVSDBModel>(_ type: M.Type, where clauses: [Clause], _ model: M, columns: Set<M.Column>) {
        if let row = serverRow(M.self, model.row(columns), operation: "update") {
            operations.append(.update(table: M.tableName, where: Condition(clauses), row: row))
        }
    }

    public mutating func mutate<M: OVSDBModel>(_ type: M.Type, where clauses: [Clause], _ mutations: [Mutation]) {
        guard let table = schema.tables[M.tableName] else {
            warnings.append("table \(M.tableName) is not in the server's schema: mutate left out")
            return
        }
        let kept = mutations.filter { m in
            if table.columns[m.column] != nil { return true }
            warnings.append("column \(M.tableName).\(m.column) is not in the server's schema: mutation left out")
            return false
        }
        guard !kept.isEmpty else { return }
        operations.append(.mutate(table: M.tableName, where: Condition(clauses), mutations: kept))
    }

    public mutating func delete<M: OVSDBModel>(_ type: M.Type, where clauses: [Clause]) {
        operations.append(.delete(table: M.tableName, where: Condition(clauses)))
    }

    /// Fails the whole transaction unless the rows matching `clauses` have exactly `rows` in
    /// `columns`: the guard against a concurrent writer.
    public mutating func wait<M: OVSDBModel>(_ type: M.Type, where clauses: [Clause], columns: Set<M.Column>, until: WaitUntil = .equal, rows: [M], timeout: Int = 0) {
        let names = columns.map(\.rawValue).sorted()
        operations.append(.wait(table: M.tableName, where: Condition(clauses), columns: names, until: until,
                                rows: rows.map { $0.row(columns) }, timeout: timeout))
    }

    /// Adds a select; read its rows from the results with the returned handle.
    /// With `columns`, only those (and `_uuid`) are read; the model's other properties keep
    /// their defaults.
    public mutating func select<M: OVSDBModel>(_ type: M.Type, where clauses: [Clause] = [], columns: [M.Column]? = nil) -> SelectHandle<M> {
        operations.append(.select(table: M.tableName, where: Condition(clauses), columns: columns.map { ["_uuid"] + $0.map(\.rawValue) }))
        return SelectHandle(index: operations.count - 1)
    }

    public mutating func comment(_ text: String) {
        operations.append(.comment(text))
    }

    /// Operations that change the database (what "the second apply sends no write" counts).
    public var writeCount: Int { operations.filter(\.isWrite).count }

    /// Checks every operation against the server's schema, and that references to rows
    /// inserted here point to rows of the referenced table.
    public func validate() throws(OVSDBError) {
        for op in operations {
            try op.validate(against: schema)
            let row: Row
            switch op {
            case .insert(_, let r, _, _), .update(_, _, let r): row = r
            default: continue
            }
            guard let tableName = op.table, let table = schema.tables[tableName] else { continue }
            for (name, datum) in row.entries {
                guard let type = table.columns[name]?.type, type.key.refTable != nil || type.value?.refTable != nil else { continue }
                for (base, atoms) in [(type.key, datum.keys), (type.value, datum.values ?? [])] {
                    guard let ref = base?.refTable else { continue }
                    for case .uuid(let u) in atoms {
                        if let actual = insertedTables[u], actual != ref {
                            throw OVSDBError(tag: "referential integrity violation",
                                             details: "\(u) is a \(actual) row, but this column references \(ref)",
                                             table: tableName, column: name)
                        }
                    }
                }
            }
        }
    }

    private mutating func serverRow<M: OVSDBModel>(_ type: M.Type, _ row: Row, operation: String) -> Row? {
        guard let table = schema.tables[M.tableName] else {
            warnings.append("table \(M.tableName) is not in the server's schema: \(operation) left out")
            return nil
        }
        var out = row
        for name in row.names where table.columns[name] == nil {
            out[name] = nil
            warnings.append("column \(M.tableName).\(name) is not in the server's schema: left out of \(operation)")
        }
        return out
    }
}

/// Where a typed select's rows are in a transaction's results.
public struct SelectHandle<M: OVSDBModel>: Sendable {
    public let index: Int
}

/// The results of a typed transaction.
public struct TypedResults: Sendable {
    public private(set) var results: [OperationResult]

    public init(results: [OperationResult]) { self.results = results }

    public func rows<M: OVSDBModel>(_ handle: SelectHandle<M>) throws(OVSDBError) -> [M] {
        var out: [M] = []
        for row in results[handle.index].rows ?? [] { out.append(try M(row: row)) }
        return out
    }

    /// As `rows(_:)`, and the select's rows are dropped from `results` as they are typed: the
    /// rows and the models of a large select are never all held at once.
    public mutating func takeRows<M: OVSDBModel>(_ handle: SelectHandle<M>) throws(OVSDBError) -> [M] {
        var rows = results[handle.index].rows ?? []
        results[handle.index].rows = nil
        var out: [M] = []
        out.reserveCapacity(rows.count)
        // From the last, so each row is freed once its model is made.
        while let row = rows.popLast() { out.append(try M(row: row)) }
        out.reverse()
        return out
    }
}

extension OVSDBConnection {
    /// Runs a typed transaction (validated against its schema first).
    public func transact(_ transaction: TypedTransaction) async throws -> TypedResults {
        do { try transaction.validate() } catch { throw OVSDBClientError.invalidRequest(error) }
        return TypedResults(results: try await transact(transaction.database, transaction.operations, schema: transaction.schema))
    }
}
