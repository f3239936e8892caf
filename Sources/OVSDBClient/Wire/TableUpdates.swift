/// One row's change in a monitor reply or notification, typed against the schema.
public enum RowUpdate: Sendable, Hashable {
    /// In a monitor's first reply (or after a condition change): the row as it is now.
    case initial(Row)
    case insert(Row)
    /// `update2`/`update3`: each changed column's diff (see `Datum.applyingUpdate2`).
    case modify(diff: Row)
    /// `update` (RFC 7047): the new values of the columns that changed.
    case replace(changed: Row)
    case delete
}

/// The `<table-updates>` object of RFC 7047 section 4.1.6 (`update`) or of Open vSwitch's
/// `<table-updates2>` (`update2`, `update3`), parsed into row updates by table.
public struct TableUpdates: Sendable {
    public var tables: [String: [(uuid: OVSDBUUID, update: RowUpdate)]]

    public var isEmpty: Bool { tables.values.allSatisfy(\.isEmpty) }

    public enum Version: Sendable {
        /// RFC 7047 `update`: `{"old": row, "new": row}`.
        case update
        /// `update2`/`update3`: `{"initial"|"insert"|"modify": row}` or `{"delete": null}`.
        case update2
    }

    /// Parses `json` against `schema`. Tables and columns the schema does not know are refused:
    /// the replica asked for the columns it knows, so anything else is a server error.
    public init(json: JSON, version: Version, schema: DatabaseSchema) throws(OVSDBError) {
        guard case .object(let byTable) = json else {
            throw .syntaxError(json, "table updates are not an object")
        }
        var tables: [String: [(uuid: OVSDBUUID, update: RowUpdate)]] = [:]
        for (name, rowsJSON) in byTable {
            guard let table = schema.tables[name] else {
                throw OVSDBError(tag: "unknown table", details: "No table \(name) in the monitored database.")
            }
            guard case .object(let rows) = rowsJSON else {
                throw .syntaxError(rowsJSON, "updates of table \(name) are not an object")
            }
            var out: [(uuid: OVSDBUUID, update: RowUpdate)] = []
            out.reserveCapacity(rows.count)
            for (uuidText, change) in rows {
                guard let uuid = OVSDBUUID(uuidText) else {
                    throw OVSDBError(tag: "syntax error", details: "\(uuidText) is not a row UUID (table \(name))")
                }
                let update: RowUpdate
                switch version {
                case .update: update = try Self.parseUpdate(change, table: table)
                case .update2: update = try Self.parseUpdate2(change, table: table)
                }
                out.append((uuid, update))
            }
            tables[name] = out
        }
        self.tables = tables
    }

    public init(tables: [String: [(uuid: OVSDBUUID, update: RowUpdate)]]) {
        self.tables = tables
    }

    static func parseUpdate(_ json: JSON, table: TableSchema) throws(OVSDBError) -> RowUpdate {
        guard case .object(let o) = json else { throw .syntaxError(json, "row update is not an object") }
        let old = o["old"]
        let new = o["new"]
        switch (old, new) {
        case (nil, let n?):
            return .insert(try Row(json: n, table: table))
        case (_?, nil):
            return .delete
        case (_?, let n?):
            // RFC 7047: "old" holds only the changed columns; "new" all monitored ones.
            let oldRow = try Row(json: old!, table: table)
            let newRow = try Row(json: n, table: table)
            var changed = Row()
            for name in oldRow.names { changed[name] = newRow[name] }
            return .replace(changed: changed)
        case (nil, nil):
            throw .syntaxError(json, "row update has neither old nor new")
        }
    }

    static func parseUpdate2(_ json: JSON, table: TableSchema) throws(OVSDBError) -> RowUpdate {
        guard case .object(let o) = json, o.count == 1, let (kind, body) = o.first else {
            throw .syntaxError(json, "row update2 must have exactly one of initial, insert, modify, delete")
        }
        switch kind {
        case "initial": return .initial(try Row(json: body, table: table))
        case "insert": return .insert(try Row(json: body, table: table))
        case "delete": return .delete
        case "modify": return .modify(diff: try diffRow(body, table: table))
        default: throw .syntaxError(json, "unknown row update2 kind \(kind)")
        }
    }

    /// A modify diff: each column's value has the column's element types; a difference of a
    /// set or map may have any size (see `Datum.applyingUpdate2`).
    private static func diffRow(_ json: JSON, table: TableSchema) throws(OVSDBError) -> Row {
        guard case .object(let o) = json else { throw .syntaxError(json, "modify is not an object") }
        var columns: [String: Datum] = [:]
        for (name, value) in o {
            guard let column = table.column(name) else {
                throw OVSDBError(tag: "unknown column", details: "No column \(name) in table \(table.name).", table: table.name, column: name)
            }
            var relaxed = column.type
            if relaxed.isMap || relaxed.maxCount > 1 {
                relaxed.min = 0
                relaxed.max = nil
            }
            do {
                columns[name] = try Datum(json: value, type: relaxed)
            } catch {
                throw error.located(table: table.name, column: name)
            }
        }
        return Row(columns)
    }
}
