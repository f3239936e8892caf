import CMalloc
import CoreMetrics
import Logging
import OVNSchema
import OVSDBClient
import ServiceLifecycle

/// Keeps an OVN Northbound database reconciled with cluster objects as they change: the
/// long-lived form of `EgressEngine.apply`.
///
/// It holds a replica of exactly the rows it plans from (the router, the priority-101 and
/// -102 policies, the managed address sets), so a pass reads nothing from the server; it
/// replans when objects change (`upsert`, `delete`, `replace`) or when the database changes
/// under it (another writer deleting or editing an owned row), coalescing bursts, and writes
/// each difference as one guarded transaction. With a lock name (the default), only the
/// instance holding that OVSDB lock writes: run two for high availability.
///
/// ```swift
/// let controller = EgressController(remotes: try RemoteAddress.list("unix:/run/ovn/ovnnb_db.sock"))
/// try await controller.upsert(objects)
/// try await controller.run() // until cancelled or a graceful shutdown
/// ```
public actor EgressController: ServiceLifecycle.Service {
    public struct Configuration: Sendable {
        public var settings = EngineSettings()
        /// Also remove owned rows of services never seen in the input (as `apply --prune`).
        /// Without it, only the rows of services that were in the input and left it are removed.
        public var prune = false
        /// The OVSDB lock that only one writer holds; nil: write without one.
        public var lockName: String? = EgressController.defaultLockName
        /// A pass waits until changes have been quiet this long...
        public var coalesce: Duration = .milliseconds(5)
        /// ...but no longer than this after the first of them.
        public var maxDelay: Duration = .milliseconds(500)
        /// After a failed pass (the router missing, the connection lost), try again this late.
        public var retryDelay: Duration = .seconds(1)
        public var replica = OVSDBReplica.Configuration()
        /// Where the counters and gauges go (`ovn_egressctl_*`); nil: nowhere.
        public var metrics: (any MetricsFactory)?
        /// Which nodes the database routes: `.everyNode` (one database for the cluster), or
        /// one interconnect zone, named by its `NB_Global.name` or given. A zone's pass
        /// always plans every service (its rows depend on every node's zone).
        public var zone: EgressEngine.ZoneSource = .everyNode
        /// With several zones in one process: the `zone` dimension of every metric.
        public var zoneLabel: String?
        /// Shared by the controllers of every zone of one cluster so they keep one host
        /// choice; nil: this controller's own choice.
        public var hostLedger: HostLedger?
        /// Writes each service's host back to the cluster (`status.host`, the node label);
        /// nil: nothing is written back.
        public var statusWriter: StatusWriter?
        public var logger = Logger(label: "ovn-egressctl")
        public init() {}
    }

    /// The lock `ovn-egressctl run` instances share.
    public static let defaultLockName = "ovn_egressctl"

    public nonisolated let replica: OVSDBReplica
    private let configuration: Configuration
    private let metrics: ControllerMetrics
    private var logger: Logger { configuration.logger }

    private var objects = ClusterObjectStore()
    private let cache: LiveCache
    private var planner = IncrementalPlanner()
    /// Services whose objects changed since the last pass began; `changedEverything`: a
    /// node changed, or a pass failed, and the next one plans every service.
    private var changedServices: Set<String> = []
    private var changedEverything = true
    private var pending: Set<ReconcileReport.Trigger> = []
    private var firstPending: ContinuousClock.Instant?
    private var lastTrigger = ContinuousClock.now
    private var wake: CheckedContinuation<Void, Never>?
    private var stopping = false
    private var passInFlight = false
    private var holdsLock: Bool
    private var lockAnswered: Bool
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var subscribers: [Int: AsyncStream<ReconcileReport>.Continuation] = [:]
    private var nextSubscriber = 0
    private var retryTask: Task<Void, Never>?
    private var statusGeneration = 0

    public init(remotes: [RemoteAddress], configuration: Configuration = Configuration()) {
        self.configuration = configuration
        metrics = ControllerMetrics(factory: configuration.metrics ?? NOOPMetricsHandler.instance,
                                    dimensions: configuration.zoneLabel.map { [("zone", $0)] } ?? [])
        holdsLock = configuration.lockName == nil
        lockAnswered = configuration.lockName == nil
        let cache = LiveCache()
        self.cache = cache
        var replicaConfiguration = configuration.replica
        let observer = replicaConfiguration.observer
        replicaConfiguration.observer = { set in
            cache.apply(set)
            observer?(set)
        }
        replica = OVSDBReplica(remotes: remotes, database: OVNNorthbound.name,
                               monitors: [LiveState.monitorRequests(settings: configuration.settings, zone: configuration.zone != .everyNode)],
                               configuration: replicaConfiguration)
    }

    // MARK: input

    /// Adds or replaces objects (checked as the API server checks names and labels).
    public func upsert(_ newObjects: [ClusterObject], source: String = "api") throws(ManifestError) {
        inputChanged(try objects.upsert(checking: newObjects, source: source))
    }

    /// Removes objects; unknown keys are ignored.
    public func delete(_ keys: [ObjectKey]) {
        inputChanged(objects.remove(keys))
    }

    /// Makes `source` (a file, say) hold exactly `newObjects`: objects it held before and
    /// no longer lists are removed. Refused, with nothing changed, when an object is held by
    /// another source.
    public func replace(source: String, with newObjects: [ClusterObject]) throws(ManifestError) {
        inputChanged(try objects.replace(source: source, with: newObjects))
    }

    public func removeSource(_ source: String) {
        inputChanged(objects.removeSource(source))
    }

    /// Removes the sources whose names start with `prefix` (a removed folder's files).
    public func removeSources(under prefix: String) {
        inputChanged(objects.removeSources(withPrefix: prefix))
    }

    /// Why the controller is not following the database now (nil: its replica is synced);
    /// also brings the `ovn_egressctl_connected` gauge up to date, for a scrape.
    public nonisolated func health() -> String? {
        let status = replica.status
        if case .synced = status {
            metrics.connected.record(1)
            return nil
        }
        metrics.connected.record(0)
        return "\(status)"
    }

    public var objectCount: Int { objects.count }
    /// Passes so far that planned every service, and those that planned only what changed.
    /// Passes so far that planned every service, those that planned only what changed, and
    /// those that wrote.
    public private(set) var passCounts = (full: 0, partial: 0, writing: 0)
    public var isLockHolder: Bool { holdsLock }

    /// Every pass from now on.
    public func reports() -> AsyncStream<ReconcileReport> {
        let (stream, continuation) = AsyncStream<ReconcileReport>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        nextSubscriber += 1
        let id = nextSubscriber
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    private func unsubscribe(_ id: Int) { subscribers[id] = nil }

    /// Returns once every change given so far has been planned (and written, by the lock
    /// holder), or at once when this instance is not the writer or is stopping.
    public func drain() async {
        // Until the server has answered the first lock request, whether this instance is the
        // writer is not known yet.
        while !stopping && (!lockAnswered || (holdsLock && (!pending.isEmpty || passInFlight))) {
            await withCheckedContinuation { idleWaiters.append($0) }
        }
    }

    /// Ends `run` after the pass in flight; nothing is cut short.
    public func stop() {
        stopping = true
        resumeLoop()
        for w in idleWaiters { w.resume() }
        idleWaiters = []
    }

    // MARK: the loop

    /// Syncs the replica, reconciles, and keeps reconciling until `stop`, cancellation, or a
    /// graceful shutdown (service-lifecycle): the pass in flight is finished first.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.runLoop()
        } onGracefulShutdown: {
            Task { await self.stop() }
        }
    }

    private func runLoop() async throws {
        let changes = replica.changes()
        // A change set from the replica, the controller's own writes included: the pass it
        // triggers plans only the services whose rows changed (the cache knows which), so
        // the echo of a write costs a plan of what it wrote, and writes nothing.
        let changeTask = Task {
            for await _ in changes {
                self.trigger(.database)
            }
        }
        let lockTask = configuration.lockName.map { name in Task { await self.holdLock(name) } }
        defer {
            changeTask.cancel()
            lockTask?.cancel()
            retryTask?.cancel()
        }
        try await withTaskCancellationHandler {
            try await startReplica()
            trigger(.start)
            while await nextPass() {
                await pass()
            }
        } onCancel: {
            Task { await self.stop() }
        }
        await replica.close()
        for c in subscribers.values { c.finish() }
        subscribers = [:]
    }

    /// Starts the replica, giving up (without an error) when stopped meanwhile.
    private func startReplica() async throws {
        let start = Task { [replica] in try await replica.start() }
        let watcher = Task { [replica, logger] in
            var waited = 0
            while !self.stopping, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                waited += 50
                if waited % 5000 == 0, case .disconnected(let reason) = replica.status {
                    logger.warning("no usable database yet (\(reason)); still trying")
                }
            }
            // Closing ends the wait for the first sync.
            if self.stopping { await replica.close() }
        }
        defer { watcher.cancel() }
        do {
            try await start.value
        } catch is CancellationError where stopping {
        } catch where stopping {
        }
        _ = health()
    }

    /// Waits for work, then for the burst to settle. False: stop.
    private func nextPass() async -> Bool {
        while !stopping {
            if pending.isEmpty || !holdsLock {
                for w in idleWaiters { w.resume() }
                idleWaiters = []
                await withCheckedContinuation { wake = $0 }
                continue
            }
            let now = ContinuousClock.now
            let quiet = now - lastTrigger
            let waited = now - (firstPending ?? now)
            if quiet >= configuration.coalesce || waited >= configuration.maxDelay { return true }
            try? await Task.sleep(for: min(configuration.coalesce - quiet, configuration.maxDelay - waited))
        }
        return false
    }

    private func resumeLoop() {
        wake?.resume()
        wake = nil
    }

    private func trigger(_ why: ReconcileReport.Trigger) {
        if pending.isEmpty { firstPending = .now }
        pending.insert(why)
        lastTrigger = .now
        resumeLoop()
    }

    private func inputChanged(_ touched: [ClusterObject]) {
        guard !touched.isEmpty else { return }
        metrics.objects.record(objects.count)
        if let services = ClusterObjectStore.services(touchedBy: touched) {
            changedServices.formUnion(services)
        } else {
            changedEverything = true
        }
        trigger(.input)
    }

    private func setHolder(_ holds: Bool) {
        guard holds != holdsLock else { return }
        holdsLock = holds
        metrics.lockHolder.record(holds ? 1 : 0)
        if !stopping { logger.info(holds ? "took the lock \(configuration.lockName ?? ""); this instance writes" : "does not hold the lock \(configuration.lockName ?? ""); not writing") }
        if holds { trigger(.lockAcquired) } else {
            for w in idleWaiters { w.resume() }
            idleWaiters = []
        }
    }

    private func lockWasAnswered() {
        guard !lockAnswered else { return }
        lockAnswered = true
        for w in idleWaiters { w.resume() }
        idleWaiters = []
    }

    /// Holds the lock on whatever connection the replica uses, asking again after each
    /// reconnect. Writes also assert it, so a stale belief here cannot write.
    private func holdLock(_ name: String) async {
        while !stopping, !Task.isCancelled {
            guard let (connection, _) = try? await replica.currentConnection() else {
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            let (events, continuation) = AsyncStream<LockEvent>.makeStream()
            do {
                let granted = try await connection.lock(name, sink: LockSink(continuation))
                if granted { setHolder(true) }
                lockWasAnswered()
                for await event in events {
                    switch event {
                    case .locked: setHolder(true)
                    // The server keeps a robbed client waiting: `locked` comes again when the
                    // thief lets go.
                    case .stolen: setHolder(false)
                    case .closed: setHolder(false)
                    }
                }
            } catch {
                setHolder(false)
                logger.info("lock \(name): \(error)")
                try? await Task.sleep(for: configuration.retryDelay)
            }
            setHolder(false)
        }
    }

    // MARK: a pass

    private func pass() async {
        let triggers = pending
        pending = []
        firstPending = nil
        passInFlight = true
        defer { passInFlight = false }
        let started = ContinuousClock.now
        var report = ReconcileReport(triggers: triggers)
        do {
            try await reconcile(&report)
        } catch {
            report.error = "\(error)"
        }
        report.duration = ContinuousClock.now - started
        // A full pass (the first above all: the initial sync and a cold write of every row)
        // leaves megabytes of transient JSON freed but held by malloc's arenas; hand them back.
        if report.full { malloc_trim(0) }
        if report.error != nil {
            metrics.errors.increment()
            scheduleRetry()
        }
        metrics.reconciles.increment()
        metrics.lastDuration.record(report.duration.seconds)
        if report.isDriftRepair { metrics.driftRepairs.increment() }
        if report.writes > 0 || report.error != nil || triggers.contains(.input) || triggers.contains(.start) {
            report.error == nil ? logger.info("\(report.summary)") : logger.error("\(report.summary)")
        } else {
            logger.debug("\(report.summary)")
        }
        for c in subscribers.values { c.yield(report) }
    }

    private func scheduleRetry() {
        retryTask?.cancel()
        let delay = configuration.retryDelay
        retryTask = Task {
            try? await Task.sleep(for: delay)
            if !Task.isCancelled { self.trigger(.retry) }
        }
    }

    private func reconcile(_ report: inout ReconcileReport) async throws {
        // An empty input would mean "nothing should exist": refused, as apply refuses it.
        guard !objects.isEmpty else {
            report.error = "no objects in the input; nothing planned, nothing written"
            return
        }
        let fromDatabase = cache.takeChanged()
        let full = changedEverything || fromDatabase.all || !report.triggers.isDisjoint(with: [.start, .lockAcquired, .retry])
        let changed = full ? nil : changedServices.union(fromDatabase.owners)
        changedEverything = false
        changedServices = []
        do {
            try await write(&report, changed: changed)
        } catch {
            // Whatever this pass meant to do, the next one plans everything again.
            changedEverything = true
            throw error
        }
    }

    /// Hands the status each planned service needs to the status writer, which runs it
    /// aside: a slow or failing API server never holds up a pass.
    private func reportStatus(_ outcome: IncrementalPlanner.Outcome) {
        guard let writer = configuration.statusWriter else { return }
        let nodes = objects.nodes
        var commands: [String: [[String]]] = [:]
        for key in outcome.planned where !key.hasSuffix(DesiredState.interconnectSuffix) {
            commands[key] = StatusCommands.commands(key: key, egressService: objects.egressService(key), host: outcome.plan.hosts[key],
                                                    nodes: nodes, zone: outcome.desired.zone)
        }
        statusGeneration += 1
        let generation = statusGeneration
        Task { await writer.want(commands, generation: generation) }
    }

    private func write(_ report: inout ReconcileReport, changed: Set<String>?) async throws {
        let settings = configuration.settings
        let maxAttempts = 5
        for attempt in 1...maxAttempts {
            report.attempts = attempt
            let planStart = ContinuousClock.now
            // After a failed guard, plan everything: the change that broke it may be anywhere.
            let outcome = try planner.plan(objects: objects, cache: cache, changed: attempt == 1 ? changed : nil,
                                           settings: settings, prune: configuration.prune,
                                           zone: configuration.zone, ledger: configuration.hostLedger)
            var plan = outcome.plan
            report.plan = plan
            report.full = outcome.full
            report.servicesPlanned = outcome.planned.count
            if outcome.full { passCounts.full += 1 } else { passCounts.partial += 1 }
            metrics.ownedPolicies.record(cache.ownedCount)
            report.planning += ContinuousClock.now - planStart
            let inInput = Set(outcome.desired.assignment.hosts.keys)
            guard !plan.isEmpty else {
                planner.commit(outcome, input: inInput, ledger: configuration.hostLedger)
                reportStatus(outcome)
                return
            }
            plan.guardOnlyWhatChanges(live: outcome.live)
            var ops = plan.operations
            if let lock = configuration.lockName { ops.insert(.assert(lock: lock), at: 0) }
            report.operationsSent += ops.count
            metrics.transactions.increment()
            let writeStart = ContinuousClock.now
            defer { report.writing += ContinuousClock.now - writeStart }
            do {
                _ = try await replica.transact(ops)
                planner.commit(outcome, input: inInput, ledger: configuration.hostLedger)
                reportStatus(outcome)
                report.writes = ops.filter(\.isWrite).count
                metrics.writeOperations.increment(by: Int64(report.writes))
                passCounts.writing += 1
                return
            } catch OVSDBClientError.transactionFailed(let index, _, let error) {
                if error.tag == "not owner" {
                    setHolder(false)
                    report.error = "this instance lost the lock \(configuration.lockName ?? ""); nothing written"
                    return
                }
                let isGuard = index.map { $0 < ops.count && ops[$0].name == "wait" } ?? false
                let isIndexRace = error.tag == "constraint violation" && (error.details ?? "").contains("index")
                guard isGuard || isIndexRace else { throw OVSDBClientError.transactionFailed(operationIndex: index, operation: nil, error: error) }
                // The replica already holds the change that broke the guard (the server sends
                // updates before the reply): plan again at once.
                metrics.conflicts.increment()
            }
        }
        throw EngineError.conflict(attempts: maxAttempts)
    }
}
