import OVSDBClient

/// Plans a controller's pass: every service (a full plan, as `apply` makes it), or only the
/// services whose objects or rows changed, against the live cache. A partial plan reads and
/// writes only those services' rows; what it needs of the others (their hosts' load, the pod
/// IPs they claim or keep in the address sets) it takes from what earlier passes recorded.
/// When a changed service shares a pod IP with one outside the plan, the winner might
/// change, so the plan is made full instead.
struct IncrementalPlanner {
    /// Services that were in the input at some point (their rows are the controller's to
    /// remove once they leave it).
    private(set) var seen: Set<String> = []
    /// Each planned service's host, kept between passes (sticky selection).
    private(set) var hosts: [String: String] = [:]
    /// How many services each host of `hosts` serves.
    private var hostLoad: [String: Int] = [:]
    private var servedOf: [String: Set<String>] = [:]
    private var servedBy: [String: Owners] = [:]

    struct Outcome {
        var plan: Plan
        var live: LiveState
        var full: Bool
        /// The services the plan covered, and what it decided for them.
        var planned: Set<String>
        var desired: DesiredState
    }

    /// A zone that is not the whole cluster is always planned in full: which of its rows a
    /// change touches (`:ic` rows, transit nexthops, the local served pods) depends on nodes
    /// and hosts outside the changed services. `ledger`: the hosts other zones wrote, which win.
    func plan(objects: ClusterObjectStore, cache: LiveCache, changed: Set<String>?, settings: EngineSettings, prune: Bool,
              zone zoneSource: EgressEngine.ZoneSource = .everyNode, ledger: HostLedger? = nil) throws -> Outcome {
        if let changed, let partial = try partialPlan(objects: objects, cache: cache, changed: changed, settings: settings, prune: prune,
                                                      zone: zoneSource) {
            return partial
        }
        let input = objects.input
        let seen = self.seen.union(input.egressServices.map(\.key))
        let (live, _) = cache.liveState(owners: nil, settings: settings, zone: zoneSource != .everyNode)
        let zone = try zoneSource.zone(of: live, input: input)
        var liveHosts = live.currentHosts(nodes: input.nodes)
        liveHosts.merge(hosts) { _, kept in kept }
        if let ledger { liveHosts.merge(ledger.hosts) { _, shared in shared } }
        let desired = DesiredState(input, settings: settings, liveHosts: liveHosts, keptClaims: prune ? [:] : live.claims(outside: seen),
                                   zone: zone)
        let plan = try Plan(desired: desired, live: live, settings: settings, scope: prune ? .prune : .services(seen))
        let planned = prune ? seen.union(live.ownedPolicies.compactMap { $0.externalIDs[DesiredState.ownerKey] }) : seen
        return Outcome(plan: plan, live: live, full: true, planned: planned, desired: desired)
    }

    private func partialPlan(objects: ClusterObjectStore, cache: LiveCache, changed: Set<String>, settings: EngineSettings,
                             prune: Bool, zone zoneSource: EgressEngine.ZoneSource) throws -> Outcome? {
        let input = objects.input(forServices: changed)
        let inInput = Set(input.egressServices.map(\.key))
        let seen = self.seen.union(inInput)
        // Without --prune, a service never seen in the input is not the controller's.
        let scope = prune ? changed : changed.intersection(seen)
        guard !scope.isEmpty else { return nil }
        let (live, ipOwners) = cache.liveState(owners: scope, settings: settings, zone: zoneSource != .everyNode)
        let zone = try zoneSource.zone(of: live, input: input)
        guard zone.holdsEveryNode(of: input) else { return nil }
        let outside = { (services: Owners?) in !(services?.isSubset(of: scope) ?? true) }
        // Every pod IP these services served or now list: shared with a service outside the
        // plan means a winner may change.
        var ips: Set<String> = []
        for key in scope { ips.formUnion(servedOf[key] ?? []) }
        for slice in input.endpointSlices { for e in slice.endpoints { for ip in e.addresses { ips.insert(ip.description) } } }
        for ip in ips where outside(servedBy[ip]) || outside(ipOwners[ip]) { return nil }

        var liveHosts = live.currentHosts(nodes: input.nodes)
        // Looked up by the changed services, never by walking every service's host.
        var load = hostLoad
        for key in scope {
            guard let kept = hosts[key] else { continue }
            liveHosts[key] = kept
            Self.count(kept, by: -1, in: &load)
        }
        let desired = DesiredState(input, settings: settings, liveHosts: liveHosts, baseLoad: load, zone: zone)
        let servedBy = self.servedBy
        // What may leave the address sets: what these services served or reroute now.
        var candidates: Set<String> = []
        for key in scope { candidates.formUnion(servedOf[key] ?? []) }
        for p in live.ownedPolicies { if let ip = LiveState.sourceIP(of: p.match) { candidates.insert(ip.description) } }
        let plan = try Plan(desired: desired, live: live, settings: settings, scope: .services(scope),
                            partialAddresses: (candidates, { ip in outside(servedBy[ip]) || outside(ipOwners[ip]) }))
        return Outcome(plan: plan, live: live, full: false, planned: scope, desired: desired)
    }

    /// Records what a plan decided, once it is in the database (or needed no write).
    mutating func commit(_ outcome: Outcome, input inInput: Set<String>, ledger: HostLedger? = nil) {
        seen.formUnion(inInput)
        ledger?.record(outcome.plan.hosts, for: outcome.planned)
        if outcome.full {
            hosts = [:]
            hostLoad = [:]
            servedOf = [:]
            servedBy = [:]
        }
        for key in outcome.planned {
            for ip in servedOf.removeValue(forKey: key) ?? [] {
                servedBy[ip]?.remove(key)
                if servedBy[ip]?.isEmpty == true { servedBy[ip] = nil }
            }
            if let host = hosts.removeValue(forKey: key) { Self.count(host, by: -1, in: &hostLoad) }
        }
        for (key, host) in outcome.plan.hosts where outcome.planned.contains(key) && host != "" && host != "ALL" {
            hosts[key] = host
            Self.count(host, by: 1, in: &hostLoad)
        }
        for (key, ips) in outcome.desired.served where outcome.planned.contains(key) {
            let texts = Set(ips.map(\.description))
            servedOf[key] = texts
            for ip in texts { servedBy[ip, default: Owners()].insert(key) }
        }
    }

    /// Adds `delta` to `host`'s count, dropping hosts that count none.
    private static func count(_ host: String, by delta: Int, in load: inout [String: Int]) {
        let n = load[host, default: 0] + delta
        load[host] = n == 0 ? nil : n
    }
}
