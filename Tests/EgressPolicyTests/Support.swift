import Foundation
@testable import EgressPolicy
import OVSDBClient
import OVSDBTestSupport

let workedExamplePath = OVSDBServerFixture.repositoryRoot + "/examples/worked-example"

/// Parses manifests given as YAML text.
func cluster(_ yaml: String, file: String = "test.yaml") throws -> ClusterInput {
    try ClusterInput(objects: ManifestLoader.flatten(ManifestLoader.parse(Array(yaml.utf8), file: file)))
}

/// YAML for a node with a subnet annotation.
func nodeYAML(_ name: String, subnets: [String], ready: Bool = true, labels: [String: String] = [:]) -> String {
    var allLabels = labels
    allLabels["kubernetes.io/hostname"] = name
    let labelLines = allLabels.keys.sorted().map { "    \($0): \"\(allLabels[$0]!)\"" }.joined(separator: "\n")
    let list = subnets.map { "\"\($0)\"" }.joined(separator: ",")
    return """
    apiVersion: v1
    kind: Node
    metadata:
      name: \(name)
      labels:
    \(labelLines)
      annotations:
        k8s.ovn.org/node-subnets: '{"default":[\(list)]}'
    status:
      conditions:
      - {type: Ready, status: "\(ready ? "True" : "False")"}
    ---

    """
}

/// YAML for a LoadBalancer service, its EndpointSlice(s) and its EgressService.
func serviceYAML(_ ns: String, _ name: String, endpoints: [(ip: String, node: String)], ingress: [String] = ["172.18.255.200"],
                 selector: String = "", etpLocal: Bool = false, sourceIPBy: String = "LoadBalancerIP",
                 network: String? = nil, statusHost: String? = nil, clusterIPs: [String] = ["10.96.0.10"]) -> String {
    let v4 = endpoints.filter { !$0.ip.contains(":") }
    let v6 = endpoints.filter { $0.ip.contains(":") }
    var y = """
    apiVersion: v1
    kind: Service
    metadata: {name: \(name), namespace: \(ns)}
    spec:
      type: LoadBalancer
      externalTrafficPolicy: \(etpLocal ? "Local" : "Cluster")
      clusterIPs: [\(clusterIPs.joined(separator: ", "))]
    status:
      loadBalancer:
        ingress: [\(ingress.map { "{ip: \"\($0)\"}" }.joined(separator: ", "))]
    ---

    """
    for (family, eps) in [("IPv4", v4), ("IPv6", v6)] where !eps.isEmpty {
        y += """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: \(name)-\(family.lowercased())
          namespace: \(ns)
          labels: {kubernetes.io/service-name: \(name)}
        addressType: \(family)
        endpoints:
        \(eps.map { "- {addresses: [\"\($0.ip)\"], nodeName: \($0.node)}" }.joined(separator: "\n"))
        ---

        """
    }
    y += """
    apiVersion: k8s.ovn.org/v1
    kind: EgressService
    metadata: {name: \(name), namespace: \(ns)}
    spec:
      sourceIPBy: \(sourceIPBy)
    \(selector.isEmpty ? "" : "  nodeSelector:\n    matchLabels: {\(selector)}\n")\(network.map { "  network: \"\($0)\"\n" } ?? "")\(statusHost.map { "status: {host: \($0)}\n" } ?? "")---

    """
    return y
}

/// A server with `ovn_cluster_router`, as OVN-Kubernetes leaves it, and an engine on it.
func withRouter(_ body: (OVSDBServerFixture, EgressEngine) async throws -> Void) async throws {
    try await withServer { server in
        try await server.nbctl(["lr-add", "ovn_cluster_router"])
        let connection = try await OVSDBConnection.connect(to: server.remote)
        defer { Task { await connection.close() } }
        try await body(server, EgressEngine(connection: connection, settings: EngineSettings()))
    }
}
