import OVNSchema
import OVSDBClient

/// The minimal set of changes that makes the database match the manifests: a value that can
/// be printed, turned into JSON, or applied as one guarded transaction.
public struct Plan: Sendable {
    public struct PolicyRemoval: Sendable, Hashable {
        public var owner: String
        public var match: String
        public var uuid: OVSDBUUID
        public var reason: String
    }

    public struct NexthopRepair: Sendable, Hashable {
        public var owner: String
        public var match: String
        public var uuid: OVSDBUUID
        public var from: [String]
        public var to: String
    }

    public struct AddressChange: Sendable, Hashable {
        public var name: String
        public var family: IPAddress.Family
        public var create: DesiredAddressSet?
        public var uuid: OVSDBUUID?
        public var add: [String]
        public var remove: [String]
        public var externalIDs: [String: String]?
    }

    public var router: String
    public var routerUUID: OVSDBUUID
    public var hosts: [String: String]
    public var additions: [DesiredPolicy] = []
    public var removals: [PolicyRemoval] = []
    public var repairs: [NexthopRepair] = []
    public var addressChanges: [AddressChange] = []
    public var noRerouteAdditions: [DesiredNoReroute] = []
    public var warnings: [String] = []
    /// The guard: what the diff read, checked by `wait` before any write.
    var guards: [OVSDBOperation] = []

    public var isEmpty: Bool {
        additions.isEmpty && removals.isEmpty && repairs.isEmpty && noRerouteAdditions.isEmpty && addressChanges.isEmpty
    }

    /// Computes the plan from desired and live state.
    public init(desired: DesiredState, live: LiveState, settings: EngineSettings) throws(EngineError) {
        guard let routerUUID = live.routerUUID else { throw .routerMissing(settings.router) }
        router = settings.router
        self.routerUUID = routerUUID
        hosts = desired.assignment.hosts
        warnings = desired.warnings

        // Reroute policies, identified by owner + match.
        var liveByKey: [String: [LogicalRouterPolicy]] = [:]
        for p in live.ownedPolicies.sorted(by: { ($0.uuid ?? .zero) < ($1.uuid ?? .zero) }) {
            liveByKey[p.externalIDs[DesiredState.ownerKey]! + "\u{0}" + p.match, default: []].append(p)
        }
        var wanted: Set<String> = []
        for d in desired.policies {
            let key = d.owner + "\u{0}" + d.match
            wanted.insert(key)
            let hop = d.nexthop.description
            guard var rows = liveByKey[key], !rows.isEmpty else {
                additions.append(d)
                continue
            }
            // Keep one row (a correct one if any), repair it if needed, drop duplicates.
            let keepIndex = rows.firstIndex { $0.nexthops == [hop] && $0.action == .reroute } ?? 0
            let keep = rows.remove(at: keepIndex)
            if keep.nexthops != [hop] || keep.action != .reroute {
                repairs.append(NexthopRepair(owner: d.owner, match: d.match, uuid: keep.uuid!, from: keep.nexthops.sorted(), to: hop))
            }
            for extra in rows {
                removals.append(PolicyRemoval(owner: d.owner, match: d.match, uuid: extra.uuid!, reason: "duplicate"))
            }
        }
        for (key, rows) in liveByKey.sorted(by: { $0.key < $1.key }) where !wanted.contains(key) {
            for p in rows {
                removals.append(PolicyRemoval(owner: p.externalIDs[DesiredState.ownerKey]!, match: p.match, uuid: p.uuid!, reason: "stale"))
            }
        }

        // Address sets: created when missing, otherwise only the differing members change.
        for set in desired.addressSets {
            if let existing = live.addressSets[set.name] {
                let add = set.addresses.subtracting(existing.addresses).sorted()
                let remove = existing.addresses.subtracting(set.addresses).sorted()
                let ids = existing.externalIDs == set.externalIDs ? nil : set.externalIDs
                if !add.isEmpty || !remove.isEmpty || ids != nil {
                    addressChanges.append(AddressChange(name: set.name, family: set.family, uuid: existing.uuid, add: add, remove: remove, externalIDs: ids))
                }
            } else {
                addressChanges.append(AddressChange(name: set.name, family: set.family, create: set, add: set.addresses.sorted(), remove: []))
            }
        }

        // The no-reroute policy: found by priority + match, never duplicated.
        for n in desired.noReroute where !live.noReroutePolicies.contains(where: { $0.match == n.match }) {
            noRerouteAdditions.append(n)
        }

        let uuidRows = { (uuids: [OVSDBUUID?]) in uuids.compactMap { $0 }.sorted().map { Row(["_uuid": .scalar(.uuid($0))]) } }
        guards = [
            .wait(table: LogicalRouterPolicy.tableName, where: Condition([.where(LogicalRouterPolicy.Column.priority, .equal, DesiredState.priority)]),
                  columns: ["_uuid"], until: .equal, rows: uuidRows(live.reroutePolicies.map(\.uuid)), timeout: 0),
            .wait(table: LogicalRouterPolicy.tableName, where: Condition([.where(LogicalRouterPolicy.Column.priority, .equal, DesiredState.noReroutePriority)]),
                  columns: ["_uuid"], until: .equal, rows: uuidRows(live.noReroutePolicies.map(\.uuid)), timeout: 0),
        ]
        for name in live.addressSetNames {
            guards.append(.wait(table: AddressSet.tableName, where: Condition([.where(AddressSet.Column.name, .equal, name)]),
                                columns: ["_uuid"], until: .equal, rows: uuidRows([live.addressSets[name]?.uuid]), timeout: 0))
        }
    }

