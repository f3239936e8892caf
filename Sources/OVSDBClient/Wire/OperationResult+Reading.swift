extension OperationResult {
    /// Reads one operation's result in place (see `JSONReader.reading`): its rows become
    /// `JSON` one at a time and are checked by the same code as `init(json:table:)`, whose
    /// outcome this is. Only bad JSON throws.
    static func read(_ reader: inout JSONReader, table: TableSchema?) throws -> Result<OperationResult, OVSDBError> {
        guard reader.startsObject else {
            let json = try reader.readValue()
            return Result { () throws(OVSDBError) in try OperationResult(json: json, table: table) }
        }
        var members: [String: JSON] = [:]
        var rows: [Row]?
        var rowError: OVSDBError?
        try reader.readObject { reader, key in
            if key == "rows" {
                // A later duplicate key wins, as in a tree.
                rows = nil
                rowError = nil
            }
            guard key == "rows", reader.startsArray else {
                members[key] = try reader.readValue()
                return
            }
            var out: [Row] = []
            try reader.readArray { reader in
                guard let table else {
                    let json = try reader.readValue()
                    do throws(OVSDBError) { out.append(try Row(untypedJSON: json)) } catch { rowError = rowError ?? error }
                    return
                }
                switch try Row.read(&reader, table: table, ignoreUnknownColumns: true) {
                case .success(let row): if rowError == nil { out.append(row) }
                case .failure(let error): rowError = rowError ?? error
                }
            }
            members[key] = .array([])
            rows = out
        }
        do throws(OVSDBError) {
            var result = try OperationResult(json: .object(members), table: table)
            // An error result's rows are not read, by the tree either.
            if result.error == nil, let rows {
                if let rowError { throw rowError }
                result.rows = rows
            }
            return .success(result)
        } catch {
            return .failure(error)
        }
    }
}

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
