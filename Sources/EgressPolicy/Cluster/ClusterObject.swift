/// Which object: kind, namespace (empty for a Node) and name.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case egressService = "EgressService", service = "Service", endpointSlice = "EndpointSlice", node = "Node"
    }

    public var kind: Kind
    public var namespace: String
    public var name: String

    public init(kind: Kind, namespace: String, name: String) {
        self.kind = kind
        self.namespace = kind == .node ? "" : namespace
        self.name = name
    }

    public var description: String {
        SafeText.escaped(namespace.isEmpty ? "\(kind.rawValue) \(name)" : "\(kind.rawValue) \(namespace)/\(name)")
    }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool {
        (a.kind.rawValue, a.namespace, a.name) < (b.kind.rawValue, b.namespace, b.name)
    }
}

/// One Kubernetes object the engine reads, typed.
public enum ClusterObject: Sendable, Hashable {
    case egressService(EgressService)
    case service(Service)
    case endpointSlice(EndpointSlice)
    case node(Node)

    public var key: ObjectKey {
        switch self {
        case .egressService(let o): return ObjectKey(kind: .egressService, namespace: o.namespace, name: o.name)
        case .service(let o): return ObjectKey(kind: .service, namespace: o.namespace, name: o.name)
        case .endpointSlice(let o): return ObjectKey(kind: .endpointSlice, namespace: o.namespace, name: o.name)
        case .node(let o): return ObjectKey(kind: .node, namespace: "", name: o.name)
        }
    }

    /// The objects of one JSON document as the Kubernetes API returns it (an object or a
    /// `List`), checked as manifests are. `origin` names it in errors.
    public static func decode(json bytes: [UInt8], origin: String) throws(ManifestError) -> [ClusterObject] {
        let objects = ManifestLoader.flatten(try ManifestLoader.parse(bytes, file: origin))
        return try ClusterInput(objects: objects).objects
    }

    /// Checks an object built in code as the API server would check its names and labels:
    /// they end up in external_ids, node labels and log lines.
    public func validate() throws(ManifestError) {
        let key = self.key
        func fail(_ field: String, _ why: String, _ value: String) -> ManifestError {
            ManifestError(file: "(api)", object: key.description, field: field, message: "\(SafeText.quoted(value)) \(why)")
        }
        func check(_ value: String, _ field: String, _ rule: KubernetesNames.Check) throws(ManifestError) {
            if let why = rule(value) { throw fail(field, why, value) }
        }
        switch key.kind {
        case .egressService, .service: try check(key.name, "metadata.name", KubernetesNames.dns1035Label)
        default: try check(key.name, "metadata.name", KubernetesNames.dns1123Subdomain)
        }
        if key.kind != .node { try check(key.namespace, "metadata.namespace", KubernetesNames.dns1123Label) }
        switch self {
        case .egressService(let o):
            for (k, v) in o.nodeSelector.matchLabels.sorted(by: { $0.key < $1.key }) {
                try check(k, "spec.nodeSelector.matchLabels", KubernetesNames.labelKey)
                try check(v, "spec.nodeSelector.matchLabels[\(SafeText.quoted(k))]", KubernetesNames.labelValue)
            }
            for (i, r) in o.nodeSelector.requirements.enumerated() {
                try check(r.key, "spec.nodeSelector.matchExpressions[\(i)].key", KubernetesNames.labelKey)
                for (j, v) in r.values.enumerated() { try check(v, "spec.nodeSelector.matchExpressions[\(i)].values[\(j)]", KubernetesNames.labelValue) }
            }
            if let n = o.network { try check(n, "spec.network", KubernetesNames.routingTable) }
            if let h = o.statusHost, h != "", h != "ALL" { try check(h, "status.host", KubernetesNames.dns1123Subdomain) }
        case .service(let o):
            if let pool = o.addressPool { try check(pool, "metadata.annotations[\"\(Service.addressPoolAnnotation)\"]", KubernetesNames.dns1123Subdomain) }
        case .endpointSlice(let o):
            if let s = o.serviceName { try check(s, "metadata.labels[\"\(ClusterInput.serviceNameLabel)\"]", KubernetesNames.labelValue) }
            for (i, e) in o.endpoints.enumerated() {
                if let n = e.nodeName { try check(n, "endpoints[\(i)].nodeName", KubernetesNames.dns1123Subdomain) }
            }
        case .node(let o):
            for (k, v) in o.labels.sorted(by: { $0.key < $1.key }) {
                try check(k, "metadata.labels", KubernetesNames.labelKey)
                try check(v, "metadata.labels[\(SafeText.quoted(k))]", KubernetesNames.labelValue)
            }
        }
    }
}

extension ClusterInput {
    /// Every object of the input, in no particular order.
    public var objects: [ClusterObject] {
        egressServices.map(ClusterObject.egressService) + services.values.map(ClusterObject.service)
            + endpointSlices.map(ClusterObject.endpointSlice) + nodes.values.map(ClusterObject.node)
    }

    /// An input holding `objects` (keys must be distinct).
    public init(clusterObjects objects: some Sequence<ClusterObject>) {
        self.init()
        for o in objects {
            switch o {
            case .egressService(let e): egressServices.append(e)
            case .service(let s): services["\(s.namespace)/\(s.name)"] = s
            case .endpointSlice(let e): endpointSlices.append(e)
            case .node(let n): nodes[n.name] = n
            }
        }
    }

    public var isEmpty: Bool { egressServices.isEmpty && services.isEmpty && endpointSlices.isEmpty && nodes.isEmpty }
}
