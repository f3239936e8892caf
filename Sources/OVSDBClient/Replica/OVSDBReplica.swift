import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A consistent, continuously updated copy of chosen tables of one database, for programs
/// that live long: it connects (to the cluster leader by default), monitors with the best
/// method the server offers, reconnects with jittered backoff and resumes each monitor from
/// its last transaction, probes a quiet connection, and reports every change.
///
/// ```swift
/// let replica = OVSDBReplica(remotes: try RemoteAddress.list("tcp:127.0.0.1:6641"),
///                            database: "OVN_Northbound",
///                            monitors: [[MonitorRequest(table: "Logical_Router_Policy")]],
///                            indexes: [ReplicaIndex(table: "Logical_Router_Policy",
///                                                   key: .mapValue(column: "external_ids", key: "EgressSVC"))])
/// try await replica.start()
/// let count = replica.read { $0["Logical_Router_Policy"]!.count }
/// for await set in replica.changes() { ... }
/// ```
///
/// Reads see whole updates only. When `transact` returns, the replica already holds the
/// transaction's effect (Open vSwitch sends a transaction's updates before its reply, and the
/// replica applies updates on arrival).
public final class OVSDBReplica: Sendable {
    public struct Configuration: Sendable {
        public var connection = OVSDBConnection.Configuration()
        /// Use only the leader of a clustered database (as ovn-nbctl by default).
        public var leaderOnly = true
        /// Echo after this long without a message from the server; no answer within the same
        /// time means the connection is dead. nil: never.
        public var probeInterval: Duration? = .seconds(5)
        /// A connection that has not completed its sync (schema, monitors, first contents)
        /// in this time is dropped and another attempt made.
        public var syncTimeout: Duration = .seconds(60)
        public var backoff = Backoff()
        /// The pause between passes while members answer as followers of a cluster with
        /// quorum (an election under way): short and not growing, so the new leader is
        /// found within this of being elected.
        public var electionRetry: Duration = .milliseconds(100)
        public var eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
        /// Change sets kept for a subscriber that reads slowly; past that its stream ends
        /// and it must read the replica again.
        public var subscriberBacklog = 65_536
        /// Called with every change set as it is applied, under the replica's lock and on the
        /// connection's event loop, before any reader can see the new state: for derived
        /// state that must never lag the replica. It must be quick and must not call back
        /// into the replica.
        public var observer: (@Sendable (ReplicaChangeSet) -> Void)?
        public init() {}
    }

    public enum Status: Sendable, Hashable {
        case connecting
        case synced(remote: RemoteAddress, model: ServerDatabaseStatus.Model)
        case disconnected(reason: String)
        case stopped
    }

    /// Counts for tests and metrics.
    public struct Statistics: Sendable, Hashable {
        public var connections = 0
        /// Monitors resumed from their last transaction (`found=true`): only the delta came.
        public var resumedWithDelta = 0
        /// Monitors that had to take the whole contents again.
        public var fullSyncs = 0
        public var updatesApplied = 0
        public var probesFailed = 0
    }

    public let database: String
    let connector: ClusterConnector
    let configuration: Configuration
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    struct State {
        var store: ReplicaStore?
        var requests: [[MonitorRequest]]
        let indexes: [ReplicaIndex]
        var lastTransaction: [OVSDBUUID?]
        var synced: [Bool]
        var connection: OVSDBConnection?
        var generation = 0
        var status: Status = .connecting
        var statistics = Statistics()
        var highestIndex: Int64?
        var lastActivity = ContinuousClock.now
        var subscribers: [Int: AsyncStream<ReplicaChangeSet>.Continuation] = [:]
        var nextSubscriber = 0
        var syncWaiters: [CheckedContinuation<Void, Error>] = []
        var loop: Task<Void, Never>?
        var stopped = false
        var nextRemote = 0
        /// The remotes to connect to; `setRemotes` changes them.
        var remotes: [RemoteAddress]
    }

