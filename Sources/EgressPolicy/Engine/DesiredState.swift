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

/// What the Northbound database should hold for the manifests: computed, not read.
public struct DesiredState: Sendable {
    public var assignment: HostAssignment
    public var policies: [DesiredPolicy] = []
    public var addressSets: [DesiredAddressSet] = []
    public var noReroute: [DesiredNoReroute] = []
    public var warnings: [String] = []

    public static let priority = 101
    public static let noReroutePriority = 102
    public static let ownerKey = "EgressSVC"

    public init(_ input: ClusterInput, settings: EngineSettings, liveHosts: [String: String] = [:]) {
        assignment = HostSelection.select(input, settings: settings, liveHosts: liveHosts)
        warnings = assignment.warnings
        let families = settings.families ?? Set(input.nodes.values.flatMap { $0.subnets.map(\.family) })
        var served: [IPAddress.Family: Set<String>] = [:]
        for key in assignment.hosts.keys.sorted() {
            let host = assignment.hosts[key]!
            guard host != "", host != "ALL", let node = input.nodes[host] else { continue }
            for ip in assignment.endpoints[key] ?? [] {
                served[ip.family, default: []].insert(ip.description)
                guard let subnet = node.subnet(ip.family) else {
                    warnings.append("EgressService \(key): host \(host) has no \(ip.family) subnet; no policy for \(ip)")
                    continue
                }
                policies.append(DesiredPolicy(owner: key, ip: ip, nexthop: subnet.managementIP))
            }
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
