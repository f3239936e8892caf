/// What to monitor in one table: a `<monitor-cond-request>` (Open vSwitch's extension of RFC
/// 7047's `<monitor-request>` with a `where` condition).
public struct MonitorRequest: Sendable, Hashable {
    public var table: String
    /// nil: every column of the table.
    public var columns: [String]?
    /// nil: every row. Only `monitor_cond` and `monitor_cond_since` can filter rows.
    /// ovsdb-server keeps a row when **any** clause holds (a disjunction, unlike `select`'s
    /// `where`); `[false]` selects nothing.
    public var condition: Condition?
    public var select: Select

    public struct Select: Sendable, Hashable {
        public var initial = true
        public var insert = true
        public var delete = true
        public var modify = true
        public init(initial: Bool = true, insert: Bool = true, delete: Bool = true, modify: Bool = true) {
            self.initial = initial
            self.insert = insert
            self.delete = delete
            self.modify = modify
        }
        public static let all = Select()
    }

    public init(table: String, columns: [String]? = nil, condition: Condition? = nil, select: Select = .all) {
        self.table = table
        self.columns = columns
        self.condition = condition
        self.select = select
    }

    public func json(withCondition: Bool) -> JSON {
        var o: [String: JSON] = [:]
        if let columns { o["columns"] = .array(columns.map { .string($0) }) }
        if withCondition, let condition { o["where"] = condition.json }
        if select != .all {
            o["select"] = ["initial": .bool(select.initial), "insert": .bool(select.insert),
                           "delete": .bool(select.delete), "modify": .bool(select.modify)]
        }
        return .object(o)
    }
}

/// The monitor methods, best first. The client uses the best the server offers.
public enum MonitorMethod: String, Sendable, CaseIterable {
    case monitorCondSince = "monitor_cond_since"
    case monitorCond = "monitor_cond"
    case monitor

    var supportsConditions: Bool { self != .monitor }
    var updateVersion: TableUpdates.Version { self == .monitor ? .update : .update2 }
}

/// The reply to a monitor request.
public struct MonitorReply: Sendable {
    public var method: MonitorMethod
    /// `monitor_cond_since` only: whether the server still had the asked-for transaction, in
    /// which case `updates` holds only what changed since.
    public var found: Bool
    /// `monitor_cond_since` only: the id of the last transaction the reply includes (all zero
    /// on a standalone server, which keeps no transaction history).
    public var lastTransactionID: OVSDBUUID?
    public var updates: TableUpdates

    public init(method: MonitorMethod, result: JSON, schema: DatabaseSchema) throws(OVSDBError) {
        self.method = method
        switch method {
        case .monitorCondSince:
            guard case .array(let parts) = result, parts.count == 3, let found = parts[0].boolValue,
                  let idText = parts[1].stringValue, let id = OVSDBUUID(idText) else {
                throw .syntaxError(result, "monitor_cond_since reply must be [found, last-txn-id, updates]")
            }
            self.found = found
            lastTransactionID = id
            updates = try TableUpdates(json: parts[2], version: .update2, schema: schema)
        case .monitorCond, .monitor:
            found = false
            lastTransactionID = nil
            updates = try TableUpdates(json: result, version: method.updateVersion, schema: schema)
        }
    }
}
