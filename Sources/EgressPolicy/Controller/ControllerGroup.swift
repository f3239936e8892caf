/// What one input feeds: a controller per zone (each keeps its own copy of the objects, so a
/// zone that is down or behind never holds up another), or a node agent. Each change goes to every one, in
/// order; the checks are the same in each, so an object the first refuses is refused by all
/// and reaches none.
public struct ControllerGroup: Sendable {
    public let controllers: [any ObjectSink]

    public init(_ controllers: [any ObjectSink]) {
        precondition(!controllers.isEmpty, "a controller group needs a controller")
        self.controllers = controllers
    }

    public func upsert(_ objects: [ClusterObject], source: String) async throws(ManifestError) {
        for c in controllers { try await c.upsert(objects, source: source) }
    }

    public func delete(_ keys: [ObjectKey]) async {
        for c in controllers { await c.delete(keys) }
    }

    public func replace(source: String, with objects: [ClusterObject]) async throws(ManifestError) {
        for c in controllers { try await c.replace(source: source, with: objects) }
    }

    public func removeSource(_ source: String) async {
        for c in controllers { await c.removeSource(source) }
    }

    public func removeSources(under prefix: String) async {
        for c in controllers { await c.removeSources(under: prefix) }
    }

    /// Returns once every controller has planned (and written) every change given so far.
    public func drain() async {
        await withTaskGroup(of: Void.self) { group in
            for c in controllers { group.addTask { await c.drain() } }
        }
    }
}
