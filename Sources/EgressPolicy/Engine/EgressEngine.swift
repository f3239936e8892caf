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

    public func plan(_ input: ClusterInput) async throws -> Plan {
        let schema = try await connection.schema(of: OVNNorthbound.name)
        return try await plan(input, schema: schema)
    }

    func plan(_ input: ClusterInput, schema: DatabaseSchema) async throws -> Plan {
        let families = settings.families ?? Set(input.nodes.values.flatMap { $0.subnets.map(\.family) })
        let live = try await LiveState.read(connection, schema: schema, settings: settings, families: families)
        let desired = DesiredState(input, settings: settings, liveHosts: live.currentHosts(nodes: input.nodes))
        return try Plan(desired: desired, live: live, settings: settings)
    }

    /// Plans and applies as one transaction guarded by `wait`s on what was read; when another
    /// writer changed it meanwhile, reads again and retries.
    ///
    /// `beforeWrite` sees each plan before its transaction is sent and may throw to stop the
    /// apply with nothing written (the CLI's `--strict` uses it to refuse warnings).
    public func apply(_ input: ClusterInput, maxAttempts: Int = 5,
                      beforeWrite: (Plan) throws -> Void = { _ in }) async throws -> Report {
        let schema = try await connection.schema(of: OVNNorthbound.name)
        for attempt in 1...maxAttempts {
            let plan = try await plan(input, schema: schema)
            try beforeWrite(plan)
            let ops = plan.operations
            guard !ops.isEmpty else { return Report(plan: plan, writesSent: 0, attempts: attempt) }
            do {
                _ = try await connection.transact(OVNNorthbound.name, ops, schema: schema)
                return Report(plan: plan, writesSent: ops.filter(\.isWrite).count, attempts: attempt)
            } catch OVSDBClientError.transactionFailed(let index, _, let error) where Self.isConflict(index, error, ops) {
                continue
            }
        }
        throw EngineError.conflict(attempts: maxAttempts)
    }

    /// A guard that no longer holds, or a row inserted concurrently under a unique name.
    private static func isConflict(_ index: Int?, _ error: OVSDBError, _ ops: [OVSDBOperation]) -> Bool {
        if let index, index < ops.count, case .wait = ops[index] { return true }
        return error.tag == "constraint violation" && (error.details ?? "").contains("index")
    }
}
