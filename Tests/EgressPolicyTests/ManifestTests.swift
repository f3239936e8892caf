import Testing
@testable import EgressPolicy
import OVSDBClient

@Suite("reading manifests")
struct ManifestTests {
    @Test("the worked example reads: a List of nodes, a multi-document file")
    func workedExample() throws {
        let input = try ManifestLoader.load([workedExamplePath])
        #expect(input.nodes.keys.sorted() == ["master001", "work001", "work002"])
        #expect(input.nodes["work002"]?.subnets.map(\.description) == ["10.124.2.0/24"])
        #expect(input.nodes["work002"]?.ready == true)
        #expect(input.services["default/example-service"]?.ingressIPs.map(\.description) == ["172.18.255.200"])
        #expect(input.endpointSlices.first?.endpoints.first?.addresses.map(\.description) == ["10.124.0.3"])
        #expect(input.egressServices.first?.nodeSelector.matchLabels == ["node-role.kubernetes.io/worker": "", "kubernetes.io/hostname": "work002"])
    }

    @Test("JSON manifests read the same as YAML")
    func json() throws {
        let text = #"{"apiVersion":"v1","kind":"List","items":[{"kind":"Node","apiVersion":"v1","metadata":{"name":"n1","annotations":{"k8s.ovn.org/node-subnets":"{\"default\":\"10.1.0.0/24\"}"}},"status":{"conditions":[{"type":"Ready","status":"True"}]}}]}"#
        let input = try ClusterInput(objects: ManifestLoader.flatten(ManifestLoader.parse(Array(text.utf8), file: "n.json")))
        #expect(input.nodes["n1"]?.subnets.first?.description == "10.1.0.0/24")
        #expect(input.nodes["n1"]?.ready == true)
    }

