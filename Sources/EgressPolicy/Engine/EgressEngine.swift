import OVNSchema
import OVSDBClient

/// Reads, plans and applies: the one step that talks to the database.
public struct EgressEngine: Sendable {
    public let connection: OVSDBConnection
    public let settings: EngineSettings

    public init(connection: OVSDBConnection, settings: EngineSettings) {
        self.connection = connection
        self.settings = settings
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
        let live = try await LiveState.read(connection, schema: schema, settings: settings, families: families(of: input))
        return try plan(input, live: live, prune: prune)
    }

    /// As `plan(_:prune:schema:)`, reading the database while the manifests are still being
    /// read: every family's address set is read and the state then narrowed to the input's.
    func plan(loading input: Task<ClusterInput, any Error>, prune: Bool, schema: DatabaseSchema) async throws -> Plan {
        async let read = LiveState.read(connection, schema: schema, settings: settings,
                                        families: settings.families ?? Set(IPAddress.Family.allCases))
        let loaded = try await input.value
        let live = try await read.narrowed(to: families(of: loaded))
        return try plan(loaded, live: live, prune: prune)
    }

    private func families(of input: ClusterInput) -> Set<IPAddress.Family> {
        settings.families ?? Set(input.nodes.values.flatMap { $0.subnets.map(\.family) })
    }

    private func plan(_ input: ClusterInput, live: LiveState, prune: Bool) throws -> Plan {
        let inInput = Set(input.egressServices.map(\.key))
        let desired = DesiredState(input, settings: settings, liveHosts: live.currentHosts(nodes: input.nodes),
                                   keptClaims: prune ? [:] : live.claims(outside: inInput))
        return try Plan(desired: desired, live: live, settings: settings, scope: prune ? .prune : .services(inInput))
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
            let live = try await LiveState.read(connection, schema: schema, settings: settings, families: [.v4, .v6])
            return try Plan(removing: owner, live: live, settings: settings)
        }
    }

    private func guardedWrite(maxAttempts: Int, beforeWrite: (Plan) async throws -> Void,
                              makePlan: (DatabaseSchema) async throws -> Plan) async throws -> Report {
        let schema = try await connection.schema(of: OVNNorthbound.name)
        for attempt in 1...maxAttempts {
            let plan = try await makePlan(schema)
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
