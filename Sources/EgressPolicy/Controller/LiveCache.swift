import NIOConcurrencyHelpers
import OVNSchema
import OVSDBClient

/// The controller's typed view of its replica, kept in step with it: fed every change set as
/// the replica applies it (the replica's observer), so it never lags what a reader of the
/// replica sees, and a pass decodes only the rows that changed. It also records which
/// services' rows changed since the last pass asked.
final class LiveCache: Sendable {
    struct Contents {
        var routers: [OVSDBUUID: String] = [:]
        /// Zone monitoring only: each router's static routes, `NB_Global.name`, src-ip routes.
        var routerStaticRoutes: [OVSDBUUID: Set<OVSDBUUID>] = [:]
        var nbGlobalName: String?
        var staticRoutes: [OVSDBUUID: LogicalRouterStaticRoute] = [:]
        var reroute: [OVSDBUUID: LogicalRouterPolicy] = [:]
        var byOwner: [String: Set<OVSDBUUID>] = [:]
        /// Pod IP (canonical text) to the owners whose policies reroute it.
        var ipOwners: [String: Owners] = [:]
        var noReroute: [OVSDBUUID: LogicalRouterPolicy] = [:]
        var addressSets: [OVSDBUUID: AddressSet] = [:]
        /// Owners whose rows changed since `takeChanged`.
        var changedOwners: Set<String> = []
        /// Owners of the policies the change set being applied removed, by pod IP.
        var released: [String: Set<String>] = [:]
        /// A change that no owner set describes (the router, an address set, a row that
        /// would not decode, a resync): the next pass plans everything.
        var changedAll = false
    }

    private let box = NIOLockedValueBox(Contents())

    func apply(_ set: ReplicaChangeSet) {
        box.withLockedValue { c in
            if set.cause != .update { c.changedAll = true }
            // Policies first, then address sets: a member that came or went is looked up
            // among the owners of the policies as they are after this set, and of those it
            // removed.
            c.released = [:]
            for pass in 0..<2 {
                for change in set.changes where (change.table == AddressSet.tableName) == (pass == 1) {
                    switch change {
                    case .insert(let table, let uuid, let new): Self.put(table, uuid, new, old: nil, into: &c)
                    case .modify(let table, let uuid, let old, let new): Self.put(table, uuid, new, old: old, into: &c)
                    case .delete(let table, let uuid, _): Self.remove(table, uuid, from: &c)
                    }
                }
            }
            c.released = [:]
        }
    }

    private static func put(_ table: String, _ uuid: OVSDBUUID, _ row: Row, old: Row?, into c: inout Contents) {
        var previous = table == AddressSet.tableName ? c.addressSets.removeValue(forKey: uuid) : nil
        remove(table, uuid, from: &c)
        switch table {
        case LogicalRouter.tableName:
            c.changedAll = true
            if case .string(let name)? = row[LogicalRouter.Column.name.rawValue]?.first { c.routers[uuid] = name }
            if let routes = row[LogicalRouter.Column.staticRoutes.rawValue] {
                c.routerStaticRoutes[uuid] = Set(routes.keys.compactMap { if case .uuid(let u) = $0 { return u } else { return nil } })
            }
        case NBGlobal.tableName:
            c.changedAll = true
            c.nbGlobalName = (try? NBGlobal(row: row))?.name ?? ""
        case LogicalRouterStaticRoute.tableName:
            c.changedAll = true
            guard var r = try? LogicalRouterStaticRoute(row: row) else { return }
            r.uuid = uuid
            c.staticRoutes[uuid] = r
        case LogicalRouterPolicy.tableName:
            guard var p = try? LogicalRouterPolicy(row: row) else {
                c.changedAll = true
                return
            }
            p.uuid = uuid
            if p.priority == DesiredState.noReroutePriority {
                c.noReroute[uuid] = p
                return
            }
            c.reroute[uuid] = p
            if let owner = p.externalIDs[DesiredState.ownerKey] {
                c.byOwner[owner, default: []].insert(uuid)
                c.changedOwners.insert(owner)
                if let ip = LiveState.sourceIP(of: p.match) { c.ipOwners[ip.description, default: Owners()].insert(owner) }
            }
        case AddressSet.tableName:
            guard let (set, changedMembers) = addressSet(row, old: old, previous: &previous, uuid: uuid) else {
                c.changedAll = true
                return
            }
            // Members that came or went name the services that reroute them; a member no
            // owned policy reroutes (another writer's edit) needs every service planned.
            for ip in changedMembers {
                let owners = (c.ipOwners[ip]?.asSet ?? []).union(c.released[ip] ?? [])
                guard !owners.isEmpty else {
                    c.changedAll = true
                    continue
                }
                c.changedOwners.formUnion(owners)
            }
            if previous == nil || previous?.externalIDs != set.externalIDs || previous?.name != set.name { c.changedAll = true }
            c.addressSets[uuid] = set
        default:
            break
        }
    }

