/// One priority-101 reroute policy the database should hold.
public struct DesiredPolicy: Sendable, Hashable {
    public var owner: String
    public var ip: IPAddress
    public var nexthop: IPAddress
    public var match: String { "\(ip.family.matchPrefix).src == \(ip)" }
}

/// The `egresssvc-served-pods` address set of one family.
public struct DesiredAddressSet: Sendable, Hashable {
    public var family: IPAddress.Family
    public var id: String
    public var name: String
    public var externalIDs: [String: String]
    public var addresses: Set<String>
}

/// The priority-102 policy that keeps pod-to-node traffic local.
public struct DesiredNoReroute: Sendable, Hashable {
    public var family: IPAddress.Family
    public var match: String
    public var externalIDs: [String: String]
}

/// One pod IP that the endpoints of several egress services share. Only `winner` gets a
/// reroute policy (and the SNAT on its host).
public struct SharedPodIP: Sendable, Hashable {
    public var ip: IPAddress
    public var winner: String
    /// The others, in byte order.
    public var losers: [String]
    /// The winner is a service outside the input whose live policy is kept (not pruned).
    public var winnerIsKept: Bool
}

/// What the Northbound database should hold for the manifests: computed, not read.
public struct DesiredState: Sendable {
    public var assignment: HostAssignment
    public var policies: [DesiredPolicy] = []
    public var addressSets: [DesiredAddressSet] = []
    public var noReroute: [DesiredNoReroute] = []
    /// The zone's catch-all static routes (none for `global`).
    public var routes: [DesiredRoute] = []
    /// Per service key, the endpoint IPs it reroutes (its endpoints less the shared ones it lost).
    public var servedEndpoints: [String: [IPAddress]] = [:]
    /// Per service key with a host, every endpoint IP it puts in the served-pods sets
    /// (shared ones it lost included).
    public var served: [String: [IPAddress]] = [:]
    public var sharedIPs: [SharedPodIP] = []
    public var warnings: [String] = []
    /// The interconnect zone planned: which nodes are local.
    public var zone: Zone = .everyNode

    public static let priority = 101
    public static let noReroutePriority = 102
    public static let ownerKey = "EgressSVC"
    /// Appended to the owner of the rows a host's zone writes for endpoints in other zones.
    public static let interconnectSuffix = ":ic"

    /// The service (`namespace/name`) an owner value names: `ns/name` and `ns/name:ic` are
    /// the same service's rows (a service key holds no colon).
    public static func service(ofOwner owner: String) -> Substring {
        owner.hasSuffix(interconnectSuffix) ? owner.dropLast(interconnectSuffix.count) : owner[...]
    }

    /// `keptClaims`: pod IPs that services outside the input already reroute (their rows are
    /// kept when not pruning), by IP, with the owner. Such a claim wins over the input's.
    public init(_ input: ClusterInput, settings: EngineSettings, liveHosts: [String: String] = [:],
                keptClaims: [IPAddress: String] = [:], baseLoad: [String: Int] = [:], zone: Zone = .everyNode) {
        self.init(input, settings: settings,
                  assignment: HostSelection.select(input, settings: settings, liveHosts: liveHosts, baseLoad: baseLoad),
                  keptClaims: keptClaims, zone: zone)
    }

