import Testing
@testable import EgressPolicy

@Suite("watch-stream splitting, the object store and MetalLB advertisements")
struct FeedTests {
    @Test("concatenated JSON values are cut at their ends, across any chunking, with strings and escapes")
    func splitter() {
        let text = #"{"a": "}{\"", "b": [1, {"c": "]"}]}  {"d": 2}"# + "\n[3]\n"
        let whole = Array(text.utf8)
        for size in [1, 2, 3, 7, whole.count] {
            var splitter = JSONStreamSplitter()
            var values: [String] = []
            var i = 0
            while i < whole.count {
                for r in splitter.feed(whole[i..<min(whole.count, i + size)]) {
                    if case .success(let v) = r { values.append(String(decoding: v, as: UTF8.self)) }
                }
                i += size
            }
            #expect(values == [#"{"a": "}{\"", "b": [1, {"c": "]"}]}"#, #"{"d": 2}"#, "[3]"], "chunk size \(size)")
            #expect(!splitter.hasPartialValue)
        }
    }

    @Test("bytes outside any value are reported once and skipped; a value past the limit is dropped")
    func splitterErrors() {
        var splitter = JSONStreamSplitter(limit: 16)
        let results = splitter.feed(Array(#"garbage {"ok": 1} {"x": "0123456789abcdef"}"#.utf8))
        #expect(results.count == 3)
        #expect(results[0] == .failure(.notAnObject(offset: 0)))
        #expect(results[1] == .success(Array(#"{"ok": 1}"#.utf8)))
        #expect(results[2] == .failure(.tooLarge(limit: 16)))
        var open = JSONStreamSplitter()
        _ = open.feed(Array(#"{"unfinished": "#.utf8))
        #expect(open.hasPartialValue)
    }

    @Test("a source replaced drops what it no longer holds; the same object in two sources is refused, nothing changed")
    func objectStore() throws {
        let a = ClusterObject.node(Node(name: "a", subnets: []))
        let b = ClusterObject.node(Node(name: "b", subnets: []))
        var store = ClusterObjectStore()
        try store.replace(source: "one.yaml", with: [a, b])
        #expect(store.count == 2)
        try store.replace(source: "one.yaml", with: [a])
        #expect(store.count == 1 && store[b.key] == nil)
        #expect(throws: ManifestError.self) { try store.replace(source: "two.yaml", with: [b, a]) }
        #expect(store.count == 1 && store[b.key] == nil, "a refused replace changes nothing")
        store.upsert(b, source: "stream")
        store.removeSource("one.yaml")
        #expect(store.count == 1 && store[b.key] != nil)
        store.removeSources(withPrefix: "str")
        #expect(store.isEmpty)
    }

    @Test("MetalLB: one BGPAdvertisement per egress service with a pool, every value quoted; the others noted")
    func metalLB() throws {
        var input = try cluster(serviceYAML("default", "with-pool", endpoints: [("10.1.0.5", "n1")]) + serviceYAML("default", "no-pool", endpoints: [("10.1.0.6", "n1")]))
        input.services["default/with-pool"]?.addressPool = "true"
        let plan = MetalLBAdvertisements(input: input)
        #expect(plan.advertisements.map(\.service) == ["default/with-pool"])
        #expect(plan.notes.count == 1 && plan.notes[0].contains("default/no-pool"))
        let yaml = plan.yaml(namespace: "metallb-system")
        // A pool named "true" stays a string.
        #expect(yaml.contains("  ipAddressPools:\n  - \"true\"\n"))
        #expect(yaml.contains("\"egress-service.k8s.ovn.org/default-with-pool\": \"\""))
    }

    @Test("MetalLB: a pool annotation with a newline, a quote, a ';' or a space is refused, naming the field; so is one built in code")
    func hostilePool() throws {
        for bad in ["pool\nkind: Secret", "pool\"x", "pool;rm", "my pool"] {
            let escaped = bad.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
            let yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: svc
              namespace: default
              annotations: {metallb.universe.tf/address-pool: "\(escaped)"}
            spec: {type: LoadBalancer}
            """
            #expect {
                _ = try cluster(yaml)
            } throws: { error in
                "\(error)".contains("metadata.annotations[\"metallb.universe.tf/address-pool\"]") && !"\(error)".contains("\n")
            }
            let typed = ClusterObject.service(Service(namespace: "default", name: "svc", ingressIPs: [], addressPool: bad))
            #expect(throws: ManifestError.self) { try typed.validate() }
        }
    }

    @Test("MetalLB: the worked example's output parses back (libyaml) into a BGPAdvertisement of the right shape, every value a string")
    func metalLBParsesBack() throws {
        let input = try ManifestLoader.load([workedExamplePath])
        let yaml = MetalLBAdvertisements(input: input).yaml(namespace: "metallb-system")
        let documents = try yamlDocuments(yaml)
        #expect(documents.count == 1)
        let doc = try #require(documents.first?.map)
        #expect(doc["apiVersion"]?.string == "metallb.io/v1beta1")
        #expect(doc["kind"]?.string == "BGPAdvertisement")
        #expect(doc["metadata"]?.map?["name"]?.string == "egress-service-default-example-service")
        #expect(doc["metadata"]?.map?["namespace"]?.string == "metallb-system")
        let spec = try #require(doc["spec"]?.map)
        #expect(Set(spec.keys) == ["ipAddressPools", "nodeSelectors"], "only fields the v1beta1 schema has")
        #expect(spec["ipAddressPools"]?.list?.map { $0.string } == ["example-pool"])
        let selectors = try #require(spec["nodeSelectors"]?.list)
        #expect(selectors.count == 1)
        let labels = try #require(selectors[0].map?["matchLabels"]?.map)
        #expect(labels.count == 1)
        #expect(labels["egress-service.k8s.ovn.org/default-example-service"]?.string == "")
        #expect(labels["egress-service.k8s.ovn.org/default-example-service"]?.quoted == true, "quoted: never read as null")
    }
}

/// A YAML value as libyaml's events describe it (for checking output, not for the tool).
private indirect enum YAMLValue {
    case scalar(String, quoted: Bool)
    case list([YAMLValue])
    case map([String: YAMLValue])
    var string: String? { if case .scalar(let s, _) = self { return s }; return nil }
    var quoted: Bool? { if case .scalar(_, let q) = self { return q }; return nil }
    var list: [YAMLValue]? { if case .list(let l) = self { return l }; return nil }
    var map: [String: YAMLValue]? { if case .map(let m) = self { return m }; return nil }
}

private func yamlDocuments(_ text: String) throws -> [YAMLValue] {
    var source = YAMLEventSource(bytes: Array(text.utf8), file: "out.yaml")
    func value(_ first: ManifestEvent) throws -> YAMLValue {
        switch first {
        case .scalar(let s, let plain): return .scalar(s, quoted: !plain)
        case .sequenceStart:
            var items: [YAMLValue] = []
            while true {
                let (e, _) = try source.next()
                if e == .sequenceEnd { return .list(items) }
                items.append(try value(e))
            }
        case .mappingStart:
            var out: [String: YAMLValue] = [:]
            while true {
                let (k, _) = try source.next()
                if k == .mappingEnd { return .map(out) }
                guard case .scalar(let key, _) = k else { throw ManifestError(file: "out.yaml", message: "non-scalar key") }
                let (v, _) = try source.next()
                out[key] = try value(v)
            }
        default: throw ManifestError(file: "out.yaml", message: "unexpected \(first)")
        }
    }
    var docs: [YAMLValue] = []
    while true {
        let (e, _) = try source.next()
        switch e {
        case .streamEnd: return docs
        case .documentStart, .documentEnd: continue
        default: docs.append(try value(e))
        }
    }
}