    public init(remotes: [RemoteAddress], database: String, monitors: [[MonitorRequest]], indexes: [ReplicaIndex] = [],
                configuration: Configuration = Configuration()) {
        self.database = database
        self.configuration = configuration
        logger = configuration.connection.logger
        connector = ClusterConnector(remotes: remotes, database: database, leaderOnly: configuration.leaderOnly,
                                     configuration: configuration.connection, eventLoopGroup: configuration.eventLoopGroup)
        state = NIOLockedValueBox(State(requests: monitors, indexes: indexes,
                                        lastTransaction: Array(repeating: nil, count: monitors.count),
                                        synced: Array(repeating: false, count: monitors.count), remotes: remotes))
    }

    // MARK: reading

    /// Runs `body` on the replica as it is now; no update is applied meanwhile.
    public func read<T>(_ body: (ReplicaStore) throws -> T) throws -> T {
        try state.withLockedValue { s in
            guard let store = s.store else { throw OVSDBClientError.connectionClosed(reason: "the replica has not synced yet") }
            return try body(store)
        }
    }

    /// The replica as it is now, as a value (copied lazily: cheap until the next update).
    public func snapshot() throws -> ReplicaStore { try read { $0 } }

    public var status: Status { state.withLockedValue { $0.status } }
    public var statistics: Statistics { state.withLockedValue { $0.statistics } }

