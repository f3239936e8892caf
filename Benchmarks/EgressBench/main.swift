import EgressPolicy
import Foundation
import OVSDBClient

// egress-bench generate N FILE     writes a cluster with N endpoints as YAML (and FILE.json)
// egress-bench parse FILE          times reading manifests (YAML or JSON)
// egress-bench apply DB FILE       times apply, then a second (no-op) apply

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func generate(_ n: Int, _ path: String) throws {
    var yaml = ""
    var items: [JSON] = []
    let nodes = 10
    for i in 0..<nodes {
        let subnet = "10.\(128 + i).0.0/16"
        yaml += """
        apiVersion: v1
        kind: Node
        metadata:
          name: node-\(i)
          labels: {kubernetes.io/hostname: node-\(i)}
          annotations: {k8s.ovn.org/node-subnets: '{"default":"\(subnet)"}'}
        status:
          conditions:
          - {type: Ready, status: "True"}
        ---

        """
        items.append(["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string("node-\(i)"), "labels": ["kubernetes.io/hostname": .string("node-\(i)")],
                      "annotations": ["k8s.ovn.org/node-subnets": .string("{\"default\":\"\(subnet)\"}")]],
                      "status": ["conditions": [["type": "Ready", "status": "True"]]]])
    }
    let services = max(1, n / 1000)
    let perService = n / services
    for s in 0..<services {
        yaml += """
        apiVersion: v1
        kind: Service
        metadata: {name: svc-\(s), namespace: bench}
        spec: {type: LoadBalancer, clusterIPs: [10.96.\(s / 250).\(s % 250 + 1)]}
        status: {loadBalancer: {ingress: [{ip: 172.20.\(s / 250).\(s % 250 + 1)}]}}
        ---
        apiVersion: k8s.ovn.org/v1
        kind: EgressService
        metadata: {name: svc-\(s), namespace: bench}
        spec: {sourceIPBy: LoadBalancerIP}
        ---

        """
        items.append(["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string("svc-\(s)"), "namespace": "bench"],
                      "spec": ["type": "LoadBalancer"], "status": ["loadBalancer": ["ingress": [["ip": .string("172.20.\(s / 250).\(s % 250 + 1)")]]]]])
        items.append(["apiVersion": "k8s.ovn.org/v1", "kind": "EgressService", "metadata": ["name": .string("svc-\(s)"), "namespace": "bench"],
                      "spec": ["sourceIPBy": "LoadBalancerIP"]])
        var slice = 0
        var e = 0
        while e < perService {
            let count = min(100, perService - e)
            yaml += """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: svc-\(s)-\(slice)
              namespace: bench
              labels: {kubernetes.io/service-name: svc-\(s)}
            addressType: IPv4
            endpoints:

            """
            var eps: [JSON] = []
            for k in 0..<count {
                let idx = s * perService + e + k
                let node = idx % nodes
                let ip = "10.\(128 + node).\((idx / nodes) / 250).\((idx / nodes) % 250 + 1)"
                yaml += "- addresses: [\"\(ip)\"]\n  nodeName: node-\(node)\n  conditions: {ready: true, serving: true, terminating: false}\n"
                eps.append(["addresses": [.string(ip)], "nodeName": .string("node-\(node)"), "conditions": ["ready": true]])
            }
            yaml += "ports:\n- {port: 8080, protocol: TCP}\n---\n"
            items.append(["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4", "endpoints": .array(eps),
                          "metadata": ["name": .string("svc-\(s)-\(slice)"), "namespace": "bench", "labels": ["kubernetes.io/service-name": .string("svc-\(s)")]]])
            e += count
            slice += 1
        }
    }
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    try Data(JanssonCodec.encode(["apiVersion": "v1", "kind": "List", "items": .array(items)])).write(to: URL(fileURLWithPath: path + ".json"))
}

let args = CommandLine.arguments
switch args.dropFirst().first {
case "generate":
    try generate(Int(args[2])!, args[3])
case "parse":
    let size = (try FileManager.default.attributesOfItem(atPath: args[2])[.size] as? Int) ?? 0
    var times: [Double] = []
    var endpoints = 0
    for _ in 0..<5 {
        times.append(try seconds {
            let input = try ManifestLoader.load([args[2]])
            endpoints = input.endpointSlices.reduce(0) { $0 + $1.endpoints.count }
        })
    }
    let t = times.sorted()[2]
    print(String(format: "parse %@: %d endpoints, %.1f MB, %.0f ms, %.1f MB/s", args[2], endpoints, Double(size) / 1e6, t * 1000, Double(size) / 1e6 / t))
case "apply":
    let connection = try await OVSDBConnection.connect(to: args[2])
    let input = try ManifestLoader.load([args[3]])
    let engine = EgressEngine(connection: connection, settings: EngineSettings())
    let start = DispatchTime.now().uptimeNanoseconds
    let first = try await engine.apply(input)
    let t1 = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let start2 = DispatchTime.now().uptimeNanoseconds
    let second = try await engine.apply(input)
    let t2 = Double(DispatchTime.now().uptimeNanoseconds - start2) / 1e9
    print(String(format: "apply: %d policies, %d writes, %.0f ms; second apply: %d writes, %.0f ms",
                 first.plan.additions.count, first.writesSent, t1 * 1000, second.writesSent, t2 * 1000))
    await connection.close()
default:
    print("usage: egress-bench generate N FILE | parse FILE | apply DB FILE")
}
