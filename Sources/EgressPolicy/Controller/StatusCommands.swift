import OVSDBClient

/// What the cluster should be told about each service's host, as OVN-Kubernetes' cluster
/// manager tells it: `status.host` on the EgressService, and the label
/// `egress-service.k8s.ovn.org/<namespace>-<name>` on the host node only (MetalLB's
/// advertisements select nodes by it). Computed from what the input says now, so a command
/// is wanted only while the cluster differs; each is a `kubectl` argv of validated names.
///
/// In a zone, only the zone's own nodes are labelled or unlabelled, and `status.host` is
/// written by the zone that holds the host: exactly one writer per service across zones.
enum StatusCommands {
    static let resource = "egressservices.k8s.ovn.org"

    /// The commands for one service: `egressService` nil when it left the input (its label
    /// is still removed); `host` as planned ("" none, "ALL" for sourceIPBy=Network).
    static func commands(key: String, egressService: EgressService?, host: String?, nodes: [Node], zone: Zone) -> [[String]] {
        var out: [[String]] = []
        let label = NodePlan.label(key)
        let hostNode = host.flatMap { $0 == "" || $0 == "ALL" ? nil : $0 }
        if let es = egressService, let host, es.statusHost ?? "" != host {
            let writer = hostNode.map(zone.contains) ?? (zone.members == nil)
            if writer {
                let patch = CanonicalJSON.string(["status": ["host": .string(host)]])
                out.append(["patch", resource, es.name, "--namespace", es.namespace, "--subresource=status", "--type=merge", "--patch", patch])
            }
        }
        for node in nodes.sorted(by: { $0.name < $1.name }) where zone.contains(node.name) {
            if node.name == hostNode, egressService != nil {
                if node.labels[label] == nil { out.append(["label", "nodes", node.name, "\(label)=", "--overwrite"]) }
            } else if node.labels[label] != nil {
                out.append(["label", "nodes", node.name, "\(label)-"])
            }
        }
        return out
    }
}
