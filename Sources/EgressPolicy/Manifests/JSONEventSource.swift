import OVSDBClient

/// Replays a JSON manifest (parsed by jansson) as manifest events: one document.
struct JSONEventSource: ManifestEventSource {
    private var pending: [ManifestEvent] = []

    init(json: JSON) {
        var out: [ManifestEvent] = [.documentStart]
        Self.flatten(json, into: &out)
        out.append(.documentEnd)
        out.append(.streamEnd)
        pending = out.reversed()
    }

    private static func flatten(_ json: JSON, into out: inout [ManifestEvent]) {
        switch json {
        case .object(let o):
            out.append(.mappingStart)
            for key in o.keys.sorted() {
                out.append(.scalar(key, plain: false))
                flatten(o[key]!, into: &out)
            }
            out.append(.mappingEnd)
        case .array(let a):
            out.append(.sequenceStart)
            for e in a { flatten(e, into: &out) }
            out.append(.sequenceEnd)
        case .string(let s): out.append(.scalar(s, plain: false))
        case .null: out.append(.scalar("null", plain: true))
        case .bool(let b): out.append(.scalar(b ? "true" : "false", plain: true))
        case .integer(let i): out.append(.scalar(String(i), plain: true))
        case .real(let d): out.append(.scalar(CanonicalJSON.formatReal(d), plain: true))
        }
    }

    mutating func next() throws(ManifestError) -> (ManifestEvent, line: Int) {
        (pending.popLast() ?? .streamEnd, 0)
    }
}
