import OVNSchema
import OVSDBClient

/// The egress services found in a live database, with what looks wrong about them.
public struct Inventory: Sendable {
    public struct Entry: Sendable, Hashable {
        public var service: String
        /// Node names when manifests were given, else the nexthop IPs.
        public var hosts: [String]
        public var nexthops: [String]
        public var endpoints: [String]
        public var drift: [String]
    }

    /// One owned policy, for `list --policies`.
    public struct PolicyEntry: Sendable, Hashable {
        public var service: String
        public var podIP: String
        public var nexthops: [String]
        /// Node names when manifests were given (`?` for an unknown nexthop), else empty.
        public var nodes: [String]
        public var uuid: String
    }

    public var entries: [Entry] = []
    public var policies: [PolicyEntry] = []
    public var addressSets: [String: Set<String>] = [:]
    public var noReroute: [String] = []
    /// The database's zone (`NB_Global.name`, `global` when empty); nil without the row.
    public var zone: String?

    /// Reads the live state and describes it. Without `services`, only `policies` is filled
    /// (`list --policies` needs nothing else) and the per-service drift checks are skipped.
    public static func read(_ connection: OVSDBConnection, settings: EngineSettings, input: ClusterInput?,
                            services: Bool = true) async throws -> Inventory {
        let schema = try await connection.schema(of: OVNNorthbound.name)
        let live = try await LiveState.read(connection, schema: schema, settings: settings, families: [.v4, .v6],
                                            policyColumns: [.match, .nexthops, .externalIDs])
        let byIP = LiveState.nodesByNexthop(input?.nodes ?? [:])
        var inventory = Inventory()
        inventory.addressSets = live.addressSets.mapValues(\.addresses)
        inventory.noReroute = live.noReroutePolicies.map(\.match).sorted()
        inventory.zone = live.nbGlobalName.map(Zone.name(fromNBGlobal:))
        let owned = live.ownedPolicies
        let owners = owned.map { $0.externalIDs[DesiredState.ownerKey]! }
        let podIPs = owned.map { Self.podIP($0.match) }
        var byOwner: [String: [Int]] = [:]
        for (i, owner) in owners.enumerated() { byOwner[owner, default: []].append(i) }
        inventory.policies.reserveCapacity(owned.count)
        let sortedOwners = byOwner.keys.sorted()
        for owner in sortedOwners {
            for i in byOwner[owner]! {
                let hops = owned[i].nexthops.sorted()
                inventory.policies.append(PolicyEntry(service: owner, podIP: podIPs[i], nexthops: hops,
                                                      nodes: input == nil ? [] : hops.map { byIP[$0] ?? "?" },
                                                      uuid: owned[i].uuid?.description ?? ""))
            }
        }
        guard services else { return inventory }
        let served = live.addressSets.values.reduce(into: Set<String>()) { $0.formUnion($1.addresses) }
        // Pod IPs rerouted by more than one service: OVN picks one of their nexthops.
        var ownersByIP: [String: Set<String>] = [:]
        for (i, owner) in owners.enumerated() { ownersByIP[podIPs[i], default: []].insert(owner) }
        for owner in sortedOwners {
            let indices = byOwner[owner]!
            let nexthops = Set(indices.flatMap { owned[$0].nexthops }).sorted()
            var drift: [String] = []
            var matches: [String: Int] = [:]
            var endpoints: [String] = []
            for i in indices {
                let p = owned[i]
                matches[p.match, default: 0] += 1
                let ip = podIPs[i]
                endpoints.append(ip)
                if !served.contains(ip) { drift.append("\(ip) is not in the served-pods address set") }
                if p.nexthops.count != 1 { drift.append("\(p.match) has \(p.nexthops.count) nexthops") }
            }
            for (m, n) in matches.sorted(by: { $0.key < $1.key }) where n > 1 { drift.append("\(n) owned policies for \(m)") }
            for ip in Set(endpoints).sorted() {
                let others = ownersByIP[ip, default: []].subtracting([owner]).sorted()
                if !others.isEmpty { drift.append("conflict: \(ip) is also rerouted by \(others.joined(separator: ", "))") }
            }
            var hosts = nexthops
            if input != nil {
                hosts = Array(Set(nexthops.map { byIP[$0] ?? "?" })).sorted()
                for hop in nexthops where byIP[hop] == nil { drift.append("nexthop \(hop) is no node's management IP") }
            }
            inventory.entries.append(Entry(service: owner, hosts: hosts, nexthops: nexthops,
                                           endpoints: Array(Set(endpoints)).sorted(), drift: drift))
        }
        return inventory
    }

    /// The canonical pod IP of a match, or the match itself (escaped later) when it is not ours.
    private static func podIP(_ match: String) -> String {
        LiveState.sourceIP(of: match)?.description ?? match
    }
}

/// What happens to a pod IP's egress traffic: the hand walk through lr-policy-list, the
/// address sets and the node's SNAT, done for one address.
public struct Explanation: Sendable {
    public var ip: IPAddress
    /// The database's zone (`NB_Global.name`, `global` when empty); nil without the row.
    public var zone: String?
    public var reroutes: [(owner: String, match: String, nexthops: [String])] = []
    public var hostNodes: [String] = []
    public var noReroute: [String] = []
    public var inAddressSets: [String] = []
    public var snat: [String] = []
    /// With manifests: the services whose endpoints include this IP, the winner first.
    public var shared: SharedPodIP?

    public static func explain(_ ip: IPAddress, connection: OVSDBConnection, settings: EngineSettings, input: ClusterInput?) async throws -> Explanation {
        let schema = try await connection.schema(of: OVNNorthbound.name)
        let live = try await LiveState.read(connection, schema: schema, settings: settings, families: [ip.family])
        var e = Explanation(ip: ip)
        e.zone = live.nbGlobalName.map(Zone.name(fromNBGlobal:))
        let match = "\(ip.family.matchPrefix).src == \(ip)"
        for p in live.reroutePolicies where p.match == match {
            e.reroutes.append((p.externalIDs[DesiredState.ownerKey].map { SafeText.escaped($0) } ?? "(not owned)", p.match,
                               p.nexthops.sorted().map { SafeText.escaped($0) }))
        }
        e.noReroute = live.noReroutePolicies.map(\.match).filter { $0.contains(ip.family.matchPrefix + ".src") }.map { SafeText.escaped($0) }
        e.inAddressSets = live.addressSets.values.filter { $0.addresses.contains(ip.description) }.map(\.name).sorted()
        if let input {
            let desired = DesiredState(input, settings: settings, liveHosts: live.currentHosts(nodes: input.nodes))
            e.shared = desired.sharedIPs.first { $0.ip == ip }
            let hops = Set(e.reroutes.flatMap(\.nexthops))
            let byNexthop = LiveState.nodesByNexthop(input.nodes)
            e.hostNodes = Set(hops.compactMap { byNexthop[$0] }).sorted()
            for node in input.nodes.keys.sorted() {
                for r in NodePlan(node: node, input: input, desired: desired).snat where r.endpoint == ip {
                    e.snat.append("on \(node): SNAT \(ip) to \(r.loadBalancerIP) (\(r.owner))")
                }
            }
        }
        return e
    }
}
