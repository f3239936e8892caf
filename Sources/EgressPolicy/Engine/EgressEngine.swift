import OVNSchema
import OVSDBClient

/// Reads, plans and applies: the one step that talks to the database.
public struct EgressEngine: Sendable {
    /// Which nodes the database routes, so which endpoints are local to it.
    public enum ZoneSource: Sendable, Hashable {
        /// Every node: the database is the whole cluster's.
        case everyNode
        /// The zone of this name (`--zone`), whatever the database says.
        case named(String)
        /// The zone the database's `NB_Global.name` names (empty: `global`).
        case database

        /// The zone a database read as `live` is, with its member nodes among `input`'s.
        public func zone(of live: LiveState, input: ClusterInput) throws(EngineError) -> Zone {
            switch self {
            case .everyNode: return .everyNode
            case .named(let name): return Zone(named: name, in: input)
            case .database:
                guard let name = live.nbGlobalName else { throw .nbGlobalMissing }
                return Zone(named: Zone.name(fromNBGlobal: name), in: input)
            }
        }
    }

    public let connection: OVSDBConnection
    public let settings: EngineSettings
    public let zoneSource: ZoneSource

    public init(connection: OVSDBConnection, settings: EngineSettings, zone: ZoneSource = .everyNode) {
        self.connection = connection
        self.settings = settings
        zoneSource = zone
    }

    /// Whether static routes are read: only a database that may be one zone among several
    /// has a catch-all route (a read of one database of the whole cluster stays as it was).
    var readsRoutes: Bool { zoneSource != .everyNode }

    /// The zone this database is, with its member nodes among `input`'s.
    public func zone(of live: LiveState, input: ClusterInput) throws(EngineError) -> Zone {
        try zoneSource.zone(of: live, input: input)
    }

    /// What an apply did.
    public struct Report: Sendable {
        public var plan: Plan
        /// Write operations sent (0 when nothing differed).
        public var writesSent: Int
        /// Transactions tried (more than 1 when a concurrent writer changed what was read).
        public var attempts: Int
    }

    /// What `apply` would do. Without `prune`, only the services in `input` are planned and
    /// other owned services' rows are kept; with it, those rows are removed.
    public func plan(_ input: ClusterInput, prune: Bool = false) async throws -> Plan {
        let schema = try await connection.schema(of: OVNNorthbound.name)
        return try await plan(input, prune: prune, schema: schema)
    }

    func plan(_ input: ClusterInput, prune: Bool, schema: DatabaseSchema) async throws -> Plan {
        let live = try await LiveState.read(connection, schema: schema, settings: settings, routes: readsRoutes, families: families(of: input))
        return try plan(input, live: live, prune: prune)
    }

    /// As `plan(_:prune:schema:)`, reading the database while the manifests are still being
    /// read: every family's address set is read and the state then narrowed to the input's.
    func plan(loading input: Task<ClusterInput, any Error>, prune: Bool, schema: DatabaseSchema) async throws -> Plan {
        async let read = LiveState.read(connection, schema: schema, settings: settings, routes: readsRoutes,
                                        families: settings.families ?? Set(IPAddress.Family.allCases))
        let loaded = try await input.value
        let live = try await read.narrowed(to: families(of: loaded))
        return try plan(loaded, live: live, prune: prune)
    }

    func families(of input: ClusterInput) -> Set<IPAddress.Family> {
        settings.families ?? Set(input.nodes.values.flatMap { $0.subnets.map(\.family) })
    }

    /// Reads what planning looks at, for every family (narrowed to the input's when planned).
    func readLive(schema: DatabaseSchema) async throws -> LiveState {
        try await LiveState.read(connection, schema: schema, settings: settings, routes: readsRoutes,
                                 families: settings.families ?? Set(IPAddress.Family.allCases))
    }

    /// Plans this database's zone. `assignment`: the host choice made once for every zone;
    /// nil: chosen here, from what this database reroutes to now.
    func plan(_ input: ClusterInput, live: LiveState, prune: Bool, assignment: HostAssignment? = nil) throws -> Plan {
        let inInput = Set(input.egressServices.map(\.key))
        let zone = try zone(of: live, input: input)
        let claims = prune ? [:] : live.claims(outside: inInput)
        let desired = DesiredState(input, settings: settings,
                                   assignment: assignment ?? HostSelection.select(input, settings: settings,
                                                                                  liveHosts: live.currentHosts(nodes: input.nodes)),
                                   keptClaims: claims, zone: zone)
        return try Plan(desired: desired, live: live, settings: settings, scope: prune ? .prune : .services(inInput))
    }

