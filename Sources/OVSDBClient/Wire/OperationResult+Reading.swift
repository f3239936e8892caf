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
            var cache = Row.ReadingCache()
            try reader.readArray { reader in
                guard let table else {
                    let json = try reader.readValue()
                    do throws(OVSDBError) { out.append(try Row(untypedJSON: json)) } catch { rowError = rowError ?? error }
                    return
                }
                switch try Row.read(&reader, table: table, ignoreUnknownColumns: true, cache: &cache) {
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
