import NIOConcurrencyHelpers

/// Receives one monitor's reply and updates on the connection's event loop and applies them
/// to the replica at once, so the reply to a later transaction finds them applied.
final class ReplicaMonitorSink: NotificationSink {
    let replica: OVSDBReplica
    let monitor: Int
    let generation: Int
    let method: MonitorMethod
    let schema: DatabaseSchema
    let resuming: Bool
    /// The columns this monitor asked for, by table: new rows read in place get their defaults.
    let columns: [String: RowShape]

    init(replica: OVSDBReplica, monitor: Int, generation: Int, method: MonitorMethod, schema: DatabaseSchema, resuming: Bool,
         requests: [MonitorRequest] = []) {
        var columns: [String: [ColumnSchema]] = [:]
        for r in requests {
            guard let table = schema.tables[r.table] else { continue }
            columns[r.table, default: []] += (r.columns ?? table.columnNames).compactMap { table.column($0) }
        }
        self.columns = columns.mapValues(RowShape.init)
        self.replica = replica
        self.monitor = monitor
        self.generation = generation
        self.method = method
        self.schema = schema
        self.resuming = resuming
    }

    func monitorReplied(_ result: JSON) {
        apply { try MonitorReply(method: method, result: result, schema: schema) }
    }

    var readsRepliesInPlace: Bool { true }

    func monitorReplied(inPlace result: UnsafeRawBufferPointer) {
        apply { try JSONReader.reading(result) { reader in try MonitorReply(method: method, reading: &reader, schema: schema, completing: columns) } }
    }

    func receive(inPlace update: InPlaceUpdate) {
        let version: TableUpdates.Version = update.method == "update" ? .update : .update2
        applyUpdate(transactionID: update.lastTransactionID) {
            try JSONReader.reading(update.tableUpdates) { reader in
                try TableUpdates(reading: &reader, version: version, schema: schema, completing: columns)
            }
        }
    }

    private func apply(_ read: () throws -> MonitorReply) {
        do {
            try replica.applyReply(read(), monitor: monitor, generation: generation, resuming: resuming)
        } catch {
            replica.dropConnection(generation: generation, because: "monitor reply: \(error)")
        }
    }

    func receive(_ note: ServerNotification) {
        switch note {
        case .update(_, let updates):
            applyUpdate(transactionID: nil) { try TableUpdates(json: updates, version: .update, schema: schema) }
        case .update2(_, let updates):
            applyUpdate(transactionID: nil) { try TableUpdates(json: updates, version: .update2, schema: schema) }
        case .update3(_, let id, let updates):
            applyUpdate(transactionID: id) { try TableUpdates(json: updates, version: .update2, schema: schema) }
        case .monitorCanceled:
            replica.dropConnection(generation: generation, because: "the server cancelled the monitor (database removed or converted)")
        case .locked, .stolen:
            break
        }
    }

    private func applyUpdate(transactionID: OVSDBUUID?, _ read: () throws -> TableUpdates) {
        do {
            try replica.applyUpdate(read(), transactionID: transactionID, monitor: monitor, generation: generation)
        } catch {
            replica.dropConnection(generation: generation, because: "update does not apply: \(error)")
        }
    }

    func connectionClosed(_ error: OVSDBClientError) {}
}

/// Watches this member's `_Server.Database` row: when it stops being usable (loses the
/// leadership, is cut off from the cluster) the replica moves to another member.
final class ServerStatusSink: NotificationSink {
    let replica: OVSDBReplica
    let generation: Int
    let schema: DatabaseSchema
    let database: String
    private let store: NIOLockedValueBox<ReplicaStore>

    init(replica: OVSDBReplica, generation: Int, schema: DatabaseSchema, database: String) throws {
        self.replica = replica
        self.generation = generation
        self.schema = schema
        self.database = database
        store = NIOLockedValueBox(try ReplicaStore(schema: schema, monitors: [ServerStatusSink.requests(database)]))
    }

    static func requests(_ database: String) -> [MonitorRequest] {
        [MonitorRequest(table: "Database", columns: ["name", "model", "connected", "leader", "index"],
                        condition: Condition([.column("name", .equal, .scalar(.string(database)))]))]
    }

    func monitorReplied(_ result: JSON) {
        handle { try TableUpdates(json: result, version: .update2, schema: schema) }
    }

    func receive(_ note: ServerNotification) {
        replica.noteActivity()
        switch note {
        case .update2(_, let u), .update3(_, _, let u):
            handle { try TableUpdates(json: u, version: .update2, schema: schema) }
        default:
            break
        }
    }

    func connectionClosed(_ error: OVSDBClientError) {}

    private func handle(_ parse: () throws -> TableUpdates) {
        do {
            let updates = try parse()
            let status: ServerDatabaseStatus? = try store.withLockedValue { store in
                _ = try store.apply(updates, monitor: 0)
                return store["Database"]?.rows.values.first.flatMap(ServerDatabaseStatus.init(row:))
            }
            if let status { replica.serverStatusChanged(status, generation: generation) }
        } catch {
            replica.dropConnection(generation: generation, because: "_Server update: \(error)")
        }
    }
}