    /// Every change from now on, one set per server message, in order.
    public func changes() -> AsyncStream<ReplicaChangeSet> {
        let (stream, continuation) = AsyncStream<ReplicaChangeSet>.makeStream(bufferingPolicy: .bufferingOldest(configuration.subscriberBacklog))
        let id = state.withLockedValue { s -> Int? in
            if s.stopped { return nil }
            s.nextSubscriber += 1
            s.subscribers[s.nextSubscriber] = continuation
            return s.nextSubscriber
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLockedValue { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: lifecycle

    /// Starts the connection loop and waits for the first complete sync. Cancelling the
    /// calling task stops waiting (the loop keeps going until `close`).
    public func start() async throws {
        let begin = state.withLockedValue { s -> Bool in
            guard s.loop == nil, !s.stopped else { return false }
            s.loop = Task { await self.runLoop() }
            return true
        }
        if !begin, status == .stopped { throw OVSDBClientError.connectionClosed(reason: "the replica was closed") }
        try await waitForSync()
    }

    /// Waits until every monitor is synced on the current connection.
    public func waitForSync() async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            let ready = state.withLockedValue { s -> Result<Bool, Error> in
                if s.stopped { return .failure(OVSDBClientError.connectionClosed(reason: "the replica was closed")) }
                if case .synced = s.status { return .success(true) }
                s.syncWaiters.append(c)
                return .success(false)
            }
            switch ready {
            case .success(true): c.resume()
            case .success(false): break
            case .failure(let e): c.resume(throwing: e)
            }
        }
    }

    /// Stops the loop, closes the connection, ends every change stream.
    public func close() async {
        let (loop, connection, waiters, subs) = state.withLockedValue { s in
            s.stopped = true
            s.status = .stopped
            defer {
                s.syncWaiters = []
                s.subscribers = [:]
            }
            return (s.loop, s.connection, s.syncWaiters, Array(s.subscribers.values))
        }
        loop?.cancel()
        await connection?.close()
        await loop?.value
        for w in waiters { w.resume(throwing: OVSDBClientError.connectionClosed(reason: "the replica was closed")) }
        for c in subs { c.finish() }
    }

    // MARK: writing

    /// Runs a transaction on the current connection (waiting for one while reconnecting).
    /// When it returns, the replica holds its effect. A transaction whose connection drops
    /// before the reply may or may not have committed: make retried inserts idempotent with
    /// `OVSDBOperation.insert(..., uuid:)` (a client-chosen UUID) or a `wait` guard.
    public func transact(_ operations: [OVSDBOperation]) async throws -> [OperationResult] {
        let (connection, schema) = try await currentConnection()
        return try await connection.transact(database, operations, schema: schema)
    }

    /// The connection in use and the schema the replica follows; waits while reconnecting.
    public func currentConnection() async throws -> (OVSDBConnection, DatabaseSchema) {
        while true {
            try Task.checkCancellation()
            let found = try state.withLockedValue { s -> (OVSDBConnection, DatabaseSchema)? in
                if s.stopped { throw OVSDBClientError.connectionClosed(reason: "the replica was closed") }
                guard case .synced = s.status, let c = s.connection, let schema = s.store?.schema else { return nil }
                return (c, schema)
            }
            if let found { return found }
            try await waitForSync()
        }
    }

    /// Replaces the conditions of monitor `monitor`; the replica drops rows that leave them
    /// and adds rows that enter them. Kept across reconnects.
    /// Only the tables whose condition differs are sent.
    public func changeConditions(monitor: Int, requests: [MonitorRequest]) async throws {
        let changed = state.withLockedValue { s -> [MonitorRequest] in
            let old = s.requests[monitor]
            s.requests[monitor] = requests
            return requests.filter { r in !old.contains { $0.table == r.table && ($0.condition ?? .all) == (r.condition ?? .all) } }
        }
        guard !changed.isEmpty else { return }
        let (connection, _) = try await currentConnection()
        try await connection.changeConditions(Self.monitorID(monitor), requests: changed)
    }

    /// Closes the current connection; the replica reconnects and resumes as after a failure.
    public func forceReconnect() {
        let c = state.withLockedValue { $0.connection }
        c?.channel.close(promise: nil)
    }

    /// Connects to `remotes` from now on (the C IDL's `set_remote`). A connection to a member
    /// still listed is kept; one to a member no longer listed is closed at once, and the replica
    /// reconnects among the new remotes, resuming as after a failure. Its rows stay readable
    /// meanwhile.
    public func setRemotes(_ remotes: [RemoteAddress]) {
        precondition(!remotes.isEmpty, "a replica needs at least one remote")
        let dropped = state.withLockedValue { s -> OVSDBConnection? in
            s.remotes = remotes
            s.nextRemote = 0
            guard let c = s.connection, !remotes.contains(c.remote) else { return nil }
            s.connection = nil
            s.generation += 1
            if !s.stopped { s.status = .disconnected(reason: "\(c.remote) is no longer a remote") }
            return c
        }
        dropped?.channel.close(promise: nil)
    }

    /// True while the replica is synced with a server and following its updates.
    public var isConnected: Bool { isSynced(status) }

    static func monitorID(_ m: Int) -> JSON { .string("replica-\(m)") }

    // MARK: the connection loop

    private func runLoop() async {
        var backoff = configuration.backoff
        while !Task.isCancelled {
            let (start, minimumIndex, remotes) = state.withLockedValue { ($0.nextRemote, $0.highestIndex, $0.remotes) }
            var connector = self.connector
            connector.remotes = remotes
            let connection: OVSDBConnection
            let status: ServerDatabaseStatus
            var followers = 0
            do {
                let picked = try await connector.connectOnce(start: start, minimumIndex: minimumIndex, followersSeen: &followers)
                connection = picked.0
                status = picked.1
                state.withLockedValue { $0.nextRemote = picked.remoteIndex }
            } catch {
                if Task.isCancelled { break }
                var electionPause = Backoff(initial: configuration.electionRetry, maximum: configuration.electionRetry)
                let delay = followers > 0 ? electionPause.next() : backoff.next()
                logger.info("\(error); retrying in \(delay)")
                setStatus(.disconnected(reason: "\(error)"))
                try? await Task.sleep(for: delay)
                continue
            }
            do {
                try await serve(connection, status: status)
                backoff.reset()
            } catch {
                logger.info("\(connection.remote): \(error)")
                setStatus(.disconnected(reason: "\(error)"))
                await connection.close()
            }
            let reason = await connection.closed()
            if Task.isCancelled { break }
            setStatus(.disconnected(reason: "\(reason)"))
            // The same member first: a restarted standalone server comes back at its address.
            try? await Task.sleep(for: backoff.next())
        }
    }

    /// Monitors on `connection` until it closes.
    private func serve(_ connection: OVSDBConnection, status: ServerDatabaseStatus) async throws {
        let watchdog = Task { [weak self] in
            try await Task.sleep(for: self?.configuration.syncTimeout ?? .seconds(60))
            guard let self, self.state.withLockedValue({ $0.connection === connection && !self.isSynced($0.status) }) else { return }
            self.logger.info("\(connection.remote): no complete sync within \(self.configuration.syncTimeout); reconnecting")
            connection.channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        let schema = try await connection.schema(of: database)
        let generation = try prepareStore(for: connection, schema: schema, status: status)
        _ = try? await connection.setDatabaseChangeAware(true)
        if status.model == .clustered {
            let serverSchema = try await connection.schema(of: "_Server")
            let sink = try ServerStatusSink(replica: self, generation: generation, schema: serverSchema, database: database)
            _ = try await connection.monitor("_Server", id: "server-status", requests: ServerStatusSink.requests(database),
                                             method: .monitorCond, sink: sink)
        }
        var method = MonitorMethod.monitorCondSince
        let count = state.withLockedValue { $0.requests.count }
        for m in 0..<count {
            while true {
                let (asked, since, resuming) = state.withLockedValue { s in (s.requests[m], s.lastTransaction[m], s.synced[m]) }
                // Columns named explicitly: a server with a newer schema sends nothing unknown,
                // and no `_version`.
                let requests = asked.map { r in
                    var r = r
                    if r.columns == nil { r.columns = schema.tables[r.table]?.columnNames }
                    return r
                }
                let sink = ReplicaMonitorSink(replica: self, monitor: m, generation: generation, method: method, schema: schema, resuming: resuming,
                                              requests: requests)
                do {
                    _ = try await connection.monitor(database, id: Self.monitorID(m), requests: requests, method: method, since: since, sink: sink)
                    break
                } catch OVSDBClientError.rpcError(_, let error) where error["error"]?.stringValue == "unknown method" && method != .monitor {
                    method = method == .monitorCondSince ? .monitorCond : .monitor
                    logger.info("\(connection.remote) has no \(method.rawValue == "monitor" ? "monitor_cond" : "monitor_cond_since"); using \(method.rawValue)")
                }
            }
        }
        let synced = state.withLockedValue { s -> [CheckedContinuation<Void, Error>]? in
            guard s.generation == generation, s.connection === connection else { return nil }
            s.status = .synced(remote: connection.remote, model: status.model)
            s.statistics.connections += 1
            defer { s.syncWaiters = [] }
            return s.syncWaiters
        }
        guard let synced else { return }
        for w in synced { w.resume() }
        logger.info("\(connection.remote): replica synced")
        if let interval = configuration.probeInterval {
            // The probe sleeps between checks; a connection that closes meanwhile (the server
            // cancelled the monitor, went away) must not wait out the interval to reconnect.
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.probe(connection, every: interval) }
                group.addTask { _ = await connection.closed() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Sends `echo` when the server has been quiet for `interval`; closes the connection when
    /// the echo is not answered within `interval`.
    private func probe(_ connection: OVSDBConnection, every interval: Duration) async {
        while connection.isActive, !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let quiet = state.withLockedValue { ContinuousClock.now - $0.lastActivity >= interval }
            guard quiet, connection.isActive else { continue }
            let answered = (try? await runBefore(.now + interval, orThrow: { CancellationError() }) {
                try await connection.echo(["probe"])
            }) != nil

            if answered {
                noteActivity()
            } else if connection.isActive, !Task.isCancelled {
                state.withLockedValue { $0.statistics.probesFailed += 1 }
                logger.info("\(connection.remote): no answer to the inactivity probe; reconnecting")
                await connection.close()
            }
        }
    }

    /// Makes a store for `schema`, keeping the rows of the old one when the schema changed
    /// (they are then compared with what the server sends), and makes `connection` current.
    private func prepareStore(for connection: OVSDBConnection, schema: DatabaseSchema, status: ServerDatabaseStatus) throws -> Int {
        try state.withLockedValue { s in
            guard s.remotes.contains(connection.remote) else {
                throw OVSDBClientError.connectionClosed(reason: "\(connection.remote) was removed from the remotes while connecting")
            }
            if s.store?.schema != schema {
                let fresh = try ReplicaStore(schema: schema, monitors: s.requests, indexes: s.indexes)
                if s.store != nil {
                    // A converted database: every monitor resyncs in full.
                    s.lastTransaction = Array(repeating: nil, count: s.requests.count)
                    s.store = fresh.migrating(from: s.store!)
                } else {
                    s.store = fresh
                }
            }
            if let i = status.index { s.highestIndex = max(s.highestIndex ?? i, i) }
            s.generation += 1
            s.connection = connection
            s.lastActivity = .now
            return s.generation
        }
    }

    private func isSynced(_ status: Status) -> Bool {
        if case .synced = status { return true }
        return false
    }

    private func setStatus(_ status: Status) {
        state.withLockedValue { s in
            if !s.stopped { s.status = status }
        }
    }

    // MARK: called by the sinks, on the event loop

    func noteActivity() {
        state.withLockedValue { $0.lastActivity = .now }
    }

    func applyReply(_ reply: MonitorReply, monitor: Int, generation: Int, resuming: Bool) throws {
        try state.withLockedValue { s in
            guard s.generation == generation, var store = s.store else { return }
            s.store = nil
            defer { s.store = store }
            let changes: [ReplicaChange]
            let cause: ReplicaChangeSet.Cause
            if resuming, reply.found {
                changes = try store.apply(reply.updates, monitor: monitor)
                cause = .resumed
                s.statistics.resumedWithDelta += 1
            } else {
                changes = try store.resync(reply.updates, monitor: monitor)
                cause = .initial
                s.statistics.fullSyncs += 1
            }
            s.synced[monitor] = true
            if let id = reply.lastTransactionID { s.lastTransaction[monitor] = id }
            s.lastActivity = .now
            publish(ReplicaChangeSet(cause: cause, transactionID: reply.lastTransactionID, changes: changes), to: &s)
        }
    }

    func applyUpdate(_ updates: TableUpdates, transactionID: OVSDBUUID?, monitor: Int, generation: Int) throws {
        try state.withLockedValue { s in
            guard s.generation == generation, var store = s.store else { return }
            s.store = nil
            defer { s.store = store }
            s.lastActivity = .now
            let changes = try store.apply(updates, monitor: monitor)
            if let transactionID { s.lastTransaction[monitor] = transactionID }
            s.statistics.updatesApplied += 1
            if !changes.isEmpty {
                publish(ReplicaChangeSet(cause: .update, transactionID: transactionID, changes: changes), to: &s)
            }
        }
    }

    private func publish(_ set: ReplicaChangeSet, to s: inout State) {
        configuration.observer?(set)
        for (id, c) in s.subscribers {
            if case .dropped = c.yield(set) {
                c.finish()
                s.subscribers[id] = nil
            }
        }
    }

    func serverStatusChanged(_ status: ServerDatabaseStatus, generation: Int) {
        let connection = state.withLockedValue { s -> OVSDBConnection? in
            guard s.generation == generation else { return nil }
            if let i = status.index { s.highestIndex = max(s.highestIndex ?? i, i) }
            return s.connection
        }
        // No index check here: the member in use sets the highest index itself.
        guard let connection, let why = status.refusal(leaderOnly: configuration.leaderOnly, minimumIndex: nil) else { return }
        logger.info("\(connection.remote) is now \(why); moving to another member")
        state.withLockedValue { $0.nextRemote += 1 }
        connection.channel.close(promise: nil)
    }

    func dropConnection(generation: Int, because why: String) {
        let connection = state.withLockedValue { s -> OVSDBConnection? in
            guard s.generation == generation else { return nil }
            return s.connection
        }
        guard let connection else { return }
        logger.warning("\(connection.remote): \(why); reconnecting")
        connection.channel.close(promise: nil)
    }
}
