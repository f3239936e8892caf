import OVNSchema
import OVSDBClient

extension LiveState {
    /// What a controller monitors: the router, every priority-101 and -102 policy, and the
    /// managed address sets of both families. `LiveState(store:)` reads exactly these.
    public static func monitorRequests(settings: EngineSettings) -> [MonitorRequest] {
        let policyColumns: [LogicalRouterPolicy.Column] = [.priority, .match, .action, .nexthop, .nexthops, .externalIDs]
        let names = IPAddress.Family.allCases.map { AddressSetNames.hashedName(AddressSetNames.egressServiceID($0)) }
        return [
            MonitorRequest(table: LogicalRouter.tableName, columns: [LogicalRouter.Column.name.rawValue],
                           condition: Condition([.where(LogicalRouter.Column.name, .equal, settings.router)])),
            MonitorRequest(table: LogicalRouterPolicy.tableName, columns: policyColumns.map(\.rawValue),
                           condition: Condition([.where(LogicalRouterPolicy.Column.priority, .equal, DesiredState.priority),
                                                 .where(LogicalRouterPolicy.Column.priority, .equal, DesiredState.noReroutePriority)])),
            MonitorRequest(table: AddressSet.tableName,
                           condition: Condition(names.map { .where(AddressSet.Column.name, .equal, $0) })),
        ]
    }

    /// The same state as `read`, taken from a replica that holds `monitorRequests`.
    public init(store: ReplicaStore, settings: EngineSettings) throws(OVSDBError) {
        // Built in a variable: property observers (the owned-policy order) do not run for
        // assignments in an initializer.
        var live = LiveState()
        live.routerUUID = try store.all(LogicalRouter.self).first { $0.name == settings.router }?.uuid
        let policies = try store.all(LogicalRouterPolicy.self)
        live.reroutePolicies = policies.filter { $0.priority == DesiredState.priority }
        live.noReroutePolicies = policies.filter { $0.priority == DesiredState.noReroutePriority }
        live.addressSetNames = IPAddress.Family.allCases.sorted().map { AddressSetNames.hashedName(AddressSetNames.egressServiceID($0)) }
        for set in try store.all(AddressSet.self) where live.addressSetNames.contains(set.name) {
            live.addressSets[set.name] = set
        }
        self = live
    }
}

extension Plan {
    /// Replaces the guard on every managed row with one on the rows this plan changes: per
    /// service it touches, that service's policies; the no-reroute policies when one is added;
    /// the address sets it changes. The transaction then grows with the change, not with the
    /// database (a controller that follows the database through a monitor repairs whatever
    /// else changed on its next pass).
    mutating func guardOnlyWhatChanges(live: LiveState) {
        let touched = Set(additions.map(\.owner) + removals.map(\.owner) + repairs.map(\.owner))
        var byOwner: [String: [OVSDBUUID]] = [:]
        for p in live.ownedPolicies {
            guard let owner = p.externalIDs[DesiredState.ownerKey], touched.contains(owner), let uuid = p.uuid else { continue }
            byOwner[owner, default: []].append(uuid)
        }
        let rows = { (uuids: [OVSDBUUID]) in uuids.sorted().map { Row(["_uuid": .scalar(.uuid($0))]) } }
        var out: [OVSDBOperation] = []
        for owner in touched.sorted() {
            out.append(.wait(table: LogicalRouterPolicy.tableName,
                             where: Condition([.where(LogicalRouterPolicy.Column.priority, .equal, DesiredState.priority),
                                               .where(LogicalRouterPolicy.Column.externalIDs, .includes, Datum.stringMap([DesiredState.ownerKey: owner]))]),
                             columns: ["_uuid"], until: .equal, rows: rows(byOwner[owner] ?? []), timeout: 0))
        }
        if !noRerouteAdditions.isEmpty {
            out.append(.wait(table: LogicalRouterPolicy.tableName,
                             where: Condition([.where(LogicalRouterPolicy.Column.priority, .equal, DesiredState.noReroutePriority)]),
                             columns: ["_uuid"], until: .equal, rows: rows(live.noReroutePolicies.compactMap(\.uuid)), timeout: 0))
        }
        for change in addressChanges {
            out.append(.wait(table: AddressSet.tableName, where: Condition([.where(AddressSet.Column.name, .equal, change.name)]),
                             columns: ["_uuid"], until: .equal, rows: rows(change.uuid.map { [$0] } ?? []), timeout: 0))
        }
        guards = out
    }
}
