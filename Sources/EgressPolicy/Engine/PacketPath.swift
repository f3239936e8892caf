/// A pod IP's egress packet followed across interconnect zones, from what each zone's
/// database holds (its `Explanation`) and the manifests: the reroute in the pod's zone, then,
/// when that goes to another zone's transit-switch port, that zone's `:ic` reroute, down to a
/// management port and the host's SNAT.
public struct PacketPath: Sendable {
    public var steps: [String] = []
    /// Whether the walk reached a host's management port.
    public var reachesHost = false

    public static func trace(_ ip: IPAddress, zones: [Explanation], input: ClusterInput, settings: EngineSettings) -> PacketPath {
        var path = PacketPath()
        let nodeOfIP = input.endpointSlices.lazy.flatMap(\.endpoints).first { $0.addresses.contains(ip) }?.nodeName
        guard let podNode = nodeOfIP.flatMap({ input.nodes[$0] }) else {
            path.steps.append("the manifests have no endpoint \(ip) on a known node: its zone is unknown")
            return path
        }
        func zone(of node: Node) -> Explanation? {
            zones.first { $0.zone.map { Zone.isMember(node, ofZoneNamed: $0) } ?? false }
        }
        guard var here = zone(of: podNode) else {
            path.steps.append("pod on \(podNode.name), whose zone is none of the databases given")
            return path
        }
        path.steps.append("pod on \(podNode.name), zone \(name(here))")
        var visited: Set<String> = []
        while visited.insert(here.zone ?? "").inserted {
            guard let reroute = here.reroutes.first else {
                path.steps.append("zone \(name(here)): no priority-101 reroute matches: the packet leaves through its own node")
                return path
            }
            let hop = reroute.nexthops.first ?? ""
            let step = "zone \(name(here)): policy 101 \"\(reroute.match)\" reroute \(hop) (owner \(reroute.owner))"
            guard let node = input.nodes.values.sorted(by: { $0.name < $1.name }).first(where: { isNexthop(hop, of: $0) }) else {
                path.steps.append(step + ": no node of the manifests has this address")
                return path
            }
            if node.subnets.contains(where: { $0.managementIP.description == hop }) {
                path.steps.append(step + ": \(node.name)'s management port (ovn-k8s-mp0)")
                path.reachesHost = true
                let desired = DesiredState(input, settings: settings)
                let snat = NodePlan(node: node.name, input: input, desired: desired).snat.filter { $0.endpoint == ip }
                if snat.isEmpty { path.steps.append("on \(node.name): no SNAT for \(ip) in the manifests") }
                for r in snat { path.steps.append("on \(node.name): SNAT \(ip) to \(r.loadBalancerIP) (\(r.owner))") }
                return path
            }
            guard let next = zone(of: node) else {
                path.steps.append(step + ": \(node.name)'s transit-switch port, in a zone none of the databases given")
                return path
            }
            path.steps.append(step + ": \(node.name)'s transit-switch port, into zone \(name(next))")
            here = next
        }
        path.steps.append("zone \(name(here)) again: the reroutes loop between zones")
        return path
    }

    /// A zone's name as the database gives it: it can hold anything, so it is escaped.
    private static func name(_ e: Explanation) -> String { SafeText.escaped(e.zone ?? "?") }

    private static func isNexthop(_ hop: String, of node: Node) -> Bool {
        node.subnets.contains { $0.managementIP.description == hop }
            || IPAddress.Family.allCases.contains { node.transit.address($0)?.description == hop }
    }
}
