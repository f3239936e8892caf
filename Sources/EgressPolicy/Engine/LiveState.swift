import OVNSchema
import OVSDBClient

/// What the database holds that the engine looks at, read with conditions (never a full dump).
public struct LiveState: Sendable {
    public var routerUUID: OVSDBUUID?
    /// Every priority-101 policy (owned or not: the guard covers them all).
    public var reroutePolicies: [LogicalRouterPolicy] = [] {
        didSet {
            // Sorted through (UUID, index) pairs: moving the rows themselves costs far more.
            let order = reroutePolicies.indices.filter { reroutePolicies[$0].externalIDs[DesiredState.ownerKey] != nil }
                .map { (reroutePolicies[$0].uuid ?? .zero, $0) }
                .sorted { $0.0 < $1.0 }
            ownedPolicies = OwnedPolicies(all: reroutePolicies, order: order.map { Int32($0.1) })
        }
    }
    /// Every priority-102 policy.
    public var noReroutePolicies: [LogicalRouterPolicy] = []
    /// The managed address sets found, by name.
    public var addressSets: [String: AddressSet] = [:]
    /// Names looked up (present or not), for the guard.
    public var addressSetNames: [String] = []
    /// `NB_Global.name`, the database's zone ("" for `global`); nil when the row is missing.
    public var nbGlobalName: String?
    /// The router's src-ip static routes (the catch-all and the 2023-era `EgressSVC` ones);
    /// nil when not read (one database of the whole cluster has neither).
    public var staticRoutes: [LogicalRouterStaticRoute]?
    /// Every src-ip route's UUID read, of any router (for the guard).
    public var srcIPRouteUUIDs: [OVSDBUUID] = []

    /// The priority-101 policies with an `EgressSVC` key, in UUID order (computed once, when
    /// `reroutePolicies` is set: planning walks them several times).
    public private(set) var ownedPolicies = OwnedPolicies(all: [], order: [])

    /// The owned policies in UUID order, as positions into `reroutePolicies`: a copy of each
    /// would hold 100,000 policies twice (8.8 MB at the peak of a no-op apply).
    public struct OwnedPolicies: RandomAccessCollection, Sendable, Equatable {
        fileprivate let all: [LogicalRouterPolicy]
        fileprivate let order: [Int32]

        public var startIndex: Int { 0 }
        public var endIndex: Int { order.count }
        public subscript(position: Int) -> LogicalRouterPolicy { all[Int(order[position])] }

        public static func == (a: Self, b: Self) -> Bool { a.elementsEqual(b) }
    }

    /// The policy columns planning looks at.
    public static let planningColumns: [LogicalRouterPolicy.Column] = [.priority, .match, .action, .nexthop, .nexthops, .externalIDs]

    /// Reads the state. `policyColumns` narrows what is read of each policy (the rest keep
    /// their defaults): a listing needs three of them.
    public static func read(_ connection: OVSDBConnection, schema: DatabaseSchema, settings: EngineSettings,
                            routes: Bool = false, families: Set<IPAddress.Family>,
                            policyColumns: [LogicalRouterPolicy.Column] = planningColumns) async throws -> LiveState {
        var txn = TypedTransaction(database: OVNNorthbound.name, schema: schema)
        let router = txn.select(LogicalRouter.self, where: [.where(LogicalRouter.Column.name, .equal, settings.router)],
                                columns: routes ? [.name, .staticRoutes] : [.name])
        let srcIPRoutes = routes ? txn.select(LogicalRouterStaticRoute.self, where: Self.routeCondition,
                                              columns: [.ipPrefix, .nexthop, .policy, .externalIDs]) : nil
        let reroute = txn.select(LogicalRouterPolicy.self, where: [.where(LogicalRouterPolicy.Column.priority, .equal, DesiredState.priority)], columns: policyColumns)
        let noReroute = txn.select(LogicalRouterPolicy.self, where: [.where(LogicalRouterPolicy.Column.priority, .equal, DesiredState.noReroutePriority)], columns: policyColumns)
        let global = txn.select(NBGlobal.self, columns: [.name])
        var names: [String] = []
        var sets: [SelectHandle<AddressSet>] = []
        for family in families.sorted() {
            let name = AddressSetNames.hashedName(AddressSetNames.egressServiceID(family))
            names.append(name)
            sets.append(txn.select(AddressSet.self, where: [.where(AddressSet.Column.name, .equal, name)]))
        }
        var results = try await connection.transact(txn)
        var live = LiveState()
        let routerRow = try results.takeRows(router).first
        live.routerUUID = routerRow?.uuid
        if let srcIPRoutes {
            let onRouter = Set(routerRow?.staticRoutes ?? [])
            let all = try results.takeRows(srcIPRoutes)
            live.srcIPRouteUUIDs = all.compactMap(\.uuid)
            live.staticRoutes = all.filter { $0.uuid.map(onRouter.contains) ?? false }
        }
        live.reroutePolicies = try results.takeRows(reroute)
        live.noReroutePolicies = try results.takeRows(noReroute)
        live.nbGlobalName = try results.takeRows(global).first?.name
        for handle in sets {
            for set in try results.takeRows(handle) { live.addressSets[set.name] = set }
        }
        live.addressSetNames = names
        return live
    }

