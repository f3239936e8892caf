/// The replica's data, without I/O: the tables the monitors asked for, updated by applying
/// monitor replies and notifications. Each apply is all or nothing: an update that does not
/// fit (a modify of an unknown row, a bad diff) leaves the store unchanged and throws, and
/// the replica then resyncs.
public struct ReplicaStore: Sendable {
    public private(set) var schema: DatabaseSchema
    public private(set) var tables: [String: ReplicaTable]
    /// The monitors, by index: each covers some tables.
    public let monitors: [[MonitorRequest]]

    public enum StoreError: Error, Sendable, CustomStringConvertible {
        case unknownTable(String)
        case unknownColumn(table: String, column: String)
        case tooManyMonitors
        case inconsistent(String)
        public var description: String {
            switch self {
            case .unknownTable(let t): return "no table \(t) in the schema"
            case .unknownColumn(let t, let c): return "no column \(c) in table \(t)"
            case .tooManyMonitors: return "at most 64 monitors per replica"
            case .inconsistent(let why): return "update does not fit the replica: \(why)"
            }
        }
    }

    public init(schema: DatabaseSchema, monitors: [[MonitorRequest]], indexes: [ReplicaIndex] = []) throws(StoreError) {
        guard monitors.count <= 64 else { throw .tooManyMonitors }
        self.schema = schema
        self.monitors = monitors
        var columnsByTable: [String: Set<String>] = [:]
        var monitorCount: [String: Int] = [:]
        for requests in monitors {
            var seen = Set<String>()
            for r in requests {
                guard let t = schema.tables[r.table] else { throw .unknownTable(r.table) }
                let names = r.columns ?? t.columnNames
                for n in names where t.columns[n] == nil { throw .unknownColumn(table: r.table, column: n) }
                columnsByTable[r.table, default: []].formUnion(names)
                if seen.insert(r.table).inserted { monitorCount[r.table, default: 0] += 1 }
            }
        }
        var tables: [String: ReplicaTable] = [:]
        for (name, columns) in columnsByTable {
            let t = schema.tables[name]!
            var declared = indexes.filter { $0.table == name }
            for unique in t.indexes where !declared.contains(where: { $0.key == .columns(unique) }) {
                declared.append(ReplicaIndex(table: name, key: .columns(unique)))
            }
            for i in declared {
                if case .columns(let cs) = i.key, let missing = cs.first(where: { !columns.contains($0) }) {
                    throw .unknownColumn(table: name, column: missing)
                }
            }
            tables[name] = ReplicaTable(schema: t, columns: columns.sorted().map { t.columns[$0]! },
                                        indexes: declared, sharedByMonitors: (monitorCount[name] ?? 0) > 1)
        }
        for i in indexes where tables[i.table] == nil { throw .unknownTable(i.table) }
        self.tables = tables
    }

    public subscript(table: String) -> ReplicaTable? { tables[table] }

    /// Applies updates from `monitor` (its reply or a notification) and returns the changes.
    /// Every row's outcome is worked out before anything changes, so a failure leaves the
    /// store as it was without copying it.
    public mutating func apply(_ updates: TableUpdates, monitor: Int) throws(StoreError) -> [ReplicaChange] {
        var steps: [(table: String, uuid: OVSDBUUID, old: Row?, new: Row?)] = []
        for (name, rows) in updates.tables.sorted(by: { $0.key < $1.key }) {
            guard let table = tables[name] else { throw .unknownTable(name) }
            steps.reserveCapacity(steps.count + rows.count)
            // A (re)sync into an empty table: one allocation instead of a rehash at each doubling.
            if table.count == 0 { tables[name]!.reserveCapacity(rows.count) }
            for (uuid, update) in rows {
                steps.append((name, uuid, table[uuid], try Self.outcome(of: update, uuid: uuid, in: table)))
            }
        }
        var changes: [ReplicaChange] = []
        changes.reserveCapacity(steps.count)
        for s in steps {
            if let new = s.new {
                _ = tables[s.table]!.put(s.uuid, new, monitor: monitor)
                if let old = s.old {
                    if old != new { changes.append(.modify(table: s.table, uuid: s.uuid, old: old, new: new)) }
                } else {
                    changes.append(.insert(table: s.table, uuid: s.uuid, new: new))
                }
            } else if let old = tables[s.table]!.release(s.uuid, monitor: monitor) {
                changes.append(.delete(table: s.table, uuid: s.uuid, old: old))
            }
        }
        return changes
    }

