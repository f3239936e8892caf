/// A secondary index the caller declares on a replicated table.
public struct ReplicaIndex: Sendable, Hashable {
    public enum Key: Sendable, Hashable {
        /// The values of these columns together (unique schema indexes use this).
        case columns([String])
        /// The value stored under `key` in the string map `column`, e.g. one `external_ids` key.
        case mapValue(column: String, key: String)
    }

    public var table: String
    public var key: Key

    public init(table: String, key: Key) {
        self.table = table
        self.key = key
    }

    /// The index's key for `row`, or nil when the row has no value for it (a missing map key).
    func value(of row: Row) -> [Datum]? {
        switch key {
        case .columns(let names):
            var out: [Datum] = []
            out.reserveCapacity(names.count)
            for n in names {
                guard let d = row[n] else { return nil }
                out.append(d)
            }
            return out
        case .mapValue(let column, let k):
            guard let v = row[column]?[.string(k)] else { return nil }
            return [.scalar(v)]
        }
    }
}

/// Row UUIDs by index value; maintained as rows change, so lookups cost one hash.
struct IndexStorage: Sendable {
    let definition: ReplicaIndex
    private(set) var entries: [[Datum]: Set<OVSDBUUID>] = [:]

    init(_ definition: ReplicaIndex) { self.definition = definition }

    mutating func insert(_ uuid: OVSDBUUID, _ row: Row) {
        guard let v = definition.value(of: row) else { return }
        entries[v, default: []].insert(uuid)
    }

    mutating func remove(_ uuid: OVSDBUUID, _ row: Row) {
        guard let v = definition.value(of: row) else { return }
        entries[v]?.remove(uuid)
        if entries[v]?.isEmpty == true { entries[v] = nil }
    }

    func lookup(_ value: [Datum]) -> Set<OVSDBUUID> { entries[value] ?? [] }
}
