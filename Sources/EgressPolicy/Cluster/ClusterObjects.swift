/// Where an object came from, for messages.
public struct Origin: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var document: Int
    public var line: Int
    public var description: String { "\(file)\(line > 0 ? ":\(line)" : "") (document \(document))" }
}

public struct EgressService: Sendable, Hashable {
    public enum SourceIPBy: String, Sendable, Hashable { case loadBalancerIP = "LoadBalancerIP", network = "Network" }
    public var namespace: String
    public var name: String
    public var sourceIPBy: SourceIPBy
    public var nodeSelector: LabelSelector
    public var network: String?
    public var statusHost: String?
    public var origin: Origin
    public var key: String { "\(namespace)/\(name)" }
}

public struct Service: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var isLoadBalancer: Bool
    public var externalTrafficPolicyLocal: Bool
    public var clusterIPs: [IPAddress]
    /// Ingress IPs in the order given; `hasIngress` also counts hostname-only entries.
    public var ingressIPs: [IPAddress]
    public var hasIngress: Bool
    public var origin: Origin
}

public struct EndpointSlice: Sendable, Hashable {
    public struct Endpoint: Sendable, Hashable {
        public var addresses: [IPAddress]
        public var nodeName: String?
    }
    public var namespace: String
    public var name: String
    public var serviceName: String?
    public var endpoints: [Endpoint]
    public var origin: Origin
}

public struct Node: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var ready: Bool
    /// From `k8s.ovn.org/node-subnets` (`default` network), in the order given.
    public var subnets: [CIDR]
    public var origin: Origin

    /// The subnet of `family` that counts: the last one given.
    public func subnet(_ family: IPAddress.Family) -> CIDR? {
        subnets.last { $0.family == family }
    }
}
