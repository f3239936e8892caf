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
    /// Replaces the guard on every managed row with one on the rows this plan changes, each
    /// found by UUID (which ovsdb-server looks up without a scan): every policy it repairs
    /// or removes must still have the match, action, nexthops and external ids it was
    /// planned from, so a row another writer took over is never deleted or rewritten; the
    /// address sets it changes must still be the ones read; the no-reroute policies, when
    /// one is added. The transaction then grows with the change, not with the database.
    /// What this guard leaves out (a row inserted meanwhile, a duplicate) a controller that
    /// follows the database through a monitor sees and repairs on its next pass.
    mutating func guardOnlyWhatChanges(live: LiveState) {
        var byUUID: [OVSDBUUID: LogicalRouterPolicy] = [:]
        let touched = Set(repairs.map(\.uuid) + removals.map(\.uuid))
        for p in live.ownedPolicies {
            if let uuid = p.uuid, touched.contains(uuid) { byUUID[uuid] = p }
        }
        let columns: Set<LogicalRouterPolicy.Column> = [.match, .action, .nexthops, .externalIDs]
        var out: [OVSDBOperation] = []
        for uuid in touched.sorted() {
            guard let p = byUUID[uuid] else { continue }
            out.append(.wait(table: LogicalRouterPolicy.tableName, where: Condition([.uuid(uuid)]), columns: columns.map(\.rawValue).sorted(),
                             until: .equal, rows: [p.row(columns)], timeout: 0))
        }
        let rows = { (uuids: [OVSDBUUID]) in uuids.sorted().map { Row(["_uuid": .scalar(.uuid($0))]) } }
        if !noRerouteAdditions.isEmpty {
            out.append(.wait(table: LogicalRouterPolicy.tableName,
                             where: Condition([.where(LogicalRouterPolicy.Column.priority, .equal, DesiredState.noReroutePriority)]),
                             columns: ["_uuid"], until: .equal, rows: rows(live.noReroutePolicies.compactMap(\.uuid)), timeout: 0))
        }
        for change in addressChanges {
            if let uuid = change.uuid {
                out.append(.wait(table: AddressSet.tableName, where: Condition([.uuid(uuid)]), columns: [AddressSet.Column.name.rawValue],
                                 until: .equal, rows: [Row([AddressSet.Column.name.rawValue: .scalar(.string(change.name))])], timeout: 0))
            } else {
                out.append(.wait(table: AddressSet.tableName, where: Condition([.where(AddressSet.Column.name, .equal, change.name)]),
                                 columns: ["_uuid"], until: .equal, rows: [], timeout: 0))
            }
        }
        guards = out
    }
}