    /// The static routes read: src-ip ones (a route of another router is dropped after).
    static let routeCondition: [Clause] = [.where(LogicalRouterStaticRoute.Column.policy, .equal, "src-ip")]

    /// This state as a read of only `families`' address sets would have found it.
    func narrowed(to families: Set<IPAddress.Family>) -> LiveState {
        let keep = Set(families.map { AddressSetNames.hashedName(AddressSetNames.egressServiceID($0)) })
        guard addressSetNames.contains(where: { !keep.contains($0) }) else { return self }
        var out = self
        out.addressSetNames = addressSetNames.filter(keep.contains)
        out.addressSets = addressSets.filter { keep.contains($0.key) }
        return out
    }

    /// The pod IP of an owned policy's match (`ip4.src == 10.1.2.3`), nil for any other text.
    public static func sourceIP(of match: String) -> IPAddress? {
        for family in IPAddress.Family.allCases {
            let prefix = "\(family.matchPrefix).src == "
            if match.hasPrefix(prefix), let ip = IPAddress(String(match.dropFirst(prefix.count))), ip.family == family {
                return ip
            }
        }
        return nil
    }

    /// Pod IPs that owned services outside `inScope` reroute now, each with its owner (the
    /// smallest, when several do).
    public func claims(outside inScope: Set<String>) -> [IPAddress: String] {
        var out: [IPAddress: String] = [:]
        for p in ownedPolicies {
            guard let value = p.externalIDs[DesiredState.ownerKey], case let owner = String(DesiredState.service(ofOwner: value)),
                  !inScope.contains(owner), let ip = Self.sourceIP(of: p.match) else { continue }
            if let other = out[ip], other <= owner { continue }
            out[ip] = owner
        }
        return out
    }

    /// The host each service's policies point to now: the node whose management IP (or, from
    /// another zone, transit-switch IP) is the nexthop (used when the manifests carry no
    /// status.host).
    public func currentHosts(nodes: [String: Node]) -> [String: String] {
        let byIP = Self.nodesByNexthop(nodes)
        var hosts: [String: String] = [:]
        for p in ownedPolicies {
            guard let value = p.externalIDs[DesiredState.ownerKey], case let owner = String(DesiredState.service(ofOwner: value)),
                  hosts[owner] == nil, let hop = p.nexthops.sorted().first, let node = byIP[hop] else { continue }
            hosts[owner] = node
        }
        return hosts
    }

    /// Each node's management and transit-switch IPs, naming the node (the smallest name
    /// when two nodes give the same IP).
    public static func nodesByNexthop(_ nodes: [String: Node]) -> [String: String] {
        var byIP: [String: String] = [:]
        for node in nodes.values.sorted(by: { $0.name > $1.name }) {
            for subnet in node.subnets { byIP[subnet.managementIP.description] = node.name }
            for family in IPAddress.Family.allCases {
                if let ip = node.transit.address(family) { byIP[ip.description] = node.name }
            }
        }
        return byIP
    }
}