    /// Replaces every row `monitor` holds with `initial` (a resync after reconnecting, when the
    /// server no longer had the transaction asked for), returning only the real differences.
    public mutating func resync(_ initial: TableUpdates, monitor: Int) throws(StoreError) -> [ReplicaChange] {
        for (name, rows) in initial.tables {
            guard tables[name] != nil else { throw .unknownTable(name) }
            for (uuid, update) in rows {
                switch update {
                case .initial, .insert: continue
                default: throw .inconsistent("row \(uuid) of table \(name) in a monitor reply is not an initial row")
                }
            }
        }
        var before: [String: [OVSDBUUID: Row]] = [:]
        for r in monitors[monitor] where before[r.table] == nil {
            guard let t = tables[r.table] else { continue }
            var rows: [OVSDBUUID: Row] = [:]
            for u in t.uuids(heldBy: monitor) {
                rows[u] = t[u]
                _ = tables[r.table]!.release(u, monitor: monitor)
            }
            before[r.table] = rows
        }
        let applied = try apply(initial, monitor: monitor)
        // The first sync: nothing was held, so every row is an insert, as apply reported.
        if before.values.allSatisfy(\.isEmpty) { return applied }
        var changes: [ReplicaChange] = []
        for (name, oldRows) in before.sorted(by: { $0.key < $1.key }) {
            let t = tables[name]!
            for (u, old) in oldRows.sorted(by: { $0.key < $1.key }) {
                if let new = t[u] {
                    if new != old { changes.append(.modify(table: name, uuid: u, old: old, new: new)) }
                } else {
                    changes.append(.delete(table: name, uuid: u, old: old))
                }
            }
            for u in t.uuids(heldBy: monitor).sorted() where oldRows[u] == nil {
                changes.append(.insert(table: name, uuid: u, new: t[u]!))
            }
        }
        return changes
    }

    /// The row after `update`, or nil when the update removes it from this monitor.
    private static func outcome(of update: RowUpdate, uuid: OVSDBUUID, in table: ReplicaTable) throws(StoreError) -> Row? {
        let name = table.schema.name
        let current = table[uuid]
        switch update {
        case .initial(let row), .insert(let row):
            var new = table.completed(row)
            if let current {
                // Another monitor holds it too: keep the columns only that one asked for.
                for (k, v) in current.entries where row[k] == nil { new[k] = v }
            }
            return new
        case .modify(let diff):
            guard let current else { throw .inconsistent("modify of row \(uuid) that table \(name) does not hold") }
            var new = current
            for (column, d) in diff.entries {
                guard let type = table.schema.columns[column]?.type, let old = current[column] else {
                    throw .inconsistent("modify of column \(column), which table \(name) does not replicate")
                }
                do {
                    new[column] = try old.applyingUpdate2(d, type: type)
                } catch {
                    throw .inconsistent("row \(uuid) column \(column): \(error)")
                }
            }
            return new
        case .replace(let changed):
            guard let current else { throw .inconsistent("update of row \(uuid) that table \(name) does not hold") }
            var new = current
            for (k, v) in changed.entries { new[k] = v }
            return new
        case .delete:
            guard current != nil else { throw .inconsistent("delete of row \(uuid) that table \(name) does not hold") }
            return nil
        }
    }
}

extension ReplicaStore {
    /// This (empty) store holding the rows of `old`, a store of an earlier schema: columns the
    /// new schema dropped are dropped, new ones take their defaults. A resync then reports
    /// only what really differs.
    func migrating(from old: ReplicaStore) -> ReplicaStore {
        var out = self
        for (name, oldTable) in old.tables {
            guard out.tables[name] != nil else { continue }
            let keep = Set(out.tables[name]!.columns.map(\.name))
            for m in 0..<monitors.count where m < old.monitors.count {
                for u in oldTable.uuids(heldBy: m) {
                    guard let row = oldTable[u] else { continue }
                    var r = Row()
                    for (k, v) in row.entries where keep.contains(k) { r[k] = v }
                    _ = out.tables[name]!.put(u, out.tables[name]!.completed(r), monitor: m)
                }
            }
        }
        return out
    }
}
