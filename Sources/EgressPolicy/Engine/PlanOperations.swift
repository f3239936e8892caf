import OVNSchema
import OVSDBClient

extension Plan {
    /// The transaction: guards first, then the writes. Empty when nothing differs.
    public var operations: [OVSDBOperation] { Array(operationSequence) }

    /// The same operations, each made when it is asked for: a transaction sent from it never
    /// holds all of its rows at once (100,000 inserts are some 60 MB as values).
    public var operationSequence: Operations { Operations(plan: self) }

    /// Operations that change the database: all but the guards.
    public var writeCount: Int { operationSequence.count(where: \.isWrite) }

    public struct Operations: Sequence, Sendable {
        let plan: Plan

        public func makeIterator() -> Iterator { Iterator(plan: plan) }

        public var underestimatedCount: Int { plan.isEmpty ? 0 : plan.guards.count + plan.additions.count + plan.noRerouteAdditions.count }

        public struct Iterator: IteratorProtocol {
            private enum Stage {
                case guards, additions, noRerouteAdditions, routeAdditions, repairs, routeRepairs, removals, routeRemovals, router,
                     addressSets, done

                var next: Stage {
                    switch self {
                    case .guards: return .additions
                    case .additions: return .noRerouteAdditions
                    case .noRerouteAdditions: return .routeAdditions
                    case .routeAdditions: return .repairs
                    case .repairs: return .routeRepairs
                    case .routeRepairs: return .removals
                    case .removals: return .routeRemovals
                    case .routeRemovals: return .router
                    case .router: return .addressSets
                    case .addressSets, .done: return .done
                    }
                }
            }

            private let plan: Plan
            private var stage: Stage
            private var index = 0
            /// The operations of one address set, last first.
            private var queued: [OVSDBOperation] = []

            init(plan: Plan) {
                self.plan = plan
                stage = plan.isEmpty ? .done : .guards
            }

            public mutating func next() -> OVSDBOperation? {
                while true {
                    if let op = queued.popLast() { return op }
                    let i = index
                    index += 1
                    switch stage {
                    case .guards where i < plan.guards.count:
                        return plan.guards[i]
                    case .additions where i < plan.additions.count:
                        return plan.rerouteInsert(i)
                    case .noRerouteAdditions where i < plan.noRerouteAdditions.count:
                        return plan.allowInsert(i)
                    case .routeAdditions where i < plan.routeAdditions.count:
                        return plan.routeInsert(i)
                    case .repairs where i < plan.repairs.count:
                        return plan.repair(plan.repairs[i])
                    case .routeRepairs where i < plan.routeRepairs.count:
                        return plan.routeUpdate(plan.routeRepairs[i])
                    case .removals where i < plan.removals.count:
                        return .delete(table: LogicalRouterPolicy.tableName, where: Condition([.uuid(plan.removals[i].uuid)]))
                    case .routeRemovals where i < plan.routeRemovals.count:
                        return .delete(table: LogicalRouterStaticRoute.tableName, where: Condition([.uuid(plan.routeRemovals[i].uuid)]))
                    case .router where i == 0:
                        if let op = plan.routerMutation { return op }
                    case .addressSets where i < plan.addressChanges.count:
                        queued = plan.addressSetOperations(plan.addressChanges[i]).reversed()
                        continue
                    case .done:
                        return nil
                    default:
                        break
                    }
                    stage = stage.next
                    index = 0
                }
            }
        }
    }

    private func rerouteInsert(_ i: Int) -> OVSDBOperation {
        let d = additions[i]
        let row = LogicalRouterPolicy(action: .reroute, externalIDs: [DesiredState.ownerKey: d.owner], match: d.match,
                                      nexthops: [d.nexthop.description], priority: DesiredState.priority).row(Self.rerouteColumns)
        return .insert(table: LogicalRouterPolicy.tableName, row: row, uuidName: "policy\(i)")
    }

    private func allowInsert(_ i: Int) -> OVSDBOperation {
        let n = noRerouteAdditions[i]
        let row = LogicalRouterPolicy(action: .allow, externalIDs: n.externalIDs, match: n.match,
                                      options: ["pkt_mark": "1008"], priority: DesiredState.noReroutePriority).row(Self.allowColumns)
        return .insert(table: LogicalRouterPolicy.tableName, row: row, uuidName: "noreroute\(i)")
    }

    private func repair(_ r: NexthopRepair) -> OVSDBOperation {
        .update(table: LogicalRouterPolicy.tableName, where: Condition([.uuid(r.uuid)]),
                row: LogicalRouterPolicy(action: .reroute, nexthops: [r.to]).row([.nexthops, .action]))
    }

    /// The router's `policies`: the inserted rows added by name, the removed ones deleted.
    private var routerMutation: OVSDBOperation? {
        var mutations: [Mutation] = []
        let inserted = (0..<additions.count).map { Atom.namedUUID("policy\($0)") }
            + (0..<noRerouteAdditions.count).map { Atom.namedUUID("noreroute\($0)") }
        if !inserted.isEmpty { mutations.append(.insert(LogicalRouter.Column.policies.rawValue, try! .set(inserted))) }
        if !removals.isEmpty {
            mutations.append(.delete(LogicalRouter.Column.policies.rawValue, Datum(set: Set(removals.map(\.uuid)))))
        }
        mutations += staticRouteMutations
        guard !mutations.isEmpty else { return nil }
        return .mutate(table: LogicalRouter.tableName, where: Condition([.uuid(routerUUID)]), mutations: mutations)
    }

    private func addressSetOperations(_ c: AddressChange) -> [OVSDBOperation] {
        if let create = c.create {
            // A created set's additions are all its members, already in order (Plan).
            var row = AddressSet(externalIDs: create.externalIDs, name: create.name).row()
            row["addresses"] = Datum(orderedStrings: c.add)
            return [.insert(table: AddressSet.tableName, row: row)]
        }
        guard let uuid = c.uuid else { return [] }
        var ops: [OVSDBOperation] = []
        var m: [Mutation] = []
        if !c.add.isEmpty { m.append(.insert(AddressSet.Column.addresses.rawValue, Datum(orderedStrings: c.add))) }
        if !c.remove.isEmpty { m.append(.delete(AddressSet.Column.addresses.rawValue, Datum(orderedStrings: c.remove))) }
        if !m.isEmpty { ops.append(.mutate(table: AddressSet.tableName, where: Condition([.uuid(uuid)]), mutations: m)) }
        if let ids = c.externalIDs {
            ops.append(.update(table: AddressSet.tableName, where: Condition([.uuid(uuid)]), row: AddressSet(externalIDs: ids).row([.externalIDs])))
        }
        return ops
    }

    /// The columns an insert sends: the server fills the rest with their defaults (empty sets
    /// and maps), so sending them too only makes it parse more.
    private static let rerouteColumns: Set<LogicalRouterPolicy.Column> = [.action, .externalIDs, .match, .nexthops, .priority]
    private static let allowColumns: Set<LogicalRouterPolicy.Column> = [.action, .externalIDs, .match, .options, .priority]
}
