extension Row {
    /// Reads a `<row>` object in place, as `init(json:table:ignoreUnknownColumns:)` reads its
    /// tree: each column's value becomes `JSON` alone, so no tree of the whole row is built.
    /// Bad JSON throws; a row the tree would refuse is a failure.
    static func read(_ reader: inout JSONReader, table: TableSchema, ignoreUnknownColumns: Bool) throws -> Result<Row, OVSDBError> {
        guard reader.startsObject else {
            let json = try reader.readValue()
            return Result { () throws(OVSDBError) in try Row(json: json, table: table, ignoreUnknownColumns: ignoreUnknownColumns) }
        }
        var row = Row()
        // A later duplicate of a key replaces the earlier value, as in a tree, so a column's
        // refusal counts only if its last value is refused.
        var refused: [String: OVSDBError] = [:]
        var unknown: String?
        try reader.readObject { reader, name in
            let value = try reader.readValue()
            guard let column = table.column(name) else {
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
        return .success(row)
    }
}
