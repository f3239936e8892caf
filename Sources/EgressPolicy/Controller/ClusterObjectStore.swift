/// The cluster objects a controller knows, each with the source it came from (a file, a
/// watch stream, the API): replacing a file's objects drops the ones it no longer holds.
public struct ClusterObjectStore: Sendable {
    private var objects: [ObjectKey: (object: ClusterObject, source: String)] = [:]
    private var bySource: [String: Set<ObjectKey>] = [:]

    public init() {}

    public var count: Int { objects.count }
    public var isEmpty: Bool { objects.isEmpty }

    public subscript(key: ObjectKey) -> ClusterObject? { objects[key]?.object }

    /// Makes `source` hold exactly `newObjects`. Refused, with nothing changed, when one of
    /// them is already held by another source (the same object in two files).
    public mutating func replace(source: String, with newObjects: [ClusterObject]) throws(ManifestError) {
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
        for key in bySource[source, default: []].subtracting(keys) { objects[key] = nil }
        for o in newObjects { objects[o.key] = (o, source) }
        bySource[source] = keys.isEmpty ? nil : keys
    }

    /// Adds or replaces one object, whichever source held it before.
    public mutating func upsert(_ object: ClusterObject, source: String) {
        let key = object.key
        if let old = objects[key]?.source, old != source { bySource[old]?.remove(key) }
        objects[key] = (object, source)
        bySource[source, default: []].insert(key)
    }

    @discardableResult
    public mutating func remove(_ key: ObjectKey) -> Bool {
        guard let old = objects.removeValue(forKey: key) else { return false }
        bySource[old.source]?.remove(key)
        return true
    }

    public mutating func removeSource(_ source: String) {
        for key in bySource.removeValue(forKey: source) ?? [] { objects[key] = nil }
    }

    /// Removes every source whose name starts with `prefix` (the files of a removed folder).
    public mutating func removeSources(withPrefix prefix: String) {
        for source in bySource.keys where source.hasPrefix(prefix) { removeSource(source) }
    }

    /// The objects as one input, in key order (so that planning sees the same input for the
    /// same objects, whatever order they arrived in).
    public var input: ClusterInput {
        ClusterInput(clusterObjects: objects.keys.sorted().map { objects[$0]!.object })
    }
}