    private static func remove(_ table: String, _ uuid: OVSDBUUID, from c: inout Contents) {
        switch table {
        case LogicalRouter.tableName:
            if c.routers.removeValue(forKey: uuid) != nil { c.changedAll = true }
            c.routerStaticRoutes[uuid] = nil
        case NBGlobal.tableName:
            c.changedAll = true
            c.nbGlobalName = nil
        case LogicalRouterStaticRoute.tableName:
            if c.staticRoutes.removeValue(forKey: uuid) != nil { c.changedAll = true }
        case LogicalRouterPolicy.tableName:
            c.noReroute[uuid] = nil
            guard let old = c.reroute.removeValue(forKey: uuid), let owner = old.externalIDs[DesiredState.ownerKey] else { return }
            c.byOwner[owner]?.remove(uuid)
            if c.byOwner[owner]?.isEmpty == true { c.byOwner[owner] = nil }
            c.changedOwners.insert(owner)
            if let ip = LiveState.sourceIP(of: old.match)?.description {
                c.released[ip, default: []].insert(owner)
                // Another row of the same owner may still reroute this IP.
                let still = c.byOwner[owner, default: []].contains { c.reroute[$0]?.match == old.match }
                if !still {
                    c.ipOwners[ip]?.remove(owner)
                    if c.ipOwners[ip]?.isEmpty == true { c.ipOwners[ip] = nil }
                }
            }
        case AddressSet.tableName:
            if c.addressSets.removeValue(forKey: uuid) != nil { c.changedAll = true }
        default:
            break
        }
    }

    /// The address set a row holds and the members that came or went since `previous`. A
    /// modify of a set the cache already holds changes the previous value by the members
    /// that differ between the old and new rows (one walk of their sorted members), so a
    /// one-pod change to a 100,000-member set neither decodes nor hashes the other members.
    /// `previous` gives up its members (so they are changed in place, not copied).
    private static func addressSet(_ row: Row, old: Row?, previous: inout AddressSet?, uuid: OVSDBUUID) -> (AddressSet, [String])? {
        let column = AddressSet.Column.addresses.rawValue
        if previous != nil, let before = old?[column], let after = row[column] {
            var others = row
            others[column] = .emptySet
            guard var set = try? AddressSet(row: others) else { return nil }
            let (went, came) = before.keysDiffering(from: after)
            var changed: [String] = []
            changed.reserveCapacity(went.count + came.count)
            var members = previous!.addresses
            previous!.addresses = []
            for atom in went {
                guard case .string(let ip) = atom else { return nil }
                members.remove(ip)
                changed.append(ip)
            }
            for atom in came {
                guard case .string(let ip) = atom else { return nil }
                members.insert(ip)
                changed.append(ip)
            }
            set.addresses = members
            set.uuid = uuid
            return (set, changed)
        }
        guard var set = try? AddressSet(row: row) else { return nil }
        set.uuid = uuid
        let before = previous?.addresses ?? []
        return (set, Array(before.symmetricDifference(set.addresses)))
    }

    /// What changed since the last call, and forgets it.
    func takeChanged() -> (all: Bool, owners: Set<String>) {
        box.withLockedValue { c in
            defer {
                c.changedAll = false
                c.changedOwners = []
            }
            return (c.changedAll, c.changedOwners)
        }
    }

    /// The live state a plan needs: the policies of `owners` (every owner when nil), all
    /// priority-102 policies and both address sets; and, for the owners left out, the pod
    /// IPs they reroute (each with its owners).
    func liveState(owners: Set<String>?, settings: EngineSettings, zone: Bool = false) -> (live: LiveState, ipOwners: [String: Owners]) {
        box.withLockedValue { c in
            var live = LiveState()
            live.routerUUID = c.routers.first { $0.value == settings.router }?.key
            if zone {
                live.nbGlobalName = c.nbGlobalName
                let onRouter = live.routerUUID.flatMap { c.routerStaticRoutes[$0] } ?? []
                live.srcIPRouteUUIDs = Array(c.staticRoutes.keys)
                live.staticRoutes = c.staticRoutes.values.filter { onRouter.contains($0.uuid!) }
            }
            if let owners {
                var policies: [LogicalRouterPolicy] = []
                for owner in owners { for u in c.byOwner[owner] ?? [] { if let p = c.reroute[u] { policies.append(p) } } }
                live.reroutePolicies = policies
            } else {
                live.reroutePolicies = Array(c.reroute.values)
            }
            live.noReroutePolicies = c.noReroute.keys.sorted().map { c.noReroute[$0]! }
            live.addressSetNames = IPAddress.Family.allCases.sorted().map { AddressSetNames.hashedName(AddressSetNames.egressServiceID($0)) }
            for set in c.addressSets.values where live.addressSetNames.contains(set.name) { live.addressSets[set.name] = set }
            return (live, c.ipOwners)
        }
    }

    var ownedCount: Int { box.withLockedValue { $0.reroute.count } }
}
