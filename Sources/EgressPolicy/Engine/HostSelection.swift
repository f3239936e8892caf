/// Which node each EgressService leaves through: "" for none, "ALL" for sourceIPBy=Network.
public struct HostAssignment: Sendable, Hashable {
    public var hosts: [String: String] = [:]
    /// Endpoint IPs (pod IPs only) per service key, sorted.
    public var endpoints: [String: [IPAddress]] = [:]
    public var warnings: [String] = []
}

public enum HostSelection {
    /// Selects hosts for every EgressService, deterministically: services whose current host
    /// (status.host, else `liveHosts` read from the database) is still a candidate keep it;
    /// the others, in namespace/name order, take the candidate with the fewest services,
    /// ties to the smallest node name in byte order. `baseLoad` counts services outside the
    /// input per node (a controller planning some services only).
    public static func select(_ input: ClusterInput, settings: EngineSettings, liveHosts: [String: String] = [:],
                              baseLoad: [String: Int] = [:]) -> HostAssignment {
        var result = HostAssignment()
        let subnets = settings.clusterSubnets ?? input.nodes.values.flatMap(\.subnets)
        let inCluster = { (ip: IPAddress) in subnets.contains { $0.contains(ip) } }
        var candidates: [String: [String]] = [:]
        let ordered = input.egressServices.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        let slicesByService = Dictionary(grouping: input.endpointSlices.filter { $0.serviceName != nil }) {
            "\($0.namespace)/\($0.serviceName!)"
        }

        for es in ordered {
            let key = es.key
            guard let service = input.services[key] else {
                result.hosts[key] = ""
                result.warnings.append("EgressService \(key): no Service \(key); no host")
                continue
            }
            if es.sourceIPBy == .network {
                result.hosts[key] = "ALL"
                continue
            }
            guard service.isLoadBalancer, service.hasIngress else {
                result.hosts[key] = ""
                result.warnings.append("EgressService \(key): Service is not a LoadBalancer with an ingress; no host")
                continue
            }
            let slices = slicesByService[key] ?? []
            var podIPs: Set<IPAddress> = []
            var endpointNodes: Set<String> = []
            for slice in slices {
                for e in slice.endpoints {
                    guard let node = e.nodeName else { continue }
                    endpointNodes.insert(node)
                    for ip in e.addresses where inCluster(ip) { podIPs.insert(ip) }
                }
            }
            result.endpoints[key] = podIPs.sorted()
            guard !podIPs.isEmpty else {
                result.hosts[key] = ""
                result.warnings.append("EgressService \(key): no endpoint with a node and a pod IP; no host")
                continue
            }
            var nodes = input.nodes.values.filter { n in
                n.ready && !n.subnets.isEmpty && es.nodeSelector.matches(n.labels)
            }
            if service.externalTrafficPolicyLocal {
                nodes = nodes.filter { n in n.labels["kubernetes.io/hostname"].map(endpointNodes.contains) ?? false }
            }
            candidates[key] = nodes.map(\.name)
            if nodes.isEmpty {
                result.hosts[key] = ""
                result.warnings.append("EgressService \(key): no node is a candidate; no host")
            }
        }

        var load = baseLoad
        var pending: [String] = []
        for es in ordered {
            guard let nodes = candidates[es.key], !nodes.isEmpty else { continue }
            let current = (es.statusHost.flatMap { $0.isEmpty ? nil : $0 }) ?? liveHosts[es.key]
            if let current, nodes.contains(current) {
                result.hosts[es.key] = current
                load[current, default: 0] += 1
            } else {
                pending.append(es.key)
            }
        }
        for key in pending {
            let best = candidates[key]!.min { a, b in
                let la = load[a, default: 0], lb = load[b, default: 0]
                return la != lb ? la < lb : a.utf8.lexicographicallyPrecedes(b.utf8)
            }!
            result.hosts[key] = best
            load[best, default: 0] += 1
        }
        return result
    }
}
