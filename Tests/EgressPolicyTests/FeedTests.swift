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
}
