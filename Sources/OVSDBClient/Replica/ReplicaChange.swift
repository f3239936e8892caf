/// One row's change in the replica.
public enum ReplicaChange: Sendable, Hashable {
    case insert(table: String, uuid: OVSDBUUID, new: Row)
    case modify(table: String, uuid: OVSDBUUID, old: Row, new: Row)
    case delete(table: String, uuid: OVSDBUUID, old: Row)

    public var table: String {
        switch self {
        case .insert(let t, _, _), .modify(let t, _, _, _), .delete(let t, _, _): return t
        }
    }

    public var uuid: OVSDBUUID {
        switch self {
        case .insert(_, let u, _), .modify(_, let u, _, _), .delete(_, let u, _): return u
        }
    }

    /// The columns whose value differs between old and new (every column for insert/delete).
    public var changedColumns: Set<String> {
        switch self {
        case .insert(_, _, let r), .delete(_, _, let r): return Set(r.names)
        case .modify(_, _, let old, let new):
            var out = Set<String>()
            for (k, v) in new.entries where old[k] != v { out.insert(k) }
            for k in old.names where new[k] == nil { out.insert(k) }
            return out
        }
    }
}

/// The changes one server message made (a transaction, a monitor's initial contents, a
/// condition change or a resync), in the order the replica applied them.
public struct ReplicaChangeSet: Sendable {
    public enum Cause: Sendable, Hashable {
        /// A monitor's first contents, or a full resync after reconnecting (found=false).
        case initial
        /// A committed transaction (or a condition change) the server reported.
        case update
        /// After reconnecting with `found=true`: the transactions missed while away.
        case resumed
    }

    public var cause: Cause
    public var transactionID: OVSDBUUID?
    public var changes: [ReplicaChange]
}
