/// Where a zone sees each endpoint IP: on one of its member nodes, on a node of another zone,
/// or on a node the input does not have (its zone unknown: left out, as OVN-Kubernetes does).
struct EndpointLocality {
    enum Place { case local, remote, unknown }

    private let zone: Zone
    /// Each endpoint IP's node; nil when the zone holds every node (all endpoints are local,
    /// as with one database, and nothing is looked up).
    private let nodeOfIP: [IPAddress: String]?
    private let nodes: [String: Node]

    init(_ input: ClusterInput, zone: Zone) {
        self.zone = zone
        nodes = input.nodes
        guard !zone.holdsEveryNode(of: input) else {
            nodeOfIP = nil
            return
        }
        var map: [IPAddress: String] = [:]
        for slice in input.endpointSlices where slice.serviceName != nil {
            for e in slice.endpoints {
                guard let node = e.nodeName else { continue }
                for ip in e.addresses { map[ip] = node }
            }
        }
        nodeOfIP = map
    }

    func place(_ ip: IPAddress) -> Place {
        guard let nodeOfIP else { return .local }
        guard let node = nodeOfIP[ip], nodes[node] != nil else { return .unknown }
        return zone.contains(node) ? .local : .remote
    }
}

extension DesiredState {
    /// The rows one service gets in this zone (interconnect.md section 7): a reroute per local
    /// endpoint, to the host's management IP when the host is local, else to its transit-switch
    /// IP; when the host is local, an `:ic` reroute per remote endpoint to its management IP;
    /// the local endpoints in the served-pods sets. `won`: the IPs the service reroutes (a
    /// shared IP lost to another service gets no row, but is still served).
    mutating func addZoneRows(_ key: String, host: Node, endpoints: [IPAddress], won: Set<IPAddress>,
                              locality: EndpointLocality, served: inout [IPAddress.Family: Set<String>]) {
        let hostIsLocal = zone.contains(host.name)
        var local: [IPAddress] = []
        var remote: [IPAddress] = []
        var unknown = 0
        for ip in endpoints {
            switch locality.place(ip) {
            case .local: local.append(ip)
            case .remote: remote.append(ip)
            case .unknown: unknown += 1
            }
        }
        if !hostIsLocal {
            let needed = Set(local.filter(won.contains).map(\.family)).sorted()
            if let family = needed.first(where: { host.transit.address($0) == nil }) {
                warnings.append("EgressService \(key): host \(host.name) is in another zone than \(zone.name) and its "
                            + "\(Node.transitAnnotation) annotation \(host.transit.problem(family)); "
                            + "nothing written for the service in zone \(zone.name)")
                return
            }
        }
        if unknown > 0 {
            warnings.append("EgressService \(key): \(unknown) endpoint IP(s) on nodes that are not in the input (zone unknown); "
                        + "left out of zone \(zone.name)")
        }
        for ip in local { served[ip.family, default: []].insert(ip.description) }
        for ip in local where won.contains(ip) {
            if hostIsLocal {
                addManagementReroute(key, ip, host: host)
            } else if let hop = host.transit.address(ip.family) {
                policies.append(DesiredPolicy(owner: key, ip: ip, nexthop: hop))
            }
        }
        guard hostIsLocal else { return }
        for ip in remote where won.contains(ip) {
            addManagementReroute(key + Self.interconnectSuffix, ip, host: host)
        }
    }

    private mutating func addManagementReroute(_ owner: String, _ ip: IPAddress, host: Node) {
        guard let subnet = host.subnet(ip.family) else {
            warnings.append("EgressService \(Self.service(ofOwner: owner)): host \(host.name) has no \(ip.family) subnet; no policy for \(ip)")
            return
        }
        policies.append(DesiredPolicy(owner: owner, ip: ip, nexthop: subnet.managementIP))
    }
}