    /// The rows of `zone` for a host choice made once for the whole cluster (`assignment`):
    /// every zone plans from the same one.
    public init(_ input: ClusterInput, settings: EngineSettings, assignment: HostAssignment,
                keptClaims: [IPAddress: String] = [:], zone: Zone) {
        self.assignment = assignment
        self.zone = zone
        warnings = assignment.warnings
        let families = settings.families ?? Set(input.nodes.values.flatMap { $0.subnets.map(\.family) })
        let locality = EndpointLocality(input, zone: zone)
        var served: [IPAddress.Family: Set<String>] = [:]
        // A shared pod IP goes to the first claimant: a kept service, else the smallest
        // namespace/name in byte order (keys are validated ASCII, so String order is byte order).
        var claims = keptClaims
        var shared: [IPAddress: SharedPodIP] = [:]
        for key in assignment.hosts.keys.sorted() {
            let host = assignment.hosts[key]!
            guard host != "", host != "ALL", let node = input.nodes[host] else { continue }
            var won: [IPAddress] = []
            let endpoints = assignment.endpoints[key] ?? []
            self.served[key] = endpoints
            for ip in endpoints {
                if let owner = claims[ip] {
                    shared[ip, default: SharedPodIP(ip: ip, winner: owner, losers: [], winnerIsKept: keptClaims[ip] != nil)].losers.append(key)
                    continue
                }
                claims[ip] = key
                won.append(ip)
            }
            servedEndpoints[key] = won
            addZoneRows(key, host: node, endpoints: endpoints, won: Set(won), locality: locality, served: &served)
            // The host's label name is `<namespace>-<name>`: valid parts can add up to more
            // than the 63 bytes a label name may have.
            if key.utf8.count > 63 {
                warnings.append("EgressService \(key): the node label \(NodePlan.label(key)) is longer "
                                + "than a label name may be (63); the host cannot be selected by it")
            }
            // Rerouted but not SNATed: the pods leave the host with its own IP.
            let ingressFamilies = Set(input.services[key]?.ingressIPs.map(\.family) ?? [])
            for family in Set(won.map(\.family)).subtracting(ingressFamilies).sorted() {
                warnings.append("EgressService \(key): the Service has no \(family) ingress IP (only hostnames or the other family); "
                                + "its \(family) endpoints are rerouted to \(host) but not SNATed there")
            }
        }
        sharedIPs = shared.values.sorted { $0.ip < $1.ip }
        for c in sharedIPs {
            let kept = c.winnerIsKept ? " (kept: not in the input)" : ""
            warnings.append("pod IP \(c.ip) is an endpoint of several egress services: \(c.winner)\(kept) reroutes it; "
                            + "\(c.losers.joined(separator: ", ")) get no policy for it")
        }
        for family in families.sorted() {
            let id = AddressSetNames.egressServiceID(family)
            addressSets.append(DesiredAddressSet(
                family: family, id: id, name: AddressSetNames.hashedName(id),
                externalIDs: [
                    "k8s.ovn.org/owner-controller": AddressSetNames.controller,
                    "k8s.ovn.org/owner-type": "EgressService",
                    "k8s.ovn.org/name": "egresssvc-served-pods",
                    "ip-family": family.rawValue,
                    "k8s.ovn.org/id": id,
                ],
                addresses: served[family] ?? []))
            if settings.ensureNoReroutePolicy {
                noReroute.append(Self.noReroute(family, settings.profile))
            }
        }
        addCatchAllRoutes(input, settings: settings, families: families)
    }

    static func noReroute(_ family: IPAddress.Family, _ profile: EngineSettings.Profile) -> DesiredNoReroute {
        let p = family.matchPrefix
        let eip = AddressSetNames.hashedName(AddressSetNames.egressIPServedPodsID(family, profile))
        let svc = AddressSetNames.hashedName(AddressSetNames.egressServiceID(family))
        let nodes = AddressSetNames.hashedName(AddressSetNames.nodeIPsID(family, profile))
        let match = "(\(p).src == $\(eip) || \(p).src == $\(svc)) && \(p).dst == $\(nodes)"
        var ids: [String: String] = [:]
        if profile != .v2023 {
            let ipFamily = family == .v4 ? "ip4" : "ip6"
            ids = [
                "k8s.ovn.org/owner-controller": AddressSetNames.controller,
                "k8s.ovn.org/owner-type": "EgressIP",
                "k8s.ovn.org/name": "EIP-No-Reroute-Pod-To-Node",
                "priority": "102",
                "ip-family": ipFamily,
                "network": "default",
                "k8s.ovn.org/id": "\(AddressSetNames.controller):EgressIP:102:EIP-No-Reroute-Pod-To-Node:\(ipFamily):default",
            ]
        }
        return DesiredNoReroute(family: family, match: match, externalIDs: ids)
    }
}
