extension Row {
    /// What the rows of one reply have in common: the same columns, nearly always in the same
    /// order. Their schema lookups are kept by position, and rows with the same names share
    /// one names array (100,000 selected rows would otherwise hold 100,000 copies).
    struct ReadingCache {
        private var columns: [(name: String, column: ColumnSchema?)] = []
        private var names: [String] = []

        init() {}

        /// The schema of the `position`th member of a row, named `name`.
        mutating func column(_ name: String, at position: Int, in table: TableSchema) -> ColumnSchema? {
            if position < columns.count, columns[position].name == name { return columns[position].column }
            let column = table.column(name)
            if position < columns.count {
                columns[position] = (name, column)
            } else if position == columns.count {
                columns.append((name, column))
            }
            return column
        }

        mutating func share(_ row: inout Row) {
            if row.names == names {
                row.sharingNames(with: names)
            } else {
                names = row.names
            }
        }
    }

    /// Reads a `<row>` object in place, as `init(json:table:ignoreUnknownColumns:)` reads its
    /// tree: each column's value is read directly (`Datum.readDirect`) or, when that declines,
    /// becomes `JSON` alone, so no tree of the whole row is built.
    /// Bad JSON throws; a row the tree would refuse is a failure.
    static func read(_ reader: inout JSONReader, table: TableSchema, ignoreUnknownColumns: Bool,
                     cache: inout ReadingCache) throws -> Result<Row, OVSDBError> {
        guard reader.startsObject else {
            let json = try reader.readValue()
            return Result { () throws(OVSDBError) in try Row(json: json, table: table, ignoreUnknownColumns: ignoreUnknownColumns) }
        }
        var row = Row()
        // A later duplicate of a key replaces the earlier value, as in a tree, so a column's
        // refusal counts only if its last value is refused.
        var refused: [String: OVSDBError] = [:]
        var unknown: String?
        var position = 0
        try reader.readObject { reader, name in
            let column = cache.column(name, at: position, in: table)
            position += 1
            if let column, let datum = Datum.readDirect(&reader, type: column.type) {
                row[name] = datum
                if !refused.isEmpty { refused[name] = nil }
                return
            }
            let value = try reader.readValue()
            guard let column else {
                if !ignoreUnknownColumns, unknown == nil { unknown = name }
                return
            }
            do throws(OVSDBError) {
                row[name] = try Datum(json: value, type: column.type)
                refused[name] = nil
            } catch {
                refused[name] = error.located(table: table.name, column: name)
            }
        }
        if let unknown {
            return .failure(OVSDBError(tag: "unknown column", details: "No column \(unknown) in table \(table.name).", table: table.name, column: unknown))
        }
        if let first = refused.min(by: { $0.key < $1.key }) { return .failure(first.value) }
        cache.share(&row)
        return .success(row)
    }
}
