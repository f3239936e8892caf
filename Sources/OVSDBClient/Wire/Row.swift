/// Column values of one row, by column name. Rows read from a server also carry `_uuid` and
/// `_version` when they were selected.
public struct Row: Sendable, Hashable {
    public var columns: [String: Datum]

    public init(_ columns: [String: Datum] = [:]) {
        self.columns = columns
    }

    public subscript(column: String) -> Datum? {
        get { columns[column] }
        set { columns[column] = newValue }
    }

    public var uuid: OVSDBUUID? {
        if case .uuid(let u)? = columns["_uuid"]?.keys.first { return u }
        return nil
    }

    /// Reads a `<row>` object, checking every column against `table`.
    /// With `ignoreUnknownColumns`, columns the schema does not know (a newer server) are skipped.
    public init(json: JSON, table: TableSchema, allowNamedUUID: Bool = false, ignoreUnknownColumns: Bool = false) throws(OVSDBError) {
        guard case .object(let object) = json else {
            throw .syntaxError(json, "Parsing row failed: Object expected.")
        }
        var columns: [String: Datum] = [:]
        columns.reserveCapacity(object.count)
        for (name, value) in object {
            guard let column = table.column(name) else {
                if ignoreUnknownColumns { continue }
                throw OVSDBError(tag: "unknown column", details: "No column \(name) in table \(table.name).", syntax: CanonicalJSON.string(json), table: table.name, column: name)
            }
            do {
                columns[name] = try Datum(json: value, type: column.type, allowNamedUUID: allowNamedUUID)
            } catch {
                throw error.located(table: table.name, column: name)
            }
        }
        self.columns = columns
    }

    public var json: JSON {
        .object(columns.mapValues(\.json))
    }
}
