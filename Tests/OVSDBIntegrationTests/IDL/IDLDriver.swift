import Foundation
import NIOConcurrencyHelpers
import OVSDBClient
import OVSDBTestSupport

/// Replays one IDL scenario as `test-ovsdb idl` does, with this library's replica in place of
/// the C IDL, and returns the raw output (before the testsuite's filters).
struct IDLDriver {
    let vector: IDLVector
    let server: OVSDBServerFixture
    let schema: DatabaseSchema

    private var out: [String] = []
    private var step = 0
    private var symbols: [OVSDBUUID] = []
    private var requests: [MonitorRequest]
    /// What the C IDL would hold: it takes in updates only while it waits for a change or
    /// commits, so IDL operations read the rows as of then, not the replica's newest.
    private var view: ReplicaStore?
    private var tracker: IDLTracker?
    private var track: Bool { vector.options.contains("-c") }

    init(vector: IDLVector, server: OVSDBServerFixture, schema: DatabaseSchema) {
        self.vector = vector
        self.server = server
        self.schema = schema
        requests = schema.tables.keys.sorted().map { MonitorRequest(table: $0, condition: Condition([.literal(true)])) }
    }

    mutating func run() async throws -> String {
        var steps = vector.steps[...]
        if let first = steps.first, first.hasPrefix("condition ") {
            applyConditionText(String(first.dropFirst("condition ".count)))
            steps = steps.dropFirst()
        }
        var c = OVSDBReplica.Configuration()
        c.probeInterval = nil
        // Every monitor reply is read in place (by default only large ones are), so the C IDL's
        // expected output checks that path.
        c.connection.inPlaceReadingSize = 0
        c.backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(100))
        let replica = OVSDBReplica(remotes: [.unix(path: server.socketPath)], database: schema.name, monitors: [requests], configuration: c)
        let seqno = NIOLockedValueBox(0)
        let changes = replica.changes()
        let tracker = track ? IDLTracker() : nil
        self.tracker = tracker
        let watcher = Task {
            for await set in changes {
                if let tracker, let store = try? replica.snapshot() { tracker.record(set, store: store) }
                seqno.withLockedValue { $0 += 1 }
            }
        }
        defer { watcher.cancel() }
        try await replica.start()
        var seen = 0
        let rpc = try await OVSDBConnection.connect(to: server.remote)
        for var arg in steps {
            if arg.hasPrefix("+") {
                arg.removeFirst()
            } else if arg.hasPrefix("^") {
                // Wait for the last condition change to be acknowledged: changeConditions
                // returned only after the server's reply, so there is nothing more to wait for.
                arg.removeFirst()
            } else {
                seen = await waitForChange(seqno, after: seen)
                try print(replica)
            }
            seen = seqno.withLockedValue { $0 }
            if arg == "reconnect" {
                emit("reconnect")
                replica.forceReconnect()
            } else if arg.hasPrefix("set-remote ") {
                // test-ovsdb's remotes are relative to the server's folder: unix:socket is the
                // server, unix:bad_socket nothing.
                let names = arg.dropFirst("set-remote ".count).split(separator: ",").map { $0.dropFirst("unix:".count) }
                replica.setRemotes(names.map { name in
                    .unix(path: name == "socket" ? server.socketPath : server.directory + "/" + name)
                })
                emit("new remotes: \(arg.dropFirst("set-remote ".count)), is connected: \(replica.isConnected)")
            } else if arg.hasPrefix("condition ") {
                applyConditionText(String(arg.dropFirst("condition ".count)))
                try await replica.changeConditions(monitor: 0, requests: requests)
            } else if arg == "sleep" {
                emit("sleep")
                try await Task.sleep(for: .seconds(1))
            } else if arg.hasPrefix("[") {
                try await transact(arg, rpc)
            } else {
                try await idlTransaction(arg, replica)
            }
        }
        _ = await waitForChange(seqno, after: seen)
        try print(replica)
        emit("done")
        await rpc.close()
        await replica.close()
        return out.map { $0 + "\n" }.joined()
    }

    private mutating func emit(_ s: String) {
        out.append(String(format: "%03d: ", step) + s)
        step += 1
    }

    private mutating func print(_ replica: OVSDBReplica) throws {
        let store = try replica.snapshot()
        view = store
        if let tracker {
            out += tracker.lines(step: step, store: store)
        } else {
            out += IDLRowPrinter(store: store).lines(step: step)
        }
        step += 1
    }

    /// Waits for the replica's next change (the C IDL's seqno); a step that changes nothing
    /// the replica holds would wait for ever there, so this gives up after a while.
    private func waitForChange(_ seqno: NIOLockedValueBox<Int>, after seen: Int) async -> Int {
        for _ in 0..<150 {
            let now = seqno.withLockedValue { $0 }
            if now > seen {
                // Let a burst of updates from one step land together.
                try? await Task.sleep(for: .milliseconds(30))
                return seqno.withLockedValue { $0 }
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return seen
    }

    /// `condition T [clauses];T2 [...]`.
    private mutating func applyConditionText(_ text: String) {
        for part in text.split(separator: ";") {
            let p = part.trimmingCharacters(in: .whitespaces)
            guard let space = p.firstIndex(of: " ") else { continue }
            let table = String(p[..<space])
            let body = String(p[space...]).trimmingCharacters(in: .whitespaces)
            guard let json = try? JanssonCodec.decode(Array(body.utf8)), let t = schema.tables[table],
                  var condition = try? Condition(json: json, table: t),
                  let i = requests.firstIndex(where: { $0.table == table }) else {
                emit("\(table): bad condition")
                continue
            }
            // The C IDL's condition is a disjunction of clauses (as ovsdb-server evaluates
            // monitor conditions); with no clause it matches nothing, and is sent as [false].
            if condition.clauses.isEmpty { condition = Condition([.literal(false)]) }
            let unchanged = requests[i].condition == condition
            requests[i].condition = condition
            out.append(String(format: "%03d: ", step) + "\(table): " + (unchanged ? "conditions unchanged" : "change conditions"))
        }
        step += 1
    }

    /// A `[...]` step: a transaction on a separate connection, `#N#` replaced by the N-th UUID
    /// seen in earlier replies.
    private mutating func transact(_ text: String, _ rpc: OVSDBConnection) async throws {
        var body = text
        for (n, u) in symbols.enumerated().reversed() { body = body.replacingOccurrences(of: "#\(n)#", with: u.description) }
        guard case .array(let params) = try JanssonCodec.decode(Array(body.utf8)) else { throw FixtureError("bad transaction step") }
        let result = try await rpc.call("transact", params)
        collectUUIDs(result)
        emit(CanonicalJSON.string(["error": nil, "result": result]))
    }

    private mutating func collectUUIDs(_ json: JSON) {
        switch json {
        case .array(let a):
            if a.count == 2, a[0] == "uuid", let t = a[1].stringValue, let u = OVSDBUUID(t) {
                if !symbols.contains(u) { symbols.append(u) }
                return
            }
            a.forEach { collectUUIDs($0) }
        case .object(let o):
            for k in o.keys.sorted() { collectUUIDs(o[k]!) }
        default: break
        }
    }

    /// test-ovsdb's `idl_set`: comma-separated IDL operations in one transaction on table simple.
    private mutating func idlTransaction(_ text: String, _ replica: OVSDBReplica) async throws {
        let store = try view ?? replica.snapshot()
        defer { view = try? replica.snapshot() }
        let simple = store["simple"]!
        func rowUUID(_ i: String) -> OVSDBUUID? {
            simple.rows.first { $0.value["i"] == .scalar(.integer(Int64(i) ?? .min)) }?.key
        }
        var ops: [OVSDBOperation] = []
        var waits: [OVSDBOperation] = []
        var updates: [OVSDBUUID: Row] = [:]
        var inserted: [String: Row] = [:]
        var insertOrder: [(String, OVSDBUUID?, String)] = []
        var increment: OVSDBUUID?
        for part in text.split(separator: ",") {
            let words = part.split(separator: " ").map(String.init)
            guard let verb = words.first else { continue }
            switch verb {
            case "set":
                let (i, column, value) = (words[1], words[2], words[3])
                let type = schema.tables["simple"]!.columns[column]!.type
                let datum: Datum
                switch column {
                case "b": datum = .scalar(.boolean((Int(value) ?? 0) != 0))
                case "i": datum = .scalar(.integer(Int64(value) ?? 0))
                case "r": datum = .scalar(.real(Double(value) ?? 0))
                case "s": datum = .scalar(.string(value))
                case "u": datum = .scalar(.uuid(OVSDBUUID(value) ?? .zero))
                default: throw FixtureError("set of column \(column) (\(type)) is not emulated")
                }
                if inserted[i] != nil {
                    inserted[i]![column] = datum
                } else if let u = rowUUID(i) {
                    updates[u, default: Row()][column] = datum
                } else {
                    throw FixtureError("no row with i=\(i)")
                }
            case "insert":
                inserted[words[1]] = Row(["i": .scalar(.integer(Int64(words[1]) ?? 0))])
                insertOrder.append((words[1], nil, "simple"))
            case "insert_uuid":
                let key = "uuid-" + words[1]
                inserted[key] = Row(["i": .scalar(.integer(Int64(words[2]) ?? 0))])
                insertOrder.append((key, OVSDBUUID(words[1]), "simple"))
            case "insert_no_columns_changed":
                inserted["nocolumns"] = Row()
                insertOrder.append(("nocolumns", nil, "simple"))
            case "insert_uuid_uref":
                guard let u3 = OVSDBUUID(words[1]), let u4 = OVSDBUUID(words[2]) else { throw FixtureError("bad uuids") }
                ops.append(.insert(table: "simple4", row: Row(), uuid: u4))
                ops.append(.insert(table: "simple3", row: Row(["uref": .scalar(.uuid(u4))]), uuid: u3))
            case "delete":
                guard let u = rowUUID(words[1]) else { throw FixtureError("no row with i=\(words[1])") }
                ops.append(.delete(table: "simple", where: Condition([.column("_uuid", .equal, .scalar(.uuid(u)))])))
            case "verify":
                guard inserted[words[1]] == nil else { continue }
                guard let u = rowUUID(words[1]) else { throw FixtureError("no row with i=\(words[1])") }
                let column = words[2]
                waits.append(.wait(table: "simple", where: Condition([.column("_uuid", .equal, .scalar(.uuid(u)))]),
                                   columns: [column], until: .equal, rows: [Row([column: simple[u]![column]!])], timeout: 0))
            case "increment":
                guard let u = rowUUID(words[1]) else { throw FixtureError("no row with i=\(words[1])") }
                increment = u
            case "abort":
                emit("commit, status=aborted")
                return
            case "destroy":
                emit("destroy")
                return
            default:
                throw FixtureError("IDL operation \(verb) is not emulated")
            }
        }
        for (key, uuid, table) in insertOrder {
            ops.append(.insert(table: table, row: inserted[key]!, uuid: uuid))
        }
        for (u, row) in updates.sorted(by: { $0.key < $1.key }) {
            ops.append(.update(table: "simple", where: Condition([.column("_uuid", .equal, .scalar(.uuid(u)))]), row: row))
        }
        if let u = increment {
            let w = Condition([.column("_uuid", .equal, .scalar(.uuid(u)))])
            ops.append(.mutate(table: "simple", where: w, mutations: [Mutation(column: "i", mutator: .add, value: .scalar(.integer(1)))]))
            ops.append(.select(table: "simple", where: w, columns: ["i"]))
        }
        let all = waits + ops
        guard !all.isEmpty else {
            emit("commit, status=unchanged")
            return
        }
        do {
            let results = try await replica.transact(all)
            if increment != nil, case .integer(let n)? = results.last?.rows?.first?["i"]?.keys.first {
                emit("commit, status=success, increment=\(n)")
            } else {
                emit("commit, status=success")
            }
        } catch OVSDBClientError.transactionFailed(let index?, _, _) where index < waits.count {
            emit("commit, status=try again")
        } catch OVSDBClientError.transactionFailed {
            emit("commit, status=error")
        }
    }
}
