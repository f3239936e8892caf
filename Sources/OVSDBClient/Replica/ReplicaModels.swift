/// Typed reads through the generated models.
extension ReplicaStore {
    /// Every row of `M`'s table as the model, with its UUID set, in UUID order.
    public func all<M: OVSDBModel>(_ type: M.Type) throws(OVSDBError) -> [M] {
        guard let table = tables[M.tableName] else { return [] }
        var out: [M] = []
        out.reserveCapacity(table.count)
        for u in table.rows.keys.sorted() {
            var m = try M(row: table.rows[u]!)
            m.uuid = u
            out.append(m)
        }
        return out
    }

    /// One row as the model, or nil when the replica does not hold it.
    public func model<M: OVSDBModel>(_ type: M.Type, _ uuid: OVSDBUUID) throws(OVSDBError) -> M? {
        guard let row = tables[M.tableName]?[uuid] else { return nil }
        var m = try M(row: row)
        m.uuid = uuid
        return m
    }
}