    /// Writes `first` (planned from what was read), guarded; when another writer changed it
    /// meanwhile, reads again and plans with the same host choice.
    func apply(_ first: Plan, input: ClusterInput, prune: Bool, assignment: HostAssignment, maxAttempts: Int = 5) async throws -> Report {
        try await guardedWrite(maxAttempts: maxAttempts, first: first, beforeWrite: { _ in }) { schema in
            let live = try await LiveState.read(connection, schema: schema, settings: settings, routes: readsRoutes, families: families(of: input))
            return try plan(input, live: live, prune: prune, assignment: assignment)
        }
    }

    /// Plans and applies as one transaction guarded by `wait`s on what was read; when another
    /// writer changed it meanwhile, reads again and retries.
    ///
    /// `beforeWrite` sees each plan before its transaction is sent and may throw to stop the
    /// apply with nothing written (the CLI's `--strict` uses it to refuse warnings; tests use
    /// it to write concurrently).
    public func apply(_ input: ClusterInput, prune: Bool = false, maxAttempts: Int = 5,
                      beforeWrite: (Plan) async throws -> Void = { _ in }) async throws -> Report {
        try await guardedWrite(maxAttempts: maxAttempts, beforeWrite: beforeWrite) { schema in
            try await plan(input, prune: prune, schema: schema)
        }
    }

    /// As `apply(_:prune:)` with the manifests still being read (`input`): the database read
    /// overlaps them, and nothing is written before they are read and checked.
    public func apply(loading input: Task<ClusterInput, any Error>, prune: Bool = false, maxAttempts: Int = 5,
                      beforeWrite: (Plan) async throws -> Void = { _ in }) async throws -> Report {
        try await guardedWrite(maxAttempts: maxAttempts, beforeWrite: beforeWrite) { schema in
            try await plan(loading: input, prune: prune, schema: schema)
        }
    }

    /// As `plan(_:prune:)` with the manifests still being read.
    public func plan(loading input: Task<ClusterInput, any Error>, prune: Bool = false) async throws -> Plan {
        let schema = try await connection.schema(of: OVNNorthbound.name)
        return try await plan(loading: input, prune: prune, schema: schema)
    }

    /// Deletes one service's rows (`namespace/name`) the same way: one guarded transaction,
    /// planned again on fresh state when another writer got in between.
    public func delete(service owner: String, maxAttempts: Int = 5,
                       beforeWrite: (Plan) async throws -> Void = { _ in }) async throws -> Report {
        try await guardedWrite(maxAttempts: maxAttempts, beforeWrite: beforeWrite) { schema in
            let live = try await LiveState.read(connection, schema: schema, settings: settings, routes: readsRoutes, families: [.v4, .v6])
            var plan = try Plan(removing: owner, live: live, settings: settings)
            if let zone = try? zone(of: live, input: ClusterInput()) { plan.zone = zone.name }
            return plan
        }
    }

    private func guardedWrite(maxAttempts: Int, first: Plan? = nil, beforeWrite: (Plan) async throws -> Void,
                              makePlan: (DatabaseSchema) async throws -> Plan) async throws -> Report {
        let schema = try await connection.schema(of: OVNNorthbound.name)
        for attempt in 1...maxAttempts {
            let plan: Plan
            if attempt == 1, let first { plan = first } else { plan = try await makePlan(schema) }
            try await beforeWrite(plan)
            guard !plan.isEmpty else { return Report(plan: plan, writesSent: 0, attempts: attempt) }
            do {
                let results = try await connection.transact(OVNNorthbound.name, plan.operationSequence, schema: schema)
                // Every operation but the guards writes.
                return Report(plan: plan, writesSent: results.count - plan.guards.count, attempts: attempt)
            } catch OVSDBClientError.transactionFailed(_, let operation, let error) where Self.isConflict(operation, error) {
                continue
            }
        }
        throw EngineError.conflict(attempts: maxAttempts)
    }

    /// A guard that no longer holds, or a row inserted concurrently under a unique name.
    private static func isConflict(_ operation: String?, _ error: OVSDBError) -> Bool {
        operation == "wait" || (error.tag == "constraint violation" && (error.details ?? "").contains("index"))
    }
}
