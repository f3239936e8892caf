import Foundation
import Testing
@testable import EgressPolicy
import OVSDBClient
import OVSDBTestSupport

/// Values an attacker (or a typo) puts in a manifest, each written as a YAML double-quoted
/// scalar so that NUL and newlines survive.
let hostileValues: [String] = [
    "a\nb", "a\r\nCOMMIT", "a\"b", "a'b", "a b", "a;b", "$(reboot)", "`id`", "a\u{0}b", "a\tb",
    String(repeating: "a", count: 300), "ünïcode", "a\u{202E}b", "-A", "a/b/c", "", "A",
    "x\n-A OVN-KUBE-EGRESS-SVC -j ACCEPT", "1; rm -rf /", "a|b", "a&&b", "#c", "a\\b",
]

/// A YAML double-quoted scalar for any string.
func yamlQuoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar.value {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x00...0x1F, 0x7F: out += String(format: "\\x%02x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// A valid cluster (node n1 hosts default/web) with one field replaced.
struct ManifestTemplate {
    var namespace = "default"
    var egressName = "web"
    var serviceName = "web"
    var sliceName = "web-abc"
    var nodeName = "n1"
    var endpointNode = "n1"
    var labelKey = "team"
    var labelValue = "blue"
    var selectorKey = "kubernetes.io/hostname"
    var selectorValue = "n1"
    var expressionKey = "team"
    var expressionValue = "blue"
    var statusHost = "n1"
    var network = "100"

    var yaml: String {
        """
        apiVersion: v1
        kind: Node
        metadata:
          name: \(yamlQuoted(nodeName))
          labels: {kubernetes.io/hostname: n1, \(yamlQuoted(labelKey)): \(yamlQuoted(labelValue))}
          annotations: {k8s.ovn.org/node-subnets: '{"default":"10.128.0.0/24"}'}
        status: {conditions: [{type: Ready, status: "True"}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: \(yamlQuoted(serviceName)), namespace: \(yamlQuoted(namespace))}
        spec: {type: LoadBalancer, clusterIPs: [10.96.0.10]}
        status: {loadBalancer: {ingress: [{ip: 172.18.0.1}]}}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: \(yamlQuoted(sliceName))
          namespace: \(yamlQuoted(namespace))
          labels: {kubernetes.io/service-name: \(yamlQuoted(serviceName))}
        addressType: IPv4
        endpoints:
        - {addresses: [10.128.0.5], nodeName: \(yamlQuoted(endpointNode))}
        ---
        apiVersion: k8s.ovn.org/v1
        kind: EgressService
        metadata: {name: \(yamlQuoted(egressName)), namespace: \(yamlQuoted(namespace))}
        spec:
          network: \(yamlQuoted(network))
          nodeSelector:
            matchLabels: {\(yamlQuoted(selectorKey)): \(yamlQuoted(selectorValue))}
            matchExpressions: [{key: \(yamlQuoted(expressionKey)), operator: In, values: [\(yamlQuoted(expressionValue))]}]
        status: {host: \(yamlQuoted(statusHost))}

        """
    }
}

/// Each field, how to set it, and the field path the error must name.
let hostileFields: [(name: String, set: @Sendable (inout ManifestTemplate, String) -> Void, field: String)] = [
    ("namespace", { $0.namespace = $1 }, "metadata.namespace"),
    ("EgressService name", { $0.egressName = $1 }, "metadata.name"),
    ("Service name", { $0.serviceName = $1 }, "metadata.name"),
    ("EndpointSlice name", { $0.sliceName = $1 }, "metadata.name"),
    ("Node name", { $0.nodeName = $1 }, "metadata.name"),
    ("endpoint nodeName", { $0.endpointNode = $1 }, "endpoints[0].nodeName"),
    ("label key", { $0.labelKey = $1 }, "metadata.labels"),
    ("label value", { $0.labelValue = $1 }, "metadata.labels["),
    ("selector key", { $0.selectorKey = $1 }, "spec.nodeSelector.matchLabels"),
    ("selector value", { $0.selectorValue = $1 }, "spec.nodeSelector.matchLabels["),
    ("expression key", { $0.expressionKey = $1 }, "matchExpressions[0].key"),
    ("expression value", { $0.expressionValue = $1 }, "matchExpressions[0].values[0]"),
    ("status.host", { $0.statusHost = $1 }, "status.host"),
    ("spec.network", { $0.network = $1 }, "spec.network"),
]

/// Values on the hostile list that a field rightly accepts: empty meaning "none" or
/// "default", and `A`, a valid label key or value (those may hold upper case).
func accepted(_ field: String, _ value: String) -> Bool {
    switch field {
    case "namespace", "endpoint nodeName", "status.host": return value.isEmpty
    case "label key", "selector key", "expression key": return value == "A"
    case "label value", "selector value", "expression value", "spec.network": return value.isEmpty || value == "A"
    default: return false
    }
}

@Suite("hostile manifest values")
struct HostileInputTests {
    @Test("the template itself is valid and reaches every output")
    func templateIsValid() throws {
        let input = try cluster(ManifestTemplate().yaml)
        let desired = DesiredState(input, settings: EngineSettings())
        let plan = NodePlan(node: "n1", input: input, desired: desired)
        #expect(plan.snat.count == 1)
        #expect(plan.ipRules.count == 2)
        #expect(plan.labels == ["egress-service.k8s.ovn.org/default-web"])
    }

    @Test("every hostile value in every field is refused, naming file, line, object and field", arguments: hostileFields.indices)
    func refused(fieldIndex: Int) throws {
        let f = hostileFields[fieldIndex]
        var refusals = 0
        for value in hostileValues where !accepted(f.name, value) {
            var t = ManifestTemplate()
            f.set(&t, value)
            do {
                _ = try cluster(t.yaml, file: "hostile.yaml")
                Issue.record("\(f.name) = \(SafeText.quoted(value)) was accepted")
            } catch let e as ManifestError {
                refusals += 1
                #expect(e.file == "hostile.yaml")
                #expect((e.line ?? 0) > 0, "no line for \(f.name)")
                #expect(e.object != nil, "no object for \(f.name)")
                #expect(e.field?.contains(f.field) == true, "\(f.name): field \(e.field ?? "nil")")
                // The message itself is one line of printable ASCII.
                #expect(e.description.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }, "\(e.description)")
            }
        }
        #expect(refusals >= hostileValues.count - 3)
    }

    @Test("the same values in JSON manifests are refused too")
    func refusedInJSON() throws {
        for value in ["a\nb", "$(id)", "a\u{0}b", "a b", "`x`"] {
            let name = try #require(String(data: JSONSerialization.data(withJSONObject: [value], options: [.fragmentsAllowed]), encoding: .utf8))
            let text = #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"#
                + String(name.dropFirst().dropLast()) + #","namespace":"default"}}"#
            #expect(throws: ManifestError.self) {
                _ = try ClusterInput(objects: ManifestLoader.flatten(ManifestLoader.parse(Array(text.utf8), file: "h.json")))
            }
        }
    }

    @Test("names at the API server's limits: 63-byte labels, 253-byte subdomains, 2^32-1 tables")
    func limits() {
        #expect(KubernetesNames.dns1123Label(String(repeating: "a", count: 63)) == nil)
        #expect(KubernetesNames.dns1123Label(String(repeating: "a", count: 64)) != nil)
        #expect(KubernetesNames.dns1035Label("1abc") != nil)
        #expect(KubernetesNames.dns1123Label("1abc") == nil)
        #expect(KubernetesNames.dns1123Label("abc-") != nil)
        let long = (0..<4).map { _ in String(repeating: "b", count: 62) }.joined(separator: ".")
        #expect(long.utf8.count == 251)
        #expect(KubernetesNames.dns1123Subdomain(long) == nil)
        #expect(KubernetesNames.dns1123Subdomain(long + ".cc") != nil)
        #expect(KubernetesNames.dns1123Subdomain("a..b") != nil)
        #expect(KubernetesNames.labelKey("example.com/Some_Name.1") == nil)
        #expect(KubernetesNames.labelKey("Example.com/x") != nil)
        #expect(KubernetesNames.labelKey("/x") != nil)
        #expect(KubernetesNames.labelValue("") == nil)
        #expect(KubernetesNames.labelValue("-x") != nil)
        #expect(KubernetesNames.routingTable("4294967295") == nil)
        #expect(KubernetesNames.routingTable("4294967296") != nil)
        #expect(KubernetesNames.routingTable("0") != nil)
        #expect(KubernetesNames.routingTable("0100") != nil)
        #expect(KubernetesNames.routingTable("vrf-blue.1_a") == nil)
        #expect(KubernetesNames.routingTable("-x") != nil)
    }

    @Test("valid values print as single, well-formed lines in every node-plan format")
    func printersQuote() async throws {
        var t = ManifestTemplate()
        t.network = "vrf-blue.1_a"
        t.namespace = String(repeating: "n", count: 63)
        t.egressName = "w" + String(repeating: "-9", count: 31)
        t.serviceName = t.egressName
        let input = try cluster(t.yaml)
        let plan = NodePlan(node: "n1", input: input, desired: DesiredState(input, settings: EngineSettings()))
        let owner = "\(t.namespace)/\(t.egressName)"
        let ipt = plan.iptablesRestore(.v4).split(separator: "\n").map(String.init)
        #expect(ipt.contains("-A OVN-KUBE-EGRESS-SVC -s 10.128.0.5/32 -m comment --comment \"\(owner)\" -j SNAT --to-source 172.18.0.1"))
        #expect(plan.ipRuleCommands == """
        ip rule add prio 5000 from 10.128.0.5 table 'vrf-blue.1_a'
        ip rule add prio 5000 from 10.96.0.10 table 'vrf-blue.1_a'

        """)
        #expect(plan.nftables.contains("add element inet ovn-kubernetes egress-service-snat-v4 { 10.128.0.5 : 172.18.0.1 }\n"))
        for text in [plan.iptablesRestore(.v4), plan.iptablesRestore(.v6), plan.nftables, plan.ipRuleCommands, CanonicalJSON.string(plan.json)] {
            #expect(text.unicodeScalars.allSatisfy { $0 == "\n" || ($0.value >= 0x20 && $0.value < 0x7F) })
        }
        // The shell reads the ip-rules output as exactly the commands intended.
        let sh = try await OVSDBServerFixture.executeOffPool("/bin/sh", ["-n"], stdin: plan.ipRuleCommands)
        #expect(sh.status == 0)
    }

    @Test("shell words and escapes hold any value")
    func safeText() async throws {
        for value in hostileValues {
            // A shell word cannot hold NUL (nor can argv): validated values never do.
            if !value.contains("\u{0}") { #expect(try await shellEcho(SafeText.shellWord(value)) == value, "\(SafeText.quoted(value))") }
            let escaped = SafeText.escaped(value)
            #expect(escaped.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F })
        }
    }
}

/// Runs `printf %s WORD` through sh and returns what it printed (off the cooperative pool).
private func shellEcho(_ word: String) async throws -> String {
    try await OVSDBServerFixture.executeOffPool("/bin/sh", ["-c", "printf %s " + word]).stdout
}
