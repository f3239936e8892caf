import OVSDBClient

/// Everything read from the manifests, checked and typed.
public struct ClusterInput: Sendable {
    public var egressServices: [EgressService] = []
    public var services: [String: Service] = [:]
    public var endpointSlices: [EndpointSlice] = []
    public var nodes: [String: Node] = [:]
    /// States the cluster tolerates and objects of other kinds, one line each.
    public var notes: [String] = []

    static let nodeSubnetsAnnotation = "k8s.ovn.org/node-subnets"
    static let serviceNameLabel = "kubernetes.io/service-name"

    public init() {}

    /// Types and checks `objects`; the first bad value throws, naming file, document, object
    /// and field.
    init(objects: [ManifestObject]) throws(ManifestError) {
        var seen: Set<String> = []
        for object in objects {
            let origin = Origin(file: object.file, document: object.document, line: object.line)
            func fail(_ field: String?, _ message: String) -> ManifestError {
                ManifestError(file: object.file, document: object.document, line: object.line, object: object.identity, field: field, message: message)
            }
            guard let kind = object.kind else { throw fail("kind", "missing") }
            let known = ["EgressService", "Service", "EndpointSlice", "Node"]
            guard known.contains(kind) else {
                notes.append("\(origin): \(object.identity): kind \(SafeText.escaped(kind)) ignored")
                continue
            }
            guard let name = object.name, !name.isEmpty else { throw fail("metadata.name", "missing") }
            let namespace = kind == "Node" ? "" : (object.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default")
            func check(_ value: String, _ field: @autoclosure () -> String, _ rule: KubernetesNames.Check) throws(ManifestError) {
                try Self.check(value, field(), rule, fail)
            }
            switch kind {
            case "EgressService", "Service": try check(name, "metadata.name", KubernetesNames.dns1035Label)
            default: try check(name, "metadata.name", KubernetesNames.dns1123Subdomain)
            }
            if kind != "Node" { try check(namespace, "metadata.namespace", KubernetesNames.dns1123Label) }
            // In key order, so that of several bad labels the same one is always named.
            for (key, value) in object.labels.sorted(by: { $0.key < $1.key }) {
                try check(key, "metadata.labels", KubernetesNames.labelKey)
                try check(value, "metadata.labels[\(SafeText.quoted(key))]", KubernetesNames.labelValue)
            }
            let identity = "\(kind) \(namespace)/\(name)"
            guard seen.insert(identity).inserted else { throw fail("metadata.name", "duplicate object: \(identity) appears twice") }
            switch kind {
            case "EgressService":
                let by: EgressService.SourceIPBy
                switch object.sourceIPBy ?? "" {
                case "", "LoadBalancerIP": by = .loadBalancerIP
                case "Network": by = .network
                case let other: throw fail("spec.sourceIPBy", "\(SafeText.quoted(other)) is not LoadBalancerIP or Network")
                }
                let selector = try Self.selector(object.nodeSelector, fail)
                let network = object.network.flatMap { $0.isEmpty ? nil : $0 }
                if let network { try check(network, "spec.network", KubernetesNames.routingTable) }
                if let host = object.statusHost, host != "", host != "ALL" {
                    try check(host, "status.host", KubernetesNames.dns1123Subdomain)
                }
                egressServices.append(EgressService(namespace: namespace, name: name, sourceIPBy: by, nodeSelector: selector,
                                                    network: network,
                                                    statusHost: object.statusHost, origin: origin))
            case "Service":
                var clusterIPs: [IPAddress] = []
                let given = object.clusterIPs.isEmpty ? (object.clusterIP.map { [$0] } ?? []) : object.clusterIPs
                for (i, text) in given.enumerated() where text != "None" && !text.isEmpty {
                    guard let ip = IPAddress(text) else { throw fail("spec.clusterIPs[\(i)]", "\(SafeText.quoted(text)) is not an IP address") }
                    clusterIPs.append(ip)
                }
                var ingress: [IPAddress] = []
                for (i, entry) in object.ingress.enumerated() {
                    guard let text = entry.ip, !text.isEmpty else { continue }
                    guard let ip = IPAddress(text) else { throw fail("status.loadBalancer.ingress[\(i)].ip", "\(SafeText.quoted(text)) is not an IP address") }
                    ingress.append(ip)
                }
                let etp = object.externalTrafficPolicy ?? "Cluster"
                guard etp == "Cluster" || etp == "Local" else {
                    throw fail("spec.externalTrafficPolicy", "\(SafeText.quoted(etp)) is not Cluster or Local")
                }
                let pool = object.annotations[Service.addressPoolAnnotation].flatMap { $0.isEmpty ? nil : $0 }
                if let pool { try check(pool, "metadata.annotations[\"\(Service.addressPoolAnnotation)\"]", KubernetesNames.dns1123Subdomain) }
                services["\(namespace)/\(name)"] = Service(
                    namespace: namespace, name: name, isLoadBalancer: object.serviceType == "LoadBalancer",
                    externalTrafficPolicyLocal: etp == "Local", clusterIPs: clusterIPs, ingressIPs: ingress,
                    hasIngress: !object.ingress.isEmpty, addressPool: pool, origin: origin)
            case "EndpointSlice":
                let type = object.addressType ?? ""
                guard ["IPv4", "IPv6", "FQDN"].contains(type) else { throw fail("addressType", "\(SafeText.quoted(type)) is not IPv4, IPv6 or FQDN") }
                // Sized once: kept for the whole run, the endpoints of a 10-endpoint slice would
                // otherwise have room for 16.
                var endpoints: [EndpointSlice.Endpoint] = []
                if type != "FQDN" {
                    let family: IPAddress.Family = type == "IPv4" ? .v4 : .v6
                    endpoints.reserveCapacity(object.endpoints.count)
                    for (i, e) in object.endpoints.enumerated() {
                        var addresses: [IPAddress] = []
                        addresses.reserveCapacity(e.addresses.count)
                        for (j, text) in e.addresses.enumerated() {
                            guard let ip = IPAddress(text), ip.family == family else {
                                throw fail("endpoints[\(i)].addresses[\(j)]", "\(SafeText.quoted(text)) is not an \(type) address in canonical form")
                            }
                            addresses.append(ip)
                        }
                        let nodeName = e.nodeName.flatMap { $0.isEmpty ? nil : $0 }
                        if let nodeName { try check(nodeName, "endpoints[\(i)].nodeName", KubernetesNames.dns1123Subdomain) }
                        endpoints.append(.init(addresses: addresses, nodeName: nodeName))
                    }
                }
                endpointSlices.append(EndpointSlice(namespace: namespace, name: name, serviceName: object.labels[Self.serviceNameLabel],
                                                    endpoints: endpoints, origin: origin))
            default: // Node
                let ready = object.conditions.contains { $0.type == "Ready" && $0.status == "True" }
                var subnets: [CIDR] = []
                if let text = object.annotations[Self.nodeSubnetsAnnotation] {
                    subnets = try Self.nodeSubnets(text) { message in fail("metadata.annotations[\"\(Self.nodeSubnetsAnnotation)\"]", message) }
                }
                let zone = object.annotations[Node.zoneNameAnnotation]
                if let zone { try check(zone, "metadata.annotations[\"\(Node.zoneNameAnnotation)\"]", KubernetesNames.dns1123Subdomain) }
                nodes[name] = Node(name: name, labels: object.labels, ready: ready, subnets: subnets, zoneName: zone,
                                   transit: AnnotatedAddresses.parse(object.annotations[Node.transitAnnotation]),
                                   gatewayJoin: AnnotatedAddresses.parseGatewayJoin(object.annotations[Node.gatewayRouterAnnotation],
                                                                                    nodeID: object.annotations[Node.nodeIDAnnotation]),
                                   origin: origin)
            }
        }
    }

    private static func selector(_ s: ManifestObject.Selector?, _ fail: (String?, String) -> ManifestError) throws(ManifestError) -> LabelSelector {
        guard let s else { return LabelSelector() }
        var requirements: [LabelSelector.Requirement] = []
        for (i, e) in s.matchExpressions.enumerated() {
            let base = "spec.nodeSelector.matchExpressions[\(i)]"
            guard let key = e.key, !key.isEmpty else { throw fail("\(base).key", "missing") }
            try check(key, "\(base).key", KubernetesNames.labelKey, fail)
            for (j, v) in e.values.enumerated() { try check(v, "\(base).values[\(j)]", KubernetesNames.labelValue, fail) }
            guard let op = LabelSelector.Operator(rawValue: e.op ?? "") else {
                throw fail("\(base).operator", "\(SafeText.quoted(e.op ?? "")) is not In, NotIn, Exists or DoesNotExist")
            }
            let takesValues = op == .in || op == .notIn
            if takesValues && e.values.isEmpty { throw fail("\(base).values", "\(op.rawValue) needs at least one value") }
            if !takesValues && !e.values.isEmpty { throw fail("\(base).values", "\(op.rawValue) takes no values") }
            requirements.append(.init(key: key, op: op, values: e.values))
        }
        for (key, value) in s.matchLabels.sorted(by: { $0.key < $1.key }) {
            try check(key, "spec.nodeSelector.matchLabels", KubernetesNames.labelKey, fail)
            try check(value, "spec.nodeSelector.matchLabels[\(SafeText.quoted(key))]", KubernetesNames.labelValue, fail)
        }
        return LabelSelector(matchLabels: s.matchLabels, requirements: requirements)
    }

    /// Refuses `value` when `rule` does, quoting it in the message.
    private static func check(_ value: String, _ field: @autoclosure () -> String, _ rule: KubernetesNames.Check,
                              _ fail: (String?, String) -> ManifestError) throws(ManifestError) {
        if let why = rule(value) { throw fail(field(), "\(SafeText.quoted(value)) \(why)") }
    }

    /// `{"default": "10.244.1.0/24"}` or `{"default": ["10.244.1.0/24", "fd00:10:244:2::/64"]}`.
    static func nodeSubnets(_ text: String, _ fail: (String) -> ManifestError) throws(ManifestError) -> [CIDR] {
        let json: JSON
        do { json = try JanssonCodec.decode(text) } catch { throw fail("not JSON: \(error.message)") }
        guard let value = json["default"] else { throw fail("no \"default\" network") }
        let texts: [JSON]
        switch value {
        case .string: texts = [value]
        case .array(let a): texts = a
        default: throw fail("\"default\" must be a CIDR string or a list of them")
        }
        var out: [CIDR] = []
        for t in texts {
            guard let s = t.stringValue, let cidr = CIDR(s) else { throw fail("\(SafeText.quoted(t.stringValue ?? "\(t)")) is not a CIDR") }
            out.append(cidr)
        }
        return out
    }
}
