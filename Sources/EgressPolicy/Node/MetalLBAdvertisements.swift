/// The MetalLB `BGPAdvertisement`s that make each egress service's ingress IP announced only
/// from its egress host: each selects the nodes carrying the host label that OVN-Kubernetes
/// puts on that host (`egress-service.k8s.ovn.org/<namespace>-<name>: ""`), for the pool the
/// Service's `metallb.universe.tf/address-pool` annotation names.
public struct MetalLBAdvertisements: Sendable {
    public struct Advertisement: Sendable, Hashable {
        public var service: String
        public var name: String
        public var pool: String
        public var nodeLabel: String
    }

    public var advertisements: [Advertisement] = []
    /// Services left out, with the reason.
    public var notes: [String] = []

    public init(input: ClusterInput) {
        for es in input.egressServices.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            let key = es.key
            guard es.sourceIPBy == .loadBalancerIP else {
                notes.append("EgressService \(key): sourceIPBy is Network; its traffic keeps the node's IP, so there is nothing to announce")
                continue
            }
            guard let service = input.services[key] else {
                notes.append("EgressService \(key): no Service \(key) in the input; no BGPAdvertisement")
                continue
            }
            guard let pool = service.addressPool else {
                notes.append("EgressService \(key): the Service has no \(Service.addressPoolAnnotation) annotation, so its pool is unknown; "
                             + "no BGPAdvertisement (annotate the Service with the pool MetalLB assigns its ingress IP from)")
                continue
            }
            // The label's name part (after the prefix) may have at most 63 bytes.
            guard key.utf8.count <= 63 else {
                notes.append("EgressService \(key): the node label \(NodePlan.label(key)) is longer than a label name may be (63); no BGPAdvertisement")
                continue
            }
            let flat = "\(es.namespace)-\(es.name)"
            advertisements.append(Advertisement(service: key, name: "egress-service-\(flat)", pool: pool, nodeLabel: NodePlan.label(key)))
        }
    }

    /// The manifests as YAML documents for `kubectl apply -f -`. Every value was checked
    /// (DNS names, the label) and is double-quoted, so none reads as another YAML type.
    public func yaml(namespace: String) -> String {
        var out = ""
        for a in advertisements {
            out += """
            ---
            # EgressService \(a.service): announce its ingress IP only from its egress host
            apiVersion: metallb.io/v1beta1
            kind: BGPAdvertisement
            metadata:
              name: "\(a.name)"
              namespace: "\(namespace)"
            spec:
              ipAddressPools:
              - "\(a.pool)"
              nodeSelectors:
              - matchLabels:
                  "\(a.nodeLabel)": ""

            """
        }
        return out
    }
}
