/// The cluster objects a controller knows, each with the source it came from (a file, a
/// watch stream, the API): replacing a file's objects drops the ones it no longer holds.
/// Every change returns the objects it touched (old and new versions), so that a controller
/// can tell which services to plan again.
public struct ClusterObjectStore: Sendable {
    private var objects: [ObjectKey: (object: ClusterObject, source: String)] = [:]
    private var bySource: [String: Set<ObjectKey>] = [:]
    /// `namespace/name` of a service to its EndpointSlices.
    private var slicesByService: [String: Set<ObjectKey>] = [:]
    private var nodeKeys: Set<ObjectKey> = []

    public init() {}

    public var count: Int { objects.count }
    public var isEmpty: Bool { objects.isEmpty }

    public subscript(key: ObjectKey) -> ClusterObject? { objects[key]?.object }

    /// Makes `source` hold exactly `newObjects`. Refused, with nothing changed, when one of
    /// them is already held by another source (the same object in two files).
    @discardableResult
    public mutating func replace(source: String, with newObjects: [ClusterObject]) throws(ManifestError) -> [ClusterObject] {
        var keys: Set<ObjectKey> = []
        for o in newObjects {
            let key = o.key
            if let held = objects[key], held.source != source {
                throw ManifestError(file: source, object: key.description, message: "duplicate object: also in \(SafeText.escaped(held.source)); this file's change is not used")
            }
            guard keys.insert(key).inserted else {
                throw ManifestError(file: source, object: key.description, message: "duplicate object: appears twice")
            }
        }
        var touched: [ClusterObject] = []
        for key in bySource[source, default: []].subtracting(keys) { touched += remove(key) }
        for o in newObjects { touched += upsert(o, source: source) }
        return touched
    }

    /// Adds or replaces one object, whichever source held it before; returns the versions
    /// touched (none when it is unchanged).
    @discardableResult
    public mutating func upsert(_ object: ClusterObject, source: String) -> [ClusterObject] {
        let key = object.key
        let old = objects[key]
        if let old, old.source != source { bySource[old.source]?.remove(key) }
        bySource[source, default: []].insert(key)
        if let old, old.object == object {
            objects[key] = (object, source)
            return []
        }
        if let old { unindex(old.object) }
        objects[key] = (object, source)
        index(object)
        return (old.map { [$0.object] } ?? []) + [object]
    }

    /// Adds or replaces objects after checking each as the API server checks names and
    /// labels: one that fails is the error, and none is added.
    public mutating func upsert(checking newObjects: [ClusterObject], source: String) throws(ManifestError) -> [ClusterObject] {
        for o in newObjects { try o.validate() }
        var touched: [ClusterObject] = []
        for o in newObjects { touched += upsert(o, source: source) }
        return touched
    }

    /// Removes objects; unknown keys are ignored.
    public mutating func remove(_ keys: [ObjectKey]) -> [ClusterObject] {
        var touched: [ClusterObject] = []
        for k in keys { touched += remove(k) }
        return touched
    }

    @discardableResult
    public mutating func remove(_ key: ObjectKey) -> [ClusterObject] {
        guard let old = objects.removeValue(forKey: key) else { return [] }
        bySource[old.source]?.remove(key)
        if bySource[old.source]?.isEmpty == true { bySource[old.source] = nil }
        unindex(old.object)
        return [old.object]
    }

    @discardableResult
    public mutating func removeSource(_ source: String) -> [ClusterObject] {
        var touched: [ClusterObject] = []
        for key in bySource[source] ?? [] { touched += remove(key) }
        return touched
    }

    /// Removes every source whose name starts with `prefix` (the files of a removed folder).
    @discardableResult
    public mutating func removeSources(withPrefix prefix: String) -> [ClusterObject] {
        var touched: [ClusterObject] = []
        for source in bySource.keys where source.hasPrefix(prefix) { touched += removeSource(source) }
        return touched
    }

    private mutating func index(_ o: ClusterObject) {
        switch o {
        case .endpointSlice(let s): if let name = s.serviceName { slicesByService["\(s.namespace)/\(name)", default: []].insert(o.key) }
        case .node: nodeKeys.insert(o.key)
        default: break
        }
    }

    private mutating func unindex(_ o: ClusterObject) {
        switch o {
        case .endpointSlice(let s):
            if let name = s.serviceName {
                let service = "\(s.namespace)/\(name)"
                slicesByService[service]?.remove(o.key)
                if slicesByService[service]?.isEmpty == true { slicesByService[service] = nil }
            }
        case .node: nodeKeys.remove(o.key)
        default: break
        }
    }

    /// Every Node held.
    public var nodes: [Node] {
        nodeKeys.compactMap { if case .node(let n)? = objects[$0]?.object { return n } else { return nil } }
    }

    /// The EgressService of a service key (`namespace/name`), when held.
    public func egressService(_ key: String) -> EgressService? {
        guard let (namespace, name) = Self.split(key),
              case .egressService(let es)? = objects[ObjectKey(kind: .egressService, namespace: namespace, name: name)]?.object else { return nil }
        return es
    }

    /// `namespace/name` as its two parts.
    private static func split(_ service: String) -> (String, String)? {
        let parts = service.split(separator: "/", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// The objects as one input, in key order (so that planning sees the same input for the
    /// same objects, whatever order they arrived in).
    public var input: ClusterInput {
        ClusterInput(clusterObjects: objects.keys.sorted().map { objects[$0]!.object })
    }

    /// The input for some services only (`namespace/name`): their EgressServices, Services
    /// and EndpointSlices, and every node. Costs what those services hold, not the store.
    public func input(forServices services: Set<String>) -> ClusterInput {
        var keys: [ObjectKey] = Array(nodeKeys)
        for service in services {
            guard let (namespace, name) = Self.split(service) else { continue }
            keys.append(ObjectKey(kind: .egressService, namespace: namespace, name: name))
            keys.append(ObjectKey(kind: .service, namespace: namespace, name: name))
            keys += slicesByService[service] ?? []
        }
        return ClusterInput(clusterObjects: keys.sorted().compactMap { objects[$0]?.object })
    }

    /// The services an object's versions bear on; nil when it bears on every one (a Node).
    public static func services(touchedBy objects: [ClusterObject]) -> Set<String>? {
        var out: Set<String> = []
        for o in objects {
            switch o {
            case .egressService(let e): out.insert(e.key)
            case .service(let s): out.insert("\(s.namespace)/\(s.name)")
            case .endpointSlice(let s): if let name = s.serviceName { out.insert("\(s.namespace)/\(name)") }
            case .node: return nil
            }
        }
        return out
    }
}
