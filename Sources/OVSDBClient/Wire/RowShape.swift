/// The columns a reader gives every new row of a table: their sorted names, in one array that
/// all the rows it completes share, and each column's default for the rows that leave it out
/// (update2 leaves out columns that hold their default).
public struct RowShape: Sendable {
    public let names: [String]
    let defaults: [Datum]

    public init(_ columns: [ColumnSchema]) {
        var byName: [String: ColumnSchema] = [:]
        for c in columns { byName[c.name] = c }
        let sorted = byName.keys.sorted()
        names = sorted
        defaults = sorted.map { Datum.defaultValue(for: byName[$0]!.type) }
    }

    /// `row` with every column of this shape it lacks set to its default.
    public func completed(_ row: Row) -> Row {
        if row.names == names { return Row(sortedNames: names, values: row.values) }
        var values: [Datum] = []
        values.reserveCapacity(names.count)
        var j = 0
        for (i, n) in names.enumerated() {
            if j < row.names.count, row.names[j] == n {
                values.append(row.values[j])
                j += 1
            } else {
                values.append(defaults[i])
            }
        }
        if j == row.names.count { return Row(sortedNames: names, values: values) }
        // The row has columns beyond this shape: keep them all.
        var out = row
        for (i, n) in names.enumerated() where out[n] == nil { out[n] = defaults[i] }
        return out
    }
}
