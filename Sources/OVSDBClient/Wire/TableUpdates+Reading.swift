extension TableUpdates {
    /// Reads `<table-updates>` in place (see `JSONReader.reading`): only one row's update at a
    /// time is a `JSON` tree, and it is checked by the same code as `init(json:version:schema:)`.
    /// New rows of a table in `completing` get the default value of each of its listed columns
    /// they leave out (update2 leaves out defaults), so whoever stores them need not copy them.
    init(reading reader: inout JSONReader, version: Version, schema: DatabaseSchema,
         completing: [String: RowShape] = [:]) throws {
        var tables: [String: [(uuid: OVSDBUUID, update: RowUpdate)]] = [:]
        try reader.readObject { reader, name in
            guard let table = schema.tables[name] else {
                throw OVSDBError(tag: "unknown table", details: "No table \(name) in the monitored database.")
            }
            var out: [(uuid: OVSDBUUID, update: RowUpdate)] = []
            try reader.readObject { reader, uuidText in
                guard let uuid = OVSDBUUID(uuidText) else {
                    throw OVSDBError(tag: "syntax error", details: "\(uuidText) is not a row UUID (table \(name))")
                }
                let change = try reader.readValue()
                var update: RowUpdate
                switch version {
                case .update: update = try Self.parseUpdate(change, table: table)
                case .update2: update = try Self.parseUpdate2(change, table: table)
                }
                if let shape = completing[name] { update.fillDefaults(shape) }
                out.append((uuid, update))
            }
            tables[name] = out
        }
        self.init(tables: tables)
    }
}

extension RowUpdate {
    /// Gives a new row (initial or insert) the default of each column of `shape` it lacks.
    mutating func fillDefaults(_ shape: RowShape) {
        switch self {
        case .initial(let r): self = .initial(shape.completed(r))
        case .insert(let r): self = .insert(shape.completed(r))
        default: return
        }
    }
}

extension MonitorReply {
    /// Reads a monitor reply's `result` in place, as `init(method:result:schema:)` reads a tree.
    init(method: MonitorMethod, reading reader: inout JSONReader, schema: DatabaseSchema,
         completing: [String: RowShape] = [:]) throws {
        self.method = method
        switch method {
        case .monitorCondSince:
            var parts: [JSON] = []
            var updates: TableUpdates?
            try reader.readArray { reader in
                if parts.count == 2, updates == nil {
                    updates = try TableUpdates(reading: &reader, version: .update2, schema: schema, completing: completing)
                } else {
                    parts.append(try reader.readValue())
                }
            }
            guard parts.count == 2, let updates, let found = parts[0].boolValue,
                  let idText = parts[1].stringValue, let id = OVSDBUUID(idText) else {
                throw OVSDBError.syntaxError(.array(parts), "monitor_cond_since reply must be [found, last-txn-id, updates]")
            }
            self.found = found
            lastTransactionID = id
            self.updates = updates
        case .monitorCond, .monitor:
            found = false
            lastTransactionID = nil
            updates = try TableUpdates(reading: &reader, version: method.updateVersion, schema: schema, completing: completing)
        }
    }
}
