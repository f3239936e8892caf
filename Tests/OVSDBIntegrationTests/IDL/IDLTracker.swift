import Foundation
import NIOConcurrencyHelpers
import OVSDBClient

/// The C IDL's change tracking as `test-ovsdb idl -c` prints it: per row since the last
/// print, whether it was inserted, deleted, both, or which columns changed.
final class IDLTracker: Sendable {
    struct Entry {
        var inserted = false
        var deleted = false
        var columns = Set<String>()
        var last: Row
    }

    private let entries = NIOLockedValueBox<[String: [OVSDBUUID: Entry]]>([:])
    private let syncs = NIOLockedValueBox(0)

    /// Columns whose value differs from the column's default: what an update2 insert carries.
    static func nonDefault(_ row: Row, _ table: TableSchema) -> Set<String> {
        Set(row.entries.compactMap { name, value in
            guard let c = table.columns[name] else { return nil }
            return value == Datum.defaultValue(for: c.type) ? nil : name
        })
    }

    func record(_ set: ReplicaChangeSet, store: ReplicaStore) {
        entries.withLockedValue { e in
            if set.cause == .initial {
                // A (re)connect: the C IDL starts over and reports every row as inserted.
                let n = syncs.withLockedValue { s -> Int in s += 1; return s }
                if n > 1 {
                    for (name, table) in store.tables {
                        for (u, row) in table.rows { insert(&e, name, u, row, table.schema) }
                    }
                    return
                }
            }
            for c in set.changes {
                switch c {
                case .insert(let t, let u, let new):
                    insert(&e, t, u, new, store[t]!.schema)
                case .modify(let t, let u, _, let new):
                    var entry = e[t]?[u] ?? Entry(last: new)
                    entry.columns.formUnion(c.changedColumns)
                    entry.last = new
                    e[t, default: [:]][u] = entry
                case .delete(let t, let u, let old):
                    var entry = e[t]?[u] ?? Entry(last: old)
                    entry.deleted = true
                    entry.last = old
                    e[t, default: [:]][u] = entry
                }
            }
        }
    }

    private func insert(_ e: inout [String: [OVSDBUUID: Entry]], _ t: String, _ u: OVSDBUUID, _ row: Row, _ schema: TableSchema) {
        let columns = Self.nonDefault(row, schema)
        // An insert of nothing but defaults does not show up in the C IDL's tracking.
        guard !columns.isEmpty else { return }
        var entry = e[t]?[u] ?? Entry(last: row)
        entry.inserted = true
        entry.columns.formUnion(columns)
        entry.last = row
        e[t, default: [:]][u] = entry
    }

    /// `print_idl_track`, then clears the tracking.
    func lines(step: Int, store: ReplicaStore) -> [String] {
        let tracked = entries.withLockedValue { e in
            defer { e = [:] }
            return e
        }
        let printer = IDLRowPrinter(store: store)
        let prefix = String(format: "%03d: ", step)
        var out: [String] = []
        for (table, rows) in tracked.sorted(by: { $0.key < $1.key }) {
            for (u, entry) in rows {
                let row = entry.deleted ? entry.last : (store[table]?[u] ?? entry.last)
                guard let f = printer.fields(table, u, row) else { continue }
                let columns = "updated columns: " + entry.columns.sorted().joined(separator: " ")
                if entry.deleted && entry.inserted {
                    out.append(prefix + "table \(table): inserted/deleted row: " + f)
                    out.append(prefix + "table \(table): " + columns)
                } else if entry.deleted {
                    out.append(prefix + "table \(table): deleted row: " + f)
                } else if entry.inserted {
                    out.append(prefix + "table \(table): inserted row: " + f)
                    out.append(prefix + "table \(table): " + columns)
                } else if !entry.columns.isEmpty {
                    out.append(prefix + "table \(table): " + f)
                    out.append(prefix + "table \(table): " + columns)
                }
            }
        }
        return out.isEmpty ? [prefix + "empty"] : out
    }
}
