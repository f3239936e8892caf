import Foundation
import Testing
@testable import EgressPolicy

/// A large YAML file is cut into parts parsed at once (`ManifestSplit`,
/// `ConcurrentManifestParse`): whatever the cut, the objects and the first error must be
/// those of one front-to-back parse of the file.
@Suite("parsing manifests in parts on every core")
struct ConcurrentParseTests {
    /// A `kind: List` as `kubectl get -o yaml` prints it, with what could confuse a cut:
    /// comments at column 0 between items, a block scalar whose lines start with `- `, a
    /// nested list, quoted values.
    private func kubectlList(_ services: Int, lineEnd: String = "\n", extra: (Int) -> String = { _ in "" }) -> String {
        var text = "apiVersion: v1\nitems:\n"
        for i in 0..<services {
            text += """
            - apiVersion: v1
              kind: Service
              metadata:
                annotations:
                  note: |
                    - not an item
                    ---
                    - still the annotation
                name: svc\(i)
                namespace: "ns"
              spec:
                type: LoadBalancer
                clusterIPs:
                - 10.96.\(i / 250).\(i % 250 + 1)
              status:
                loadBalancer:
                  ingress:
                  - ip: 172.18.\(i / 250).\(i % 250 + 1)
            # a comment at column 0 between items
            - apiVersion: discovery.k8s.io/v1
              kind: EndpointSlice
              metadata:
                labels:
                  kubernetes.io/service-name: svc\(i)
                name: svc\(i)-abc
                namespace: ns
              addressType: IPv4
              endpoints:
              - addresses:
                - 10.128.\(i / 250).\(i % 250 + 2)
                nodeName: work001
            \(extra(i))
            """
        }
        text += "kind: List\nmetadata:\n  resourceVersion: \"\"\n"
        return lineEnd == "\n" ? text : text.replacingOccurrences(of: "\n", with: lineEnd)
    }

    typealias Read = Result<[ManifestObject], ManifestError>

    private func written(_ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("concurrent-parse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("m.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The file's objects (or error) in parts of about `size` bytes, beside one whole parse,
    /// and how many parts the cut made (0: not cut).
    private func bothWays(_ text: String, size: Int = 300) throws -> (parts: Read, whole: Read, cut: Int) {
        let path = try written(text)
        let parts = Result { () throws(ManifestError) in try ConcurrentManifestParse.objects([path], threshold: 1, partSize: size) }
        let whole = Result { () throws(ManifestError) in try ManifestLoader.parse(ManifestInput(opening: path), file: path) }
        let bytes = Array(text.utf8)
        let cut = bytes.withUnsafeBytes { ManifestSplit.cut($0, size: size)?.parts.count ?? 0 }
        return (parts, whole, cut)
    }

    @Test("a kubectl List cut at its items gives the objects, lines and documents of one whole parse, with LF and CRLF")
    func listItems() throws {
        for lineEnd in ["\n", "\r\n"] {
            let r = try bothWays(kubectlList(40, lineEnd: lineEnd))
            #expect(r.cut > 10)
            #expect(r.parts == r.whole)
            #expect(ManifestLoader.flatten(try r.whole.get()).last?.name == "svc39-abc")
        }
        let path = try written(kubectlList(40))
        let input = try ManifestLoader.load([path])
        #expect(input.endpointSlices.count == 40)
        #expect(input.services.count == 40)
    }

    @Test("a stream of documents is cut between them; each object keeps its document index and line")
    func documents() throws {
        let docs = (0..<60).map { i in "apiVersion: v1\nkind: Node\nmetadata:\n  name: node\(i)\n" }
        for text in [docs.joined(separator: "---\n"), "# head\n---\n" + docs.joined(separator: "---\n") + "---\n"] {
            let r = try bothWays(text, size: 200)
            #expect(r.cut > 5)
            #expect(r.parts == r.whole)
            #expect(try r.whole.get().map(\.document).suffix(2) == [58, 59])
        }
    }

    @Test("a bad item in the middle of a cut List is reported exactly as the whole parse reports it")
    func errorsAsWhole() throws {
        let cases: [(String, (Int) -> String)] = [
            ("a field of the wrong shape", { $0 == 20 ? "- kind: Node\n  metadata: [1, 2]\n" : "" }),
            ("invalid YAML", { $0 == 20 ? "- kind: Node\n  metadata: {name: x\n" : "" }),
            ("an alias", { $0 == 20 ? "- &a kind: Node\n- *a\n" : "" }),
            ("a quoted scalar continued at column 0 with a dash", { $0 == 20 ? "- kind: Node\n  metadata:\n    name: \"a\n- b\"\n" : "" }),
            ("a flow mapping continued at column 0", { $0 == 20 ? "- {kind: Node,\n- metadata: x}\n" : "" }),
        ]
        for (name, extra) in cases {
            let r = try bothWays(kubectlList(40, extra: extra))
            #expect(r.cut > 10, "\(name)")
            #expect(r.parts == r.whole, "\(name)")
        }
    }

    @Test("the depth limit is the same in a part as in the whole file")
    func depth() throws {
        for depth in [maximumManifestDepth - 3, maximumManifestDepth - 2, maximumManifestDepth - 1] {
            let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let r = try bothWays(kubectlList(40, extra: { $0 == 5 ? "- kind: Node\n  x: \(nested)\n" : "" }))
            #expect(r.parts == r.whole, "depth \(depth)")
        }
    }

    @Test("files the cut refuses (directives, document ends, other encodings, lone carriage returns, one part) are parsed whole")
    func refused() throws {
        let list = kubectlList(40)
        for text in ["%YAML 1.1\n---\n" + list, list.replacingOccurrences(of: "kind: List", with: "...\nkind: List"),
                     list.replacingOccurrences(of: "kind: Service\n", with: "kind: Service\r"),
                     "kind: List\nitems:\n  - kind: Node\n    metadata:\n      name: a\n"] {
            let r = try bothWays(text)
            #expect(r.cut == 0)
            #expect(r.parts == r.whole)
        }
    }

    @Test("a List wrapper that is not a List (a named object with items) is parsed whole")
    func notAList() throws {
        let text = kubectlList(40).replacingOccurrences(of: "kind: List\nmetadata:\n", with: "kind: Thing\nmetadata:\n  name: t\n")
        let r = try bothWays(text)
        #expect(r.cut > 10)
        #expect(r.parts == r.whole)
    }

    @Test("several files, some cut and some not, come out in file order, and the first file's error is the one thrown")
    func severalFiles() throws {
        let a = try written(kubectlList(30))
        let b = try written("apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n")
        let bad = try written(kubectlList(30, extra: { $0 == 3 ? "- kind: Node\n  metadata: [1]\n" : "" }))
        let objects = try ConcurrentManifestParse.objects([a, b, a], threshold: 1000, partSize: 300)
        #expect(objects.count == 3)
        #expect(objects[1].name == "n1")
        #expect(ManifestLoader.flatten(objects).count == 121)
        let e1 = #expect(throws: ManifestError.self) { try ConcurrentManifestParse.objects([a, bad, "/nonexistent/x.yaml"], threshold: 1000, partSize: 300) }
        let e2 = #expect(throws: ManifestError.self) { try ManifestLoader.parse(ManifestInput(opening: bad), file: bad) }
        #expect(e1?.description == e2?.description)
        #expect(e1?.file == bad)
    }
}


