/// Streams manifest events into `ManifestObject`s: documents, `kind: List` items, and the
/// fields this tool reads; everything else is skipped without being stored.
struct ManifestDecoder<Source: ManifestEventSource> {
    private var source: Source
    private let file: String
    private var document = -1
    private var peeked: (ManifestEvent, line: Int)?

    init(source: Source, file: String) {
        self.source = source
        self.file = file
    }

    /// Every top-level object in the stream (a `List` is returned with its items).
    mutating func objects() throws(ManifestError) -> [ManifestObject] {
        var out: [ManifestObject] = []
        while true {
            let (event, line) = try next()
            switch event {
            case .streamEnd:
                return out
            case .documentStart:
                document += 1
                let (inner, innerLine) = try next()
                switch inner {
                case .mappingStart:
                    var object = ManifestObject()
                    try readObject(into: &object, line: innerLine)
                    out.append(object)
                case .scalar(let s, let plain) where plain && (s.isEmpty || s == "null" || s == "~"):
                    break // an empty document, as `---` at the end of a file leaves
                default:
                    throw error(line: innerLine, field: nil, "a manifest document must be a mapping (an object)")
                }
                guard case .documentEnd = try next().0 else {
                    throw error(line: line, field: nil, "unexpected content after the document's object")
                }
            default:
                throw error(line: line, field: nil, "unexpected YAML structure")
            }
        }
    }

    /// How many documents have been read.
    var documentsRead: Int { document + 1 }

    /// The items of a `kind: List` cut out of its one-document file (see `ManifestSplit`): a
    /// stream of one document whose top level is a run of the items, each read as it is
    /// inside the List.
    mutating func listItems() throws(ManifestError) -> [ManifestObject] {
        guard case .documentStart = try next().0 else { throw error(line: 0, field: nil, "expected the items of a List") }
        document = 0
        var items: [ManifestObject] = []
        try forEachElement("items") { (d: inout Self, index: Int, itemLine: Int) throws(ManifestError) in
            items.append(try d.readItem(index: index, line: itemLine))
        }
        guard case .documentEnd = try next().0, case .streamEnd = try next().0 else {
            throw error(line: 0, field: nil, "unexpected content after the items")
        }
        return items
    }

    private mutating func readItem(index: Int, line: Int) throws(ManifestError) -> ManifestObject {
        guard case .mappingStart = try next().0 else {
            throw error(line: line, field: "items[\(index)]", "a list item must be an object")
        }
        var item = ManifestObject()
        try readObject(into: &item, line: line)
        return item
    }

    private mutating func next() throws(ManifestError) -> (ManifestEvent, line: Int) {
        if let p = peeked {
            peeked = nil
            return p
        }
        do {
            return try source.next()
        } catch {
            var e = error
            if e.document == nil { e.document = max(document, 0) }
            throw e
        }
    }

    private func error(line: Int, field: String?, _ message: String, object: ManifestObject? = nil) -> ManifestError {
        ManifestError(file: file, document: document, line: line, object: object?.identity, field: field, message: message)
    }

    /// Reads a mapping's body (after its `mappingStart`) as an object.
    private mutating func readObject(into object: inout ManifestObject, line: Int) throws(ManifestError) {
        object.file = file
        object.document = document
        object.line = line
        try forEachKey("", opened: true) { (d: inout Self, key: String, keyLine: Int) throws(ManifestError) in
            switch key {
            case "apiVersion": object.apiVersion = try d.string(key)
            case "kind": object.kind = try d.string(key)
            case "metadata": try d.readMetadata(&object)
            case "spec": try d.readSpec(&object)
            case "status": try d.readStatus(&object)
            case "addressType": object.addressType = try d.string(key)
            case "endpoints": try d.readEndpoints(&object)
            case "items":
                try d.forEachElement("items") { (d: inout Self, index: Int, itemLine: Int) throws(ManifestError) in
                    object.items.append(try d.readItem(index: index, line: itemLine))
                }
            default: try d.skipValue()
            }
        }
    }

