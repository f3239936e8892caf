import OVNSchema
import OVSDBClient

extension Plan {
    /// The transaction: guards first, then the writes. Empty when nothing differs.
    public var operations: [OVSDBOperation] {
        guard !isEmpty else { return [] }
        var ops = guards
        var inserted: [Atom] = []
        for (i, d) in additions.enumerated() {
            let row = LogicalRouterPolicy(action: .reroute, externalIDs: [DesiredState.ownerKey: d.owner], match: d.match,
                                          nexthops: [d.nexthop.description], priority: DesiredState.priority).row(Self.rerouteColumns)
            ops.append(.insert(table: LogicalRouterPolicy.tableName, row: row, uuidName: "policy\(i)"))
            inserted.append(.namedUUID("policy\(i)"))
        }
        for (i, n) in noRerouteAdditions.enumerated() {
            let row = LogicalRouterPolicy(action: .allow, externalIDs: n.externalIDs, match: n.match,
                                          options: ["pkt_mark": "1008"], priority: DesiredState.noReroutePriority).row(Self.allowColumns)
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

    /// The columns an insert sends: the server fills the rest with their defaults (empty sets
    /// and maps), so sending them too only makes it parse more.
    private static let rerouteColumns: Set<LogicalRouterPolicy.Column> = [.action, .externalIDs, .match, .nexthops, .priority]
    private static let allowColumns: Set<LogicalRouterPolicy.Column> = [.action, .externalIDs, .match, .options, .priority]

    /// Operations that change the database.
    public var writeCount: Int { operations.filter(\.isWrite).count }
}
