import EgressPolicy
import Logging
import OVSDBClient

// A Swift controller that embeds EgressController: it builds the worked example's objects
// in code (as a controller would from its Kubernetes informers), hands them over, lets the
// controller reconcile, then moves the endpoint to another pod IP as an informer event would,
// prints each pass, and stops.
//
//     swift run egress-embedded-controller unix:/var/run/ovn/ovnnb_db.sock

let remote = CommandLine.arguments.dropFirst().first ?? "unix:/var/run/ovn/ovnnb_db.sock"

func node(_ name: String, _ subnet: String, worker: Bool) -> ClusterObject {
    var labels = ["kubernetes.io/hostname": name]
    labels[worker ? "node-role.kubernetes.io/worker" : "node-role.kubernetes.io/control-plane"] = ""
    return .node(Node(name: name, labels: labels, subnets: [CIDR(subnet)!]))
}

func endpoints(_ ip: String) -> ClusterObject {
    .endpointSlice(EndpointSlice(namespace: "default", name: "example-service-x7k2p", serviceName: "example-service",
                                 endpoints: [.init(addresses: [IPAddress(ip)!], nodeName: "work001")]))
}

let objects: [ClusterObject] = [
    node("master001", "10.124.1.0/24", worker: false),
    node("work001", "10.124.0.0/24", worker: true),
    node("work002", "10.124.2.0/24", worker: true),
    .service(Service(namespace: "default", name: "example-service", ingressIPs: [IPAddress("172.18.255.200")!])),
    endpoints("10.124.0.3"),
    .egressService(EgressService(namespace: "default", name: "example-service",
                                 nodeSelector: LabelSelector(matchLabels: ["node-role.kubernetes.io/worker": "",
                                                                           "kubernetes.io/hostname": "work002"]))),
]

do {
    var configuration = EgressController.Configuration()
    configuration.logger.logLevel = .warning
    let controller = EgressController(remotes: try RemoteAddress.list(remote), configuration: configuration)
    try await controller.upsert(objects)
    var reports = await controller.reports().makeAsyncIterator()
    let running = Task { try await controller.run() }

    // The first pass (after this instance takes the lock and the replica syncs).
    if let first = await reports.next() { print(first.summary) }
    // An informer reports the pod moved: only that object is given again.
    try await controller.upsert([endpoints("10.124.0.4")])
    while let report = await reports.next() {
        print(report.summary)
        if report.triggers.contains(.input) { break }
    }
    await controller.stop()
    try await running.value
} catch {
    print("error: \(error)")
    exit(1)
}

#if canImport(Glibc)
import Glibc
#endif
