import OVNSchema
import OVSDBClient

extension Plan {
    /// A src-ip route that OVN-Kubernetes' predicate matches, changed to the catch-all wanted.
    public struct RouteRepair: Sendable, Hashable {
        public var route: DesiredRoute
        public var uuid: OVSDBUUID
        public var fromPrefix: String
        public var fromNexthop: String
    }

    /// A 2023-era static route written for one endpoint (`EgressSVC` in its external_ids).
    public struct StaticRouteRemoval: Sendable, Hashable {
        public var owner: String
        public var prefix: String
        public var nexthop: String
        public var uuid: OVSDBUUID
    }

    /// The static-route part of the plan. Only src-ip routes on the router were read; of
    /// those, a catch-all is found by OVN-Kubernetes' predicate (and made right in place,
    /// never duplicated), and a route with `EgressSVC` is stale: removed under `--prune`,
    /// counted otherwise. No other route is looked at.
    mutating func planRoutes(desired: DesiredState, live: LiveState, scope: Scope) {
        // A database with no catch-all to keep and no stale route (one database for the
        // whole cluster, as a rule) gets no route part at all: its plan, guards and output are
        // what they were before zones.
        guard let routes = live.staticRoutes,
              !desired.routes.isEmpty || routes.contains(where: { $0.externalIDs[DesiredState.ownerKey] != nil }) else { return }
        routesRead = true
        let byUUID = routes.sorted { ($0.uuid ?? .zero) < ($1.uuid ?? .zero) }
        for d in desired.routes {
            let candidates = byUUID.filter(d.isReplacement)
            if candidates.contains(where: d.isSatisfied) { continue }
            if let first = candidates.first, let uuid = first.uuid {
                routeRepairs.append(RouteRepair(route: d, uuid: uuid, fromPrefix: first.ipPrefix, fromNexthop: first.nexthop))
            } else {
                routeAdditions.append(d)
            }
        }
        for r in byUUID {
            guard let owner = r.externalIDs[DesiredState.ownerKey], let uuid = r.uuid else { continue }
            if scope == .prune {
                routeRemovals.append(StaticRouteRemoval(owner: owner, prefix: r.ipPrefix, nexthop: r.nexthop, uuid: uuid))
            } else {
                staleRoutesKept += 1
            }
        }
        guards.append(Self.routeGuard(live))
    }

    /// Holds while the src-ip routes are the ones read: a catch-all another writer added
    /// meanwhile is not added twice.
    static func routeGuard(_ live: LiveState) -> OVSDBOperation {
        .wait(table: LogicalRouterStaticRoute.tableName, where: Condition(LiveState.routeCondition),
              columns: ["_uuid"], until: .equal,
              rows: live.srcIPRouteUUIDs.sorted().map { Row(["_uuid": .scalar(.uuid($0))]) }, timeout: 0)
    }

    var hasRouteChanges: Bool { !routeAdditions.isEmpty || !routeRepairs.isEmpty || !routeRemovals.isEmpty }

    func routeInsert(_ i: Int) -> OVSDBOperation {
        let d = routeAdditions[i]
        let row = LogicalRouterStaticRoute(ipPrefix: d.subnet.description, nexthop: d.nexthop.description, policy: .srcIP)
            .row([.ipPrefix, .nexthop, .policy])
        return .insert(table: LogicalRouterStaticRoute.tableName, row: row, uuidName: "route\(i)")
    }

    func routeUpdate(_ r: RouteRepair) -> OVSDBOperation {
        .update(table: LogicalRouterStaticRoute.tableName, where: Condition([.uuid(r.uuid)]),
                row: LogicalRouterStaticRoute(ipPrefix: r.route.subnet.description, nexthop: r.route.nexthop.description).row([.ipPrefix, .nexthop]))
    }

    /// The router's `static_routes` mutations: inserted routes added by name, stale ones dropped.
    var staticRouteMutations: [Mutation] {
        var m: [Mutation] = []
        if !routeAdditions.isEmpty {
            m.append(.insert(LogicalRouter.Column.staticRoutes.rawValue,
                             try! .set((0..<routeAdditions.count).map { Atom.namedUUID("route\($0)") })))
        }
        if !routeRemovals.isEmpty {
            m.append(.delete(LogicalRouter.Column.staticRoutes.rawValue, Datum(set: Set(routeRemovals.map(\.uuid)))))
        }
        return m
    }

    /// The route lines of the text form.
    var routeLines: [String] {
        var lines: [String] = []
        for a in routeAdditions { lines.append("+ route src-ip \(a.subnet) via \(a.nexthop) (\(a.node)'s gateway router)") }
        for r in routeRepairs {
            lines.append("~ route src-ip \(SafeText.escaped(r.fromPrefix)) via \(SafeText.escaped(r.fromNexthop)) -> "
                         + "\(r.route.subnet) via \(r.route.nexthop) (\(r.route.node)'s gateway router)")
        }
        for r in routeRemovals {
            lines.append("- route src-ip \(SafeText.escaped(r.prefix)) via \(SafeText.escaped(r.nexthop)) "
                         + "(\(DesiredState.ownerKey)=\(SafeText.escaped(r.owner)), 2023-era, pruned)")
        }
        if staleRoutesKept > 0 {
            lines.append("\(staleRoutesKept) 2023-era static route(s) with \(DesiredState.ownerKey): kept (--prune removes them)")
        }
        return lines
    }

    var routeJSON: JSON {
        [
            "added": .array(routeAdditions.map { ["prefix": .string($0.subnet.description), "nexthop": .string($0.nexthop.description), "node": .string($0.node)] }),
            "changed": .array(routeRepairs.map {
                ["uuid": .string($0.uuid.description), "fromPrefix": .string($0.fromPrefix), "fromNexthop": .string($0.fromNexthop),
                 "prefix": .string($0.route.subnet.description), "nexthop": .string($0.route.nexthop.description), "node": .string($0.route.node)]
            }),
            "removed": .array(routeRemovals.map {
                ["uuid": .string($0.uuid.description), "owner": .string($0.owner), "prefix": .string($0.prefix), "nexthop": .string($0.nexthop)]
            }),
            "staleKept": .integer(Int64(staleRoutesKept)),
        ]
    }
}

/// The predicates that match a live route to a desired one (here, beside the route planning,
/// so that the desired state needs no schema types).
extension DesiredRoute {
    /// OVN-Kubernetes' predicate (`CreateDefaultRouteToExternal`): the route it would replace.
    /// Same family of nexthop, a prefix with a length, the same network address (a cluster
    /// subnet may only grow by shortening its prefix), shorter than a node subnet, src-ip.
    public func isReplacement(for route: LogicalRouterStaticRoute) -> Bool {
        guard route.policy == .srcIP, route.externalIDs[DesiredState.ownerKey] == nil,
              let hop = IPAddress(route.nexthop), hop.family == subnet.family,
              route.ipPrefix.contains("/"), let prefix = CIDR(route.ipPrefix) else { return false }
        return prefix.network == subnet.network && subnet.prefixLength <= prefix.prefixLength
            && prefix.prefixLength < hostSubnetLength
    }

    /// Whether `route` is already this one.
    public func isSatisfied(by route: LogicalRouterStaticRoute) -> Bool {
        route.ipPrefix == subnet.description && route.nexthop == nexthop.description && route.policy == .srcIP
    }
}