    private mutating func readMetadata(_ object: inout ManifestObject) throws(ManifestError) {
        try forEachKey("metadata") { (d: inout Self, key: String, _: Int) throws(ManifestError) in
            switch key {
            case "name": object.name = try d.string("metadata.name")
            case "namespace": object.namespace = try d.string("metadata.namespace")
            case "labels": object.labels = try d.stringMap("metadata.labels")
            case "annotations": object.annotations = try d.stringMap("metadata.annotations")
            default: try d.skipValue()
            }
        }
    }

    private mutating func readSpec(_ object: inout ManifestObject) throws(ManifestError) {
        try forEachKey("spec") { (d: inout Self, key: String, _: Int) throws(ManifestError) in
            switch key {
            case "sourceIPBy": object.sourceIPBy = try d.string("spec.sourceIPBy")
            case "network": object.network = try d.string("spec.network")
            case "nodeSelector": object.nodeSelector = try d.readSelector("spec.nodeSelector")
            case "type": object.serviceType = try d.string("spec.type")
            case "externalTrafficPolicy": object.externalTrafficPolicy = try d.string("spec.externalTrafficPolicy")
            case "clusterIP": object.clusterIP = try d.string("spec.clusterIP")
            case "clusterIPs": object.clusterIPs = try d.stringList("spec.clusterIPs")
            default: try d.skipValue()
            }
        }
    }

    private mutating func readSelector(_ path: String) throws(ManifestError) -> ManifestObject.Selector {
        var selector = ManifestObject.Selector()
        try forEachKey(path, allowNull: true) { (d: inout Self, key: String, _: Int) throws(ManifestError) in
            switch key {
            case "matchLabels": selector.matchLabels = try d.stringMap("\(path).matchLabels")
            case "matchExpressions":
                selector.matchExpressions = try d.objectList("\(path).matchExpressions", ManifestObject.SelectorRequirement.init) {
                    (d: inout Self, req: inout ManifestObject.SelectorRequirement, key: String, base: ElementPath) throws(ManifestError) in
                    switch key {
                    case "key": req.key = try d.string("\(base).key")
                    case "operator": req.op = try d.string("\(base).operator")
                    case "values": req.values = try d.stringList("\(base).values")
                    default: try d.skipValue()
                    }
                }
            default: try d.skipValue()
            }
        }
        return selector
    }

    private mutating func readStatus(_ object: inout ManifestObject) throws(ManifestError) {
        try forEachKey("status", allowNull: true) { (d: inout Self, key: String, _: Int) throws(ManifestError) in
            switch key {
            case "host": object.statusHost = try d.string("status.host")
            case "loadBalancer":
                try d.forEachKey("status.loadBalancer", allowNull: true) { (d: inout Self, key: String, _: Int) throws(ManifestError) in
                    guard key == "ingress" else { return try d.skipValue() }
                    object.ingress = try d.objectList("status.loadBalancer.ingress", ManifestObject.Ingress.init) {
                        (d: inout Self, ingress: inout ManifestObject.Ingress, key: String, base: ElementPath) throws(ManifestError) in
                        switch key {
                        case "ip": ingress.ip = try d.string("\(base).ip")
                        case "hostname": ingress.hostname = try d.string("\(base).hostname")
                        default: try d.skipValue()
                        }
                    }
                }
            case "conditions":
                object.conditions = try d.objectList("status.conditions", { ManifestObject.Condition(type: "", status: "") }) {
                    (d: inout Self, c: inout ManifestObject.Condition, key: String, base: ElementPath) throws(ManifestError) in
                    switch key {
                    case "type": c.type = try d.string("\(base).type") ?? ""
                    case "status": c.status = try d.string("\(base).status") ?? ""
                    default: try d.skipValue()
                    }
                }
            default: try d.skipValue()
            }
        }
    }

    private mutating func readEndpoints(_ object: inout ManifestObject) throws(ManifestError) {
        object.endpoints = try objectList("endpoints", ManifestObject.Endpoint.init) {
            (d: inout Self, endpoint: inout ManifestObject.Endpoint, key: String, base: ElementPath) throws(ManifestError) in
            switch key {
            case "addresses": endpoint.addresses = try d.stringList("\(base).addresses")
            case "nodeName": endpoint.nodeName = try d.string("\(base).nodeName")
            default: try d.skipValue()
            }
        }
    }

