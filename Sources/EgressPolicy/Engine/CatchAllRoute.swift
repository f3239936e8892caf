/// The src-ip static route an interconnect zone needs on the cluster router (interconnect.md
/// section 2): traffic of a cluster subnet that no policy reroutes leaves through a local
/// node's gateway router, so packets that other zones reroute here are not dropped.
public struct DesiredRoute: Sendable, Hashable {
    /// The cluster subnet (`ip_prefix`).
    public var subnet: CIDR
    /// The gateway router's join IP of `node`.
    public var nexthop: IPAddress
    public var node: String
    /// The nodes' subnet length in `subnet`: a src-ip route at least this long is a node's
    /// own route (through its management port), not the catch-all.
    public var hostSubnetLength: Int
}

extension DesiredState {
    /// The catch-all routes of a zone that is not `global`, when the tool owns the 102s
    /// (EgressIP, which writes the same route, is then off): one per cluster subnet, through
    /// the first Ready member node in byte order that has a join IP of its family.
    /// OVN-Kubernetes lets the last node it syncs win; with one node per zone that is the same.
    mutating func addCatchAllRoutes(_ input: ClusterInput, settings: EngineSettings, families: Set<IPAddress.Family>) {
        guard zone.name != Zone.globalName, zone.members != nil, settings.ensureNoReroutePolicy else { return }
        let members = zone.members!.sorted().compactMap { input.nodes[$0] }
        guard let subnets = settings.clusterSubnets else {
            warnings.append("zone \(zone.name): no --cluster-subnet given, so no catch-all route is planned "
                            + "(other zones' rerouted traffic may be dropped here)")
            return
        }
        for subnet in subnets where families.contains(subnet.family) {
            let nodeLengths = input.nodes.values.flatMap(\.subnets).filter { subnet.contains($0.network) }.map(\.prefixLength)
            let hostLength = nodeLengths.max() ?? (subnet.family == .v4 ? 24 : 64)
            var chosen: Node?
            for node in members where node.ready {
                if let hop = node.gatewayJoin.address(subnet.family) {
                    if chosen == nil {
                        chosen = node
                        routes.append(DesiredRoute(subnet: subnet, nexthop: hop, node: node.name, hostSubnetLength: hostLength))
                    }
                } else if case .malformed(let why) = node.gatewayJoin,
                          case let warning = "zone \(zone.name): node \(node.name): \(why); it gives no catch-all route",
                          !warnings.contains(warning) {
                    warnings.append(warning)
                }
            }
            if chosen == nil {
                warnings.append("zone \(zone.name): no Ready member node has a \(subnet.family) gateway-router join IP "
                                + "(\(Node.gatewayRouterAnnotation) or \(Node.nodeIDAnnotation)); "
                                + "no catch-all route for \(subnet)")
            }
        }
    }
}
