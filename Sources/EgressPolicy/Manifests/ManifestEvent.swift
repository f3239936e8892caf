/// One parse event of a manifest document, from YAML (libyaml) or JSON (jansson) alike, so one
/// decoder reads both without building a document tree.
enum ManifestEvent: Equatable {
    case documentStart
    case documentEnd
    case mappingStart
    case mappingEnd
    case sequenceStart
    case sequenceEnd
    /// `plain` is false for quoted YAML scalars and JSON strings; plain `null`/`~` mean nothing.
    case scalar(String, plain: Bool)
    case streamEnd
}

/// How deep mappings and lists may nest in a manifest. Kubernetes objects need about ten
/// levels; refusing deeper documents early keeps the work linear in the input (libyaml slows
/// down with depth, and jansson's own limit is 2048).
let maximumManifestDepth = 64

/// Where events come from.
protocol ManifestEventSource {
    /// The next event, and the 1-based line it starts on (0 when unknown).
    mutating func next() throws(ManifestError) -> (ManifestEvent, line: Int)
}
