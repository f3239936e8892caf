extension TableUpdates {
    /// Reads `<table-updates>` in place (see `JSONReader.reading`): only one row's update at a
    /// time is a `JSON` tree, and it is checked by the same code as `init(json:version:schema:)`.
    init(reading reader: inout JSONReader, version: Version, schema: DatabaseSchema) throws {
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
                switch version {
                case .update: out.append((uuid, try Self.parseUpdate(change, table: table)))
                case .update2: out.append((uuid, try Self.parseUpdate2(change, table: table)))
                }
            }
            tables[name] = out
        }
        self.init(tables: tables)
    }
}

extension MonitorReply {
    /// Reads a monitor reply's `result` in place, as `init(method:result:schema:)` reads a tree.
    init(method: MonitorMethod, reading reader: inout JSONReader, schema: DatabaseSchema) throws {
        self.method = method
        switch method {
        case .monitorCondSince:
            var parts: [JSON] = []
            var updates: TableUpdates?
            try reader.readArray { reader in
                if parts.count == 2, updates == nil {
                    updates = try TableUpdates(reading: &reader, version: .update2, schema: schema)
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
            updates = try TableUpdates(reading: &reader, version: method.updateVersion, schema: schema)
        }
    }
}
