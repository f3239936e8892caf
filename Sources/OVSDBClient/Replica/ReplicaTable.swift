/// The replicated rows of one table, by UUID, with their indexes.
public struct ReplicaTable: Sendable {
    public let schema: TableSchema
    /// The columns replicated: a row always has a value for each (defaults filled in).
    public let columns: [ColumnSchema]
    let shape: RowShape
    public private(set) var rows: [OVSDBUUID: Row] = [:]
    /// Which monitors hold each row, kept only when several monitors cover this table.
    private var holders: [OVSDBUUID: UInt64]?
    private var indexes: [ReplicaIndex.Key: IndexStorage] = [:]

    init(schema: TableSchema, columns: [ColumnSchema], indexes: [ReplicaIndex], sharedByMonitors: Bool) {
        self.schema = schema
        self.columns = columns
        self.shape = RowShape(columns)
        self.holders = sharedByMonitors ? [:] : nil
        for i in indexes { self.indexes[i.key] = IndexStorage(i) }
    }

    public var count: Int { rows.count }

    mutating func reserveCapacity(_ n: Int) { rows.reserveCapacity(n) }

    public subscript(uuid: OVSDBUUID) -> Row? { rows[uuid] }

    /// Rows whose index `key` has `value`. The key must have been declared, or be one of the
    /// schema's unique indexes.
    public func rows(where key: ReplicaIndex.Key, equals value: [Datum]) -> [(uuid: OVSDBUUID, row: Row)] {
        guard let index = indexes[key] else {
            preconditionFailure("no index \(key) on table \(schema.name): declare it when starting the replica")
        }
        return index.lookup(value).sorted().compactMap { u in rows[u].map { (u, $0) } }
    }

    /// The row whose `external_ids` (or other string map) `column` has `key` = `value`.
    public func rows(whereMap column: String, key: String, is value: String) -> [(uuid: OVSDBUUID, row: Row)] {
        rows(where: .mapValue(column: column, key: key), equals: [.scalar(.string(value))])
    }

    public func isHeld(_ uuid: OVSDBUUID, by monitor: Int) -> Bool {
        guard let holders else { return rows[uuid] != nil }
        return (holders[uuid] ?? 0) & (1 << UInt64(monitor)) != 0
    }

    public func uuids(heldBy monitor: Int) -> [OVSDBUUID] {
        guard let holders else { return Array(rows.keys) }
        let bit: UInt64 = 1 << UInt64(monitor)
        return holders.compactMap { $0.value & bit != 0 ? $0.key : nil }
    }

    /// Fills in the default value of every replicated column the server left out (update2
    /// omits columns that hold their default).
    func completed(_ row: Row) -> Row { shape.completed(row) }

    /// Sets the row held by `monitor`; returns the previous value.
    mutating func put(_ uuid: OVSDBUUID, _ row: Row, monitor: Int) -> Row? {
        if holders != nil { holders![uuid, default: 0] |= 1 << UInt64(monitor) }
        let old = rows.updateValue(row, forKey: uuid)
        if !indexes.isEmpty {
            for k in indexes.keys {
                if let old { indexes[k]!.remove(uuid, old) }
                indexes[k]!.insert(uuid, row)
            }
        }
        return old
    }

    /// `monitor` no longer holds the row; it goes when no monitor does. Returns the removed row.
    mutating func release(_ uuid: OVSDBUUID, monitor: Int) -> Row? {
        if holders != nil {
            let left = (holders![uuid] ?? 0) & ~(1 << UInt64(monitor))
            if left != 0 {
                holders![uuid] = left
                return nil
            }
            holders![uuid] = nil
        }
        guard let old = rows.removeValue(forKey: uuid) else { return nil }
        for k in indexes.keys { indexes[k]!.remove(uuid, old) }
        return old
    }
}
