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

    /// Which owned services a plan may change.
    public enum Scope: Sendable, Hashable {
        /// Only these services (`namespace/name`): the others' rows are kept as they are.
        case services(Set<String>)
        /// Every owned row: those of services outside the input are removed (`--prune`).
        case prune
    }

    /// An owned service outside the input whose rows the plan leaves alone.
    public struct KeptService: Sendable, Hashable {
        public var owner: String
        public var policies: Int
    }

    public var router: String
    /// The zone planned (its name: `global` for one database of the whole cluster).
    public var zone: String
    public var routerUUID: OVSDBUUID
    public var hosts: [String: String]
    public var additions: [DesiredPolicy] = []
    public var removals: [PolicyRemoval] = []
    public var repairs: [NexthopRepair] = []
    public var addressChanges: [AddressChange] = []
    public var noRerouteAdditions: [DesiredNoReroute] = []
    public var routeAdditions: [DesiredRoute] = []
    public var routeRepairs: [RouteRepair] = []
    public var routeRemovals: [StaticRouteRemoval] = []
    /// 2023-era `EgressSVC` static routes left alone (no `--prune`).
    public var staleRoutesKept = 0
    /// Whether the plan has a route part (a zone that keeps a catch-all route, or stale
    /// EgressSVC routes were read): only then does it show and guard them.
    public var routesRead = false
    public var kept: [KeptService] = []
    public var sharedIPs: [SharedPodIP] = []
    public var warnings: [String] = []
    /// The guard: what the diff read, checked by `wait` before any write.
    var guards: [OVSDBOperation] = []

    public var isEmpty: Bool {
        additions.isEmpty && removals.isEmpty && repairs.isEmpty && noRerouteAdditions.isEmpty && addressChanges.isEmpty
            && !hasRouteChanges
    }

    /// Computes the plan from desired and live state. With `.services`, owned rows of other
    /// services are kept, and so are their IPs in the address sets (`keptIPs`).
    ///
    /// `partialAddresses`, when given, is for a controller whose live state holds only the
    /// planned services' policies: only `candidates` may leave the address sets (what those
    /// services served or rerouted), and none that `keeps` says another service still serves.
    public init(desired: DesiredState, live: LiveState, settings: EngineSettings, scope: Scope,
                partialAddresses: (candidates: Set<String>, keeps: (String) -> Bool)? = nil) throws(EngineError) {
        guard let routerUUID = live.routerUUID else { throw .routerMissing(settings.router) }
        router = settings.router
        zone = desired.zone.name
        self.routerUUID = routerUUID
        hosts = desired.assignment.hosts
        warnings = desired.warnings
        sharedIPs = desired.sharedIPs

        // Reroute policies, identified by owner + match. The rows of one key are chained
        // through `nextRow` (duplicates are rare), so the table holds no array per key; the
        // desired side only marks the keys it finds, so no second set of keys is built.
        struct Key: Hashable { var owner: String; var match: String }
        struct Rows { var first: Int32; var last: Int32 }
        let owned = live.ownedPolicies
        var rowsByKey: [Key: Rows] = [:]
        rowsByKey.reserveCapacity(owned.count)
        var nextRow = [Int32](repeating: -1, count: owned.count)
        func append(_ row: Int32, to rows: inout Rows) {
            guard rows.last != row else { return }
            nextRow[Int(rows.last)] = row
            rows.last = row
        }
        var keptCounts: [String: Int] = [:]
        var keptIPs: Set<String> = []
        for (index, p) in owned.enumerated() {
            let owner = p.externalIDs[DesiredState.ownerKey]!
            if case .services(let inScope) = scope, case let service = DesiredState.service(ofOwner: owner),
               !inScope.contains(String(service)) {
                keptCounts[String(service), default: 0] += 1
                if let ip = LiveState.sourceIP(of: p.match) { keptIPs.insert(ip.description) }
                continue
            }
            let row = Int32(index)
            append(row, to: &rowsByKey[Key(owner: owner, match: p.match), default: Rows(first: row, last: row)])
        }
        kept = keptCounts.sorted { $0.key < $1.key }.map { KeptService(owner: $0.key, policies: $0.value) }
        let links = nextRow  // the chain is read only from here on
        let chain = { (first: Int32) in sequence(first: Int(first)) { links[$0] >= 0 ? Int(links[$0]) : nil } }
        var wanted = [Bool](repeating: false, count: owned.count)
        for d in desired.policies {
            let match = d.match
            let hop = d.nexthop.description
            guard let first = rowsByKey[Key(owner: d.owner, match: match)]?.first else {
                additions.append(d)
                continue
            }
            wanted[Int(first)] = true
            // Keep one row (a correct one if any), repair it if needed, drop duplicates.
            // Checked in place: comparing with `[hop]` would build a one-element Set per row.
            let isRight = { (p: LogicalRouterPolicy) in p.nexthops.count == 1 && p.nexthops.first == hop && p.action == .reroute }
            let keepIndex = chain(first).first { isRight(owned[$0]) } ?? Int(first)
            let keep = owned[keepIndex]
            if !isRight(keep) {
                repairs.append(NexthopRepair(owner: d.owner, match: match, uuid: keep.uuid!, from: keep.nexthops.sorted(), to: hop))
            }
            for extra in chain(first) where extra != keepIndex {
                removals.append(PolicyRemoval(owner: d.owner, match: match, uuid: owned[extra].uuid!, reason: "duplicate"))
            }
        }
        let stale = rowsByKey.filter { !wanted[Int($0.value.first)] }
        for (key, rows) in stale.sorted(by: { ($0.key.owner, $0.key.match) < ($1.key.owner, $1.key.match) }) {
            let reason = desired.assignment.hosts[String(DesiredState.service(ofOwner: key.owner))] == nil ? "pruned" : "stale"
            for index in chain(rows.first) {
                removals.append(PolicyRemoval(owner: key.owner, match: key.match, uuid: owned[index].uuid!, reason: reason))
            }
        }

        // Address sets: created when missing, otherwise only the differing members change.
        for set in desired.addressSets {
            if let existing = live.addressSets[set.name] {
                // Walks the desired members, never the live ones: a partial plan's desired set holds
                // a few pods, the live one every pod.
                let add = set.addresses.filter { !existing.addresses.contains($0) }.sorted(by: Self.bytewise)
                let remove: [String]
                if let partialAddresses {
                    remove = partialAddresses.candidates.filter {
                        existing.addresses.contains($0) && !set.addresses.contains($0) && !partialAddresses.keeps($0)
                    }.sorted(by: Self.bytewise)
                } else {
                    remove = existing.addresses.subtracting(set.addresses).subtracting(keptIPs).sorted(by: Self.bytewise)
                }
                let ids = existing.externalIDs == set.externalIDs ? nil : set.externalIDs
                if !add.isEmpty || !remove.isEmpty || ids != nil {
                    addressChanges.append(AddressChange(name: set.name, family: set.family, uuid: existing.uuid, add: add, remove: remove, externalIDs: ids))
                }
            } else {
                addressChanges.append(AddressChange(name: set.name, family: set.family, create: set, add: set.addresses.sorted(by: Self.bytewise), remove: []))
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
        planRoutes(desired: desired, live: live, scope: scope)
    }

    /// Address-set members in OVSDB's order (by bytes), the order the transaction's sets
    /// carry, so encoding them needs no second sort.
    static func bytewise(_ a: String, _ b: String) -> Bool { ByteOrder.less(a, b) }
}