    /// The transaction: guards first, then the writes. Empty when nothing differs.
    public var operations: [OVSDBOperation] {
        guard !isEmpty else { return [] }
        var ops = guards
        var inserted: [Atom] = []
        for (i, d) in additions.enumerated() {
            let row = LogicalRouterPolicy(action: .reroute, externalIDs: [DesiredState.ownerKey: d.owner], match: d.match,
                                          nexthops: [d.nexthop.description], priority: DesiredState.priority).row()
            ops.append(.insert(table: LogicalRouterPolicy.tableName, row: row, uuidName: "policy\(i)"))
            inserted.append(.namedUUID("policy\(i)"))
        }
        for (i, n) in noRerouteAdditions.enumerated() {
            let row = LogicalRouterPolicy(action: .allow, externalIDs: n.externalIDs, match: n.match,
                                          options: ["pkt_mark": "1008"], priority: DesiredState.noReroutePriority).row()
            ops.append(.insert(table: LogicalRouterPolicy.tableName, row: row, uuidName: "noreroute\(i)"))
            inserted.append(.namedUUID("noreroute\(i)"))
        }
        for r in repairs {
            ops.append(.update(table: LogicalRouterPolicy.tableName, where: Condition([.uuid(r.uuid)]),
                               row: LogicalRouterPolicy(action: .reroute, nexthops: [r.to]).row([.nexthops, .action])))
        }
        for r in removals {
            ops.append(.delete(table: LogicalRouterPolicy.tableName, where: Condition([.uuid(r.uuid)])))
        }
        var mutations: [Mutation] = []
        if !inserted.isEmpty { mutations.append(.insert(LogicalRouter.Column.policies.rawValue, try! .set(inserted))) }
        if !removals.isEmpty {
            mutations.append(.delete(LogicalRouter.Column.policies.rawValue, Datum(set: Set(removals.map(\.uuid)))))
        }
        if !mutations.isEmpty {
            ops.append(.mutate(table: LogicalRouter.tableName, where: Condition([.uuid(routerUUID)]), mutations: mutations))
        }
        for c in addressChanges {
            if let create = c.create {
                ops.append(.insert(table: AddressSet.tableName,
                                   row: AddressSet(addresses: create.addresses, externalIDs: create.externalIDs, name: create.name).row()))
                continue
            }
            guard let uuid = c.uuid else { continue }
            var m: [Mutation] = []
            if !c.add.isEmpty { m.append(.insert(AddressSet.Column.addresses.rawValue, Datum(set: Set(c.add)))) }
            if !c.remove.isEmpty { m.append(.delete(AddressSet.Column.addresses.rawValue, Datum(set: Set(c.remove)))) }
            if !m.isEmpty { ops.append(.mutate(table: AddressSet.tableName, where: Condition([.uuid(uuid)]), mutations: m)) }
            if let ids = c.externalIDs {
                ops.append(.update(table: AddressSet.tableName, where: Condition([.uuid(uuid)]), row: AddressSet(externalIDs: ids).row([.externalIDs])))
            }
        }
        return ops
    }

    /// Operations that change the database.
    public var writeCount: Int { operations.filter(\.isWrite).count }
}

/// Why the engine cannot plan or apply.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case routerMissing(String)
    case conflict(attempts: Int)

    public var description: String {
        switch self {
        case .routerMissing(let r): return "logical router \(r) not found in the Northbound database"
        case .conflict(let n): return "the database kept changing under the apply; gave up after \(n) attempts"
        }
    }
}

extension Plan {
    /// Removes one service's rows: its policies, and its endpoint IPs from the address sets
    /// unless another service still has a policy for the same IP.
    public init(removing owner: String, live: LiveState, settings: EngineSettings) throws(EngineError) {
        let emptyDesired = DesiredState(ClusterInput(), settings: settings)
        try self.init(desired: emptyDesired, live: live, settings: settings)
        hosts = [:]
        removals = removals.filter { $0.owner == owner }
        noRerouteAdditions = []
        addressChanges = []
        let stillUsed = Set(live.ownedPolicies.filter { $0.externalIDs[DesiredState.ownerKey] != owner }
            .map { String($0.match.split(separator: " ").last ?? "") })
        for (name, set) in live.addressSets.sorted(by: { $0.key < $1.key }) {
            let drop = removals.map { String($0.match.split(separator: " ").last ?? "") }
                .filter { set.addresses.contains($0) && !stillUsed.contains($0) }
            if !drop.isEmpty {
                addressChanges.append(AddressChange(name: name, family: drop[0].contains(":") ? .v6 : .v4, uuid: set.uuid,
                                                    add: [], remove: Array(Set(drop)).sorted()))
            }
        }
    }
}

extension EgressEngine {
    /// Deletes one service's rows (`namespace/name`) in one guarded transaction.
    public func delete(service owner: String) async throws -> Report {
        let schema = try await connection.schema(of: OVNNorthbound.name)
        let live = try await LiveState.read(connection, schema: schema, settings: settings, families: [.v4, .v6])
        let plan = try Plan(removing: owner, live: live, settings: settings)
        let ops = plan.operations
        guard !ops.isEmpty else { return Report(plan: plan, writesSent: 0, attempts: 1) }
        _ = try await connection.transact(OVNNorthbound.name, ops, schema: schema)
        return Report(plan: plan, writesSent: ops.filter(\.isWrite).count, attempts: 1)
    }
}
