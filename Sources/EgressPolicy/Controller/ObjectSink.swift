/// What the feeds (`ManifestFileFeed`, `WatchStreamFeed`) give cluster objects to: a
/// controller of one database, or a node agent.
public protocol ObjectSink: Actor {
    func upsert(_ objects: [ClusterObject], source: String) throws(ManifestError)
    func delete(_ keys: [ObjectKey])
    func replace(source: String, with objects: [ClusterObject]) throws(ManifestError)
    func removeSource(_ source: String)
    func removeSources(under prefix: String)
    /// Returns once every change given so far has been acted on.
    func drain() async
}

extension EgressController: ObjectSink {}
