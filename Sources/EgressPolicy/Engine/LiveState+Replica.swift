import OVNSchema
import OVSDBClient

extension LiveState {
    /// What a controller monitors: the router, every priority-101 and -102 policy, and the
    /// managed address sets of both families. `LiveState(store:)` reads exactly these.
    /// With `zone`, also `NB_Global.name`, the router's static routes and the src-ip routes
    /// (what a zone plans from: its name and its catch-all route).
    public static func monitorRequests(settings: EngineSettings, zone: Bool = false) -> [MonitorRequest] {
        let policyColumns: [LogicalRouterPolicy.Column] = [.priority, .match, .action, .nexthop, .nexthops, .externalIDs]
        let names = IPAddress.Family.allCases.map { AddressSetNames.hashedName(AddressSetNames.egressServiceID($0)) }
        let routerColumns = zone ? [LogicalRouter.Column.name, .staticRoutes] : [.name]
        let zoneRequests = !zone ? [] : [
            MonitorRequest(table: NBGlobal.tableName, columns: [NBGlobal.Column.name.rawValue]),
            MonitorRequest(table: LogicalRouterStaticRoute.tableName,
                           columns: [LogicalRouterStaticRoute.Column]([.ipPrefix, .nexthop, .policy, .externalIDs]).map(\.rawValue),
                           condition: Condition(routeCondition)),
        ]
        return zoneRequests + [
            MonitorRequest(table: LogicalRouter.tableName, columns: routerColumns.map(\.rawValue),
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
