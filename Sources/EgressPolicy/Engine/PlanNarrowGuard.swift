import OVNSchema
import OVSDBClient

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
        if hasRouteChanges { out.append(Self.routeGuard(live)) }
        guards = out
    }
}
