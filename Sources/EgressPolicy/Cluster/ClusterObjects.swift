/// Where an object came from, for messages.
public struct Origin: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var document: Int
    public var line: Int
    public var description: String { "\(file)\(line > 0 ? ":\(line)" : "") (document \(document))" }

    public init(file: String, document: Int = 0, line: Int = 0) {
        self.file = file
        self.document = document
        self.line = line
    }
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

    public init(namespace: String, name: String, sourceIPBy: SourceIPBy = .loadBalancerIP, nodeSelector: LabelSelector = LabelSelector(),
                network: String? = nil, statusHost: String? = nil, origin: Origin = Origin(file: "(api)")) {
        self.namespace = namespace
        self.name = name
        self.sourceIPBy = sourceIPBy
        self.nodeSelector = nodeSelector
        self.network = network
        self.statusHost = statusHost
        self.origin = origin
    }
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
    /// The MetalLB address pool named by the `metallb.universe.tf/address-pool` annotation.
    public var addressPool: String?
    public var origin: Origin

    public static let addressPoolAnnotation = "metallb.universe.tf/address-pool"

    public init(namespace: String, name: String, isLoadBalancer: Bool = true, externalTrafficPolicyLocal: Bool = false,
                clusterIPs: [IPAddress] = [], ingressIPs: [IPAddress], hasIngress: Bool? = nil, addressPool: String? = nil,
                origin: Origin = Origin(file: "(api)")) {
        self.namespace = namespace
        self.name = name
        self.isLoadBalancer = isLoadBalancer
        self.externalTrafficPolicyLocal = externalTrafficPolicyLocal
        self.clusterIPs = clusterIPs
        self.ingressIPs = ingressIPs
        self.hasIngress = hasIngress ?? !ingressIPs.isEmpty
        self.addressPool = addressPool
        self.origin = origin
    }
}

public struct EndpointSlice: Sendable, Hashable {
    public struct Endpoint: Sendable, Hashable {
        public var addresses: [IPAddress]
        public var nodeName: String?

        public init(addresses: [IPAddress], nodeName: String?) {
            self.addresses = addresses
            self.nodeName = nodeName
        }
    }
    public var namespace: String
    public var name: String
    public var serviceName: String?
    public var endpoints: [Endpoint]
    public var origin: Origin

    public init(namespace: String, name: String, serviceName: String?, endpoints: [Endpoint], origin: Origin = Origin(file: "(api)")) {
        self.namespace = namespace
        self.name = name
        self.serviceName = serviceName
        self.endpoints = endpoints
        self.origin = origin
    }
}

public struct Node: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var ready: Bool
    /// From `k8s.ovn.org/node-subnets` (`default` network), in the order given.
    public var subnets: [CIDR]
    /// `k8s.ovn.org/zone-name`; nil: the node is in `global` and in the zone named like it.
    public var zoneName: String?
    /// `k8s.ovn.org/node-transit-switch-port-ifaddr`: the node's port on the transit switch,
    /// the nexthop of other zones' reroutes when it is a host.
    public var transit: AnnotatedAddresses
    /// The gateway router's join IP (`k8s.ovn.org/node-gateway-router-lrp-ifaddrs`, else from
    /// `k8s.ovn.org/node-id`): the nexthop of its zone's catch-all route.
    public var gatewayJoin: AnnotatedAddresses
    public var origin: Origin

    public init(name: String, labels: [String: String] = [:], ready: Bool = true, subnets: [CIDR], zoneName: String? = nil,
                transit: AnnotatedAddresses = .missing, gatewayJoin: AnnotatedAddresses = .missing,
                origin: Origin = Origin(file: "(api)")) {
        self.name = name
        self.labels = labels
        self.ready = ready
        self.subnets = subnets
        self.zoneName = zoneName
        self.transit = transit
        self.gatewayJoin = gatewayJoin
        self.origin = origin
    }

    /// The subnet of `family` that counts: the last one given.
    public func subnet(_ family: IPAddress.Family) -> CIDR? {
        subnets.last { $0.family == family }
    }
}