    @Test("bad input names file, document, object and field", arguments: [
        ("kind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4\nendpoints:\n- addresses: [\"10.1.0.010\"]\n", "endpoints[0].addresses[0]"),
        ("kind: Node\nmetadata:\n  name: n\n  annotations: {k8s.ovn.org/node-subnets: '{\"default\":\"10.1.0.0/33\"}'}\n", "node-subnets"),
        ("kind: EgressService\nmetadata: {name: e}\nspec:\n  nodeSelector:\n    matchExpressions:\n    - {key: a, operator: Maybe}\n", "matchExpressions[0].operator"),
        ("kind: Service\nmetadata: {name: s}\nstatus: {loadBalancer: {ingress: [{ip: \"::ffff:1.2.3.4\"}]}}\n", "ingress[0].ip"),
        ("kind: Service\nmetadata: {name: s}\n---\nkind: Service\nmetadata: {name: s}\n", "duplicate"),
        ("kind: Service\nmetadata: {name: s\n", "YAML"),
    ])
    func badInput(yaml: String, mentions: String) {
        #expect {
            _ = try cluster(yaml, file: "bad.yaml")
        } throws: { error in
            guard let e = error as? ManifestError else { return false }
            return e.file == "bad.yaml" && e.description.contains(mentions) && e.document != nil
        }
    }

    @Test("documents nested deeper than 64 levels are refused, in YAML and JSON; 64 levels are read")
    func depthLimit() throws {
        for (n, refused) in [(64, false), (65, true), (100_000, true)] {
            let yaml = "kind: Node\nmetadata: {name: n}\nx: " + String(repeating: "[", count: n - 1) + String(repeating: "]", count: n - 1) + "\n"
            let json = #"{"kind":"Node","metadata":{"name":"n"},"x":"# + String(repeating: "[", count: n - 1) + String(repeating: "]", count: n - 1) + "}"
            for (text, file) in [(yaml, "deep.yaml"), (json, "deep.json")] {
                if refused {
                    #expect(throws: ManifestError.self, "\(n) levels in \(file)") { _ = try cluster(text, file: file) }
                    do { _ = try cluster(text, file: file) } catch let e as ManifestError {
                        // Past 2048 levels jansson's own limit answers first.
                        #expect(e.message.contains("nested deeper than 64") || e.message.contains("maximum parsing depth"), "\(file): \(e)")
                    }
                } else {
                    #expect(try cluster(text, file: file).nodes["n"] != nil, "\(n) levels in \(file)")
                }
            }
        }
    }

    @Test("IP addresses are parsed strictly and printed canonically")
    func ipCanonical() {
        #expect(IPAddress("FD00:0:0:0:0:0:0:3")?.description == "fd00::3")
        #expect(IPAddress("2001:db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
        #expect(IPAddress("2001:0db8::0001")?.description == "2001:db8::1")
        #expect(IPAddress("1:0:1:1:1:1:1:1")?.description == "1:0:1:1:1:1:1:1")
        #expect(IPAddress("10.124.0.3")?.description == "10.124.0.3")
        for bad in ["010.1.1.1", "1.2.3", "1.2.3.256", "::ffff:1.2.3.4", "fe80::1%eth0", "1:2::3::4", "1.2.3.4 ", ""] {
            #expect(IPAddress(bad) == nil, "\(bad) must be refused")
        }
        #expect(CIDR("10.124.2.0/24")?.managementIP.description == "10.124.2.2")
        #expect(CIDR("fd00:10:244:2::/64")?.managementIP.description == "fd00:10:244:2::2")
        #expect(CIDR("10.124.2.77/24")?.description == "10.124.2.0/24")
    }

    @Test("address-set names are the FNV-1a hashes the spec gives")
    func hashes() {
        #expect(AddressSetNames.hashedName(AddressSetNames.egressServiceID(.v4)) == "a13607449821398607916")
        #expect(AddressSetNames.hashedName(AddressSetNames.egressServiceID(.v6)) == "a13607452020421864338")
        #expect(AddressSetNames.hashedName(AddressSetNames.egressIPServedPodsID(.v4, .v2023)) == "a4548040316634674295")
        #expect(AddressSetNames.hashedName(AddressSetNames.nodeIPsID(.v6, .v2023)) == "a14918750365622354133")
        #expect(AddressSetNames.hashedName(AddressSetNames.egressIPServedPodsID(.v4, .v2024)) == "a8519615025667110816")
        #expect(AddressSetNames.hashedName(AddressSetNames.egressIPServedPodsID(.v6, .v2024)) == "a3735740021425387998")
        #expect(AddressSetNames.hashedName(AddressSetNames.nodeIPsID(.v4, .v2024)) == "a712973235162149816")
        #expect(AddressSetNames.hashedName(AddressSetNames.nodeIPsID(.v6, .v2024)) == "a1091196985512978262")
        #expect(AddressSetNames.hashedName(AddressSetNames.nodeIPsID(.v4, .v2025)) == "a1042611113178530741")
        #expect(AddressSetNames.hashedName(AddressSetNames.nodeIPsID(.v6, .v2025)) == "a1042608914155274319")
    }
}

@Suite("label selectors")
struct SelectorTests {
    @Test("In, NotIn, Exists and DoesNotExist read and match as Kubernetes defines them")
    func operators() throws {
        let yaml = """
        kind: EgressService
        metadata: {name: e}
        spec:
          nodeSelector:
            matchLabels: {tier: edge}
            matchExpressions:
            - {key: zone, operator: In, values: [a, b]}
            - {key: gpu, operator: NotIn, values: ["true"]}
            - {key: role, operator: Exists}
            - {key: drain, operator: DoesNotExist}
        """
        let selector = try #require(try cluster(yaml).egressServices.first?.nodeSelector)
        #expect(selector.matches(["tier": "edge", "zone": "a", "role": "x"]))
        #expect(!selector.matches(["tier": "edge", "zone": "c", "role": "x"]))
        #expect(!selector.matches(["tier": "edge", "zone": "a", "role": "x", "gpu": "true"]))
        #expect(!selector.matches(["tier": "edge", "zone": "a"]))
        #expect(!selector.matches(["tier": "edge", "zone": "a", "role": "x", "drain": ""]))
        #expect(!selector.matches(["zone": "a", "role": "x"]))
        #expect(LabelSelector().matches([:]))
    }
}