    // MARK: primitives

    /// Reads a list of small objects: `make` starts each element and `field` reads one of its
    /// keys (consuming the value); `base` names the element in messages, built only on error.
    private mutating func objectList<T>(_ path: String, _ make: () -> T,
                                        _ field: (inout Self, inout T, String, ElementPath) throws(ManifestError) -> Void) throws(ManifestError) -> [T] {
        var out: [T] = []
        try forEachElement(path) { (d: inout Self, i: Int, _: Int) throws(ManifestError) in
            let base = ElementPath(list: path, index: i)
            var element = make()
            try d.expectMapping(base.description)
            try d.forEachKey(base.description, opened: true) { (d: inout Self, key: String, _: Int) throws(ManifestError) in
                try field(&d, &element, key, base)
            }
            out.append(element)
        }
        return out
    }

    private mutating func expectMapping(_ path: @autoclosure () -> String) throws(ManifestError) {
        let (e, line) = try next()
        guard case .mappingStart = e else { throw error(line: line, field: path(), "expected an object") }
    }

    /// Calls `body` for each key of a mapping; the body must consume the value.
    private mutating func forEachKey(_ path: @autoclosure () -> String, opened: Bool = false, allowNull: Bool = false,
                                     _ body: (inout Self, String, Int) throws(ManifestError) -> Void) throws(ManifestError) {
        if !opened {
            let (e, line) = try next()
            switch e {
            case .mappingStart: break
            case .scalar(let s, let plain) where allowNull && plain && (s == "null" || s == "~" || s.isEmpty): return
            default: throw error(line: line, field: path(), "expected an object")
            }
        }
        while true {
            let (e, line) = try next()
            switch e {
            case .mappingEnd: return
            case .scalar(let key, _): try body(&self, key, line)
            default: throw error(line: line, field: path(), "expected a field name")
            }
        }
    }

    private mutating func forEachElement(_ path: @autoclosure () -> String, _ body: (inout Self, Int, Int) throws(ManifestError) -> Void) throws(ManifestError) {
        let (e, line) = try next()
        switch e {
        case .sequenceStart: break
        case .scalar(let s, let plain) where plain && (s == "null" || s == "~" || s.isEmpty): return
        default: throw error(line: line, field: path(), "expected a list")
        }
        var i = 0
        while true {
            let (e, line) = try next()
            if case .sequenceEnd = e { return }
            peeked = (e, line)
            try body(&self, i, line)
            i += 1
        }
    }

    /// A scalar as a string; nil for YAML null.
    private mutating func string(_ path: @autoclosure () -> String) throws(ManifestError) -> String? {
        let (e, line) = try next()
        guard case .scalar(let s, let plain) = e else { throw error(line: line, field: path(), "expected a single value") }
        if plain && (s == "null" || s == "~") { return nil }
        return s
    }

    private mutating func stringList(_ path: @autoclosure () -> String) throws(ManifestError) -> [String] {
        var out: [String] = []
        try forEachElement(path()) { (d: inout Self, i: Int, _: Int) throws(ManifestError) in
            if let s = try d.string("\(path())[\(i)]") { out.append(s) }
        }
        return out
    }

    private mutating func stringMap(_ path: @autoclosure () -> String) throws(ManifestError) -> [String: String] {
        var out: [String: String] = [:]
        try forEachKey(path(), allowNull: true) { (d: inout Self, key: String, _: Int) throws(ManifestError) in
            out[key] = try d.string("\(path()).\(key)") ?? ""
        }
        return out
    }

    private mutating func skipValue() throws(ManifestError) {
        var depth = 0
        repeat {
            let (e, line) = try next()
            switch e {
            case .mappingStart, .sequenceStart: depth += 1
            case .mappingEnd, .sequenceEnd: depth -= 1
            case .scalar: break
            default: throw error(line: line, field: nil, "unexpected end of document")
            }
        } while depth > 0
    }
}

/// `list[index]`, spelled out only when a message needs it.
struct ElementPath: CustomStringConvertible {
    let list: String
    let index: Int
    var description: String { "\(list)[\(index)]" }
}
