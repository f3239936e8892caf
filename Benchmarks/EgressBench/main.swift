import CMalloc
import EgressPolicy
import Foundation
import OVSDBClient

// egress-bench generate N FILE     writes a cluster with N endpoints as YAML (and FILE.json)
// egress-bench generate-kubectl N FILE [moved|zoned]   N endpoints, 10 per service, kubectl-style YAML
//                                  (zoned: every node its own interconnect zone)
// egress-bench parse FILE          times reading manifests (YAML or JSON)
// egress-bench apply DB FILE       times apply, then a second (no-op) apply

func seconds(_ d: Duration) -> Double { d.seconds }

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

/// The shape users have: 10 nodes, N/10 services of 10 endpoints each, one EndpointSlice per
/// service, written as `kubectl get -o yaml` prints them (about 300 bytes per endpoint).
/// Every 100th endpoint is given a new IP when `moved` is true (the 1% change).
/// The nodes of the kubectl-shaped workload, as List items.
/// `zoned`: each node is its own interconnect zone (named like it), with its transit-switch
/// IP and node id, as OVN-Kubernetes annotates nodes today.
func kubectlNodeItems(_ nodes: Int = 10, zoned: Bool = false) -> String {
    var out = ""
    for i in 0..<nodes {
        let zone = !zoned ? "" : """

              k8s.ovn.org/node-id: "\(i + 2)"
              k8s.ovn.org/node-transit-switch-port-ifaddr: '{"ipv4":"100.88.0.\(i + 2)/16"}'
              k8s.ovn.org/zone-name: node-\(i)
        """
        out += """
        - apiVersion: v1
          kind: Node
          metadata:
            annotations:\(zone)
              k8s.ovn.org/node-subnets: '{"default":"10.\(128 + i).0.0/16"}'
              node.alpha.kubernetes.io/ttl: "0"
            creationTimestamp: "2026-11-01T10:00:00Z"
            labels:
              kubernetes.io/arch: amd64
              kubernetes.io/hostname: node-\(i)
              kubernetes.io/os: linux
            name: node-\(i)
            resourceVersion: "1000\(i)"
            uid: 00000000-0000-4000-8000-0000000000\(String(format: "%02d", i))
          status:
            conditions:
            - lastHeartbeatTime: "2026-11-01T10:00:00Z"
              message: kubelet is posting ready status
              reason: KubeletReady
              status: "True"
              type: Ready

        """
    }
    return out
}

/// Service `s` of the kubectl-shaped workload (Service, EgressService, EndpointSlice with 10
/// endpoints), as List items; `moved` moves its endpoints whose index is a multiple of 100.
func kubectlServiceItems(_ s: Int, moved: Bool, nodes: Int = 10) -> String {
    var out = ""
    let ns = "team-\(s % 50)"
    out += """
    - apiVersion: v1
      kind: Service
      metadata:
        creationTimestamp: "2026-11-01T10:00:00Z"
        name: svc-\(s)
        namespace: \(ns)
        resourceVersion: "2\(s)"
        uid: 10000000-0000-4000-8000-\(String(format: "%012d", s))
      spec:
        clusterIP: 10.96.\(s / 250).\(s % 250 + 1)
        clusterIPs:
        - 10.96.\(s / 250).\(s % 250 + 1)
        externalTrafficPolicy: Cluster
        ports:
        - port: 8080
          protocol: TCP
          targetPort: 8080
        selector:
          app: svc-\(s)
        type: LoadBalancer
      status:
        loadBalancer:
          ingress:
          - ip: 172.20.\(s / 250).\(s % 250 + 1)
    - apiVersion: k8s.ovn.org/v1
      kind: EgressService
      metadata:
        name: svc-\(s)
        namespace: \(ns)
      spec:
        sourceIPBy: LoadBalancerIP
    - addressType: IPv4
      apiVersion: discovery.k8s.io/v1
      endpoints:

    """
    for k in 0..<10 {
        let idx = s * 10 + k
        let node = idx % nodes
        let host = idx / nodes + (moved && idx % 100 == 0 ? 40_000 : 0)
        out += """
          - addresses:
            - 10.\(128 + node).\(host / 250).\(host % 250 + 1)
            conditions:
              ready: true
              serving: true
              terminating: false
            nodeName: node-\(node)
            targetRef:
              kind: Pod
              name: svc-\(s)-7d9f8b6c4-\(k)
              namespace: \(ns)
              uid: 20000000-0000-4000-8000-\(String(format: "%012d", idx))

        """
    }
    out += """
      kind: EndpointSlice
      metadata:
        labels:
          kubernetes.io/service-name: svc-\(s)
        name: svc-\(s)-abcde
        namespace: \(ns)
      ports:
      - port: 8080
        protocol: TCP

    """
    return out
}

func generateKubectl(_ n: Int, _ path: String, moved: Bool, zoned: Bool = false) throws {
    var out = "apiVersion: v1\nitems:\n" + kubectlNodeItems(zoned: zoned)
    for s in 0..<(n / 10) { out += kubectlServiceItems(s, moved: moved) }
    out += "kind: List\nmetadata:\n  resourceVersion: \"\"\n"
    try out.write(toFile: path, atomically: true, encoding: .utf8)
}

/// The same workload as a folder: nodes.yaml and one file per service, as a GitOps
/// repository or `kubectl get -o yaml` per object would hold it.
func generateKubectlFolder(_ n: Int, _ dir: String) throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try ("apiVersion: v1\nitems:\n" + kubectlNodeItems() + "kind: List\n").write(toFile: dir + "/nodes.yaml", atomically: true, encoding: .utf8)
    for s in 0..<(n / 10) { try writeServiceFile(dir, s, moved: false) }
}

func writeServiceFile(_ dir: String, _ s: Int, moved: Bool) throws {
    let text = "apiVersion: v1\nitems:\n" + kubectlServiceItems(s, moved: moved) + "kind: List\n"
    // Written aside and renamed into place, as tools replace files.
    let temporary = dir + "/.svc-\(s).tmp"
    try text.write(toFile: temporary, atomically: false, encoding: .utf8)
    rename(temporary, dir + "/svc-\(s).yaml")
}

/// Where a pass's planning goes, step by step, on the state the controller holds (its own
/// copies: measured after the resident set is).
func planningSteps(dir: String, controller: EgressController, configuration: EgressController.Configuration) async throws
    -> (policies: Int, input: Double, snapshot: Double, desired: Double, plan: Double) {
    var store = ClusterObjectStore()
    for file in ManifestLoader.manifestFiles(under: dir) { try store.replace(source: file, with: try ManifestLoader.objects(inFile: file)) }
    var input = ClusterInput()
    let tInput = try seconds { input = store.input }
    var liveState: LiveState?
    let tSnapshot = try seconds { liveState = try LiveState(store: try controller.replica.snapshot(), settings: configuration.settings) }
    let live = liveState!
    var desired: DesiredState?
    let tDesired = seconds { desired = DesiredState(input, settings: configuration.settings, liveHosts: live.currentHosts(nodes: input.nodes)) }
    let tPlan = try seconds { _ = try Plan(desired: desired!, live: live, settings: configuration.settings, scope: .prune) }
    return (live.ownedPolicies.count, tInput, tSnapshot, tDesired, tPlan)
}

/// The passes' own times and operations, as their reports give them.
struct PassFigures {
    var pass: [Double] = [], planning: [Double] = [], transaction: [Double] = [], operations: [Int] = []
    mutating func add(_ r: ReconcileReport) {
        pass.append(seconds(r.duration))
        planning.append(seconds(r.planning))
        transaction.append(seconds(r.writing))
        operations.append(r.operationsSent)
    }
}

/// `ovn-egressctl run`'s library path on a folder of per-service files: the time from the
/// first file renamed into place to the committed reply of the pass that applies a 1%
/// endpoint change (every 10th service's file), of one pod's change (one file), and from
/// another writer's deletion of an owned policy to the committed repair. Prints one line per
/// figure, medians over `trials`, and writes them to `jsonPath` as well when given.
func controllerLatency(db: String, dir: String, services: Int, trials: Int, jsonPath: String?) async throws {
    var configuration = EgressController.Configuration()
    configuration.replica.probeInterval = nil
    configuration.logger.logLevel = .warning
    let controller = EgressController(remotes: try RemoteAddress.list(db), configuration: configuration)
    let feed = try ManifestFileFeed(paths: [dir], controller: controller, logger: configuration.logger)
    let coldStart = DispatchTime.now().uptimeNanoseconds
    try await feed.load()
    var reports = await controller.reports().makeAsyncIterator()
    let running = Task { try await controller.run() }
    let feeding = Task { try await feed.run() }
    func nextWrite() async -> ReconcileReport? {
        while let r = await reports.next() { if r.writes > 0 || r.error != nil { return r } }
        return nil
    }
    guard let first = await nextWrite(), first.error == nil else { fatalError("the first pass failed") }
    let cold = Double(DispatchTime.now().uptimeNanoseconds - coldStart) / 1e9
    print(String(format: "controller cold start (read %d files, sync, plan, write %d policies): %.3f s", services + 1, first.plan?.additions.count ?? 0, cold))
    let rssAfterStart = residentKB()
    // The services with an endpoint index that is a multiple of 100: every 10th one.
    let changed = stride(from: 0, to: services, by: 10).map { $0 }
    var changeTimes: [Double] = []
    var writeTimes: [Double] = []
    var afterLast: [Double] = []
    var passCounts: [Int] = []
    var onePercent = PassFigures()
    // The server's own CPU for the trials (its pid from the script), the limit of each pass.
    let serverPID = ProcessInfo.processInfo.environment["OVSDB_SERVER_PID"].flatMap { Int32($0) }
    let serverBefore = serverPID.map(cpuSeconds(of:))
    for trial in 0..<trials {
        let moved = trial % 2 == 0
        let start = DispatchTime.now().uptimeNanoseconds
        for s in changed { try writeServiceFile(dir, s, moved: moved) }
        // The burst may land in more than one pass: wait until every moved policy is in.
        var additions = 0
        let written = DispatchTime.now().uptimeNanoseconds
        writeTimes.append(Double(written - start) / 1e9)
        var passes = 0
        while additions < changed.count, let r = await nextWrite() {
            passes += 1
            additions += r.plan?.additions.count ?? 0
            onePercent.add(r)
        }
        changeTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        afterLast.append(Double(DispatchTime.now().uptimeNanoseconds - written) / 1e9)
        passCounts.append(passes)
    }
    let serverOnePercent = serverPID.map { (cpuSeconds(of: $0) - serverBefore!) / Double(trials) }
    // One pod: service 0's first endpoint is one of the 1% above, so its file toggles it alone.
    var podMoved = (trials - 1) % 2 == 0
    var podTimes: [Double] = []
    var pod = PassFigures()
    let serverBeforePod = serverPID.map(cpuSeconds(of:))
    for _ in 0..<trials {
        podMoved.toggle()
        try writeServiceFile(dir, 0, moved: podMoved)
        let start = DispatchTime.now().uptimeNanoseconds
        guard let r = await nextWrite(), r.plan?.additions.count == 1 else { fatalError("no single-pod pass") }
        podTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        pod.add(r)
    }
    let serverPod = serverPID.map { (cpuSeconds(of: $0) - serverBeforePod!) / Double(trials) }
    let writer = try await OVSDBConnection.connect(to: db)
    let schema = try await writer.schema(of: "OVN_Northbound")
    var repairTimes: [Double] = []
    var repairPlan: [Double] = []
    var repairWrite: [Double] = []
    for _ in 0..<trials {
        let rows = try await writer.transact("OVN_Northbound", [.select(table: "Logical_Router_Policy", where: Condition([.column("priority", .equal, .scalar(.integer(101)))]), columns: ["_uuid"])], schema: schema)
        guard let victim = rows.first?.rows?.first?["_uuid"], case .uuid(let uuid)? = victim.keys.first else { fatalError("no policy") }
        _ = try await writer.transact("OVN_Northbound", [
            .delete(table: "Logical_Router_Policy", where: Condition([.uuid(uuid)])),
            .mutate(table: "Logical_Router", where: Condition([.column("name", .equal, .scalar(.string("ovn_cluster_router")))]),
                    mutations: [.delete("policies", .scalar(.uuid(uuid)))]),
        ], schema: schema)
        let start = DispatchTime.now().uptimeNanoseconds
        guard let r = await nextWrite(), r.plan?.additions.count == 1 else { fatalError("no repair") }
        repairTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        repairPlan.append(seconds(r.planning))
        repairWrite.append(seconds(r.writing))
    }
    await writer.close()
    func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
    print(String(format: "1%% endpoint change (%d files renamed) to committed reply: median %.1f ms (min %.1f, max %.1f) over %d trials; writing the files %.1f ms, last rename to committed reply %.1f ms; passes %d, each %.1f ms (planning %.1f, transaction %.1f); operations sent %d",
                 changed.count, median(changeTimes) * 1000, changeTimes.min()! * 1000, changeTimes.max()! * 1000, trials,
                 median(writeTimes) * 1000, median(afterLast) * 1000, passCounts.sorted()[passCounts.count / 2], median(onePercent.pass) * 1000,
                 median(onePercent.planning) * 1000, median(onePercent.transaction) * 1000, onePercent.operations.sorted()[onePercent.operations.count / 2]))
    print(String(format: "owned policy deleted by another writer to committed repair: median %.1f ms (min %.1f, max %.1f) over %d trials; planning %.1f ms, transaction %.1f ms",
                 median(repairTimes) * 1000, repairTimes.min()! * 1000, repairTimes.max()! * 1000, trials, median(repairPlan) * 1000, median(repairWrite) * 1000))
    print(String(format: "one pod's endpoint changed (1 file renamed) to committed reply: median %.1f ms (min %.1f, max %.1f) over %d trials; the pass %.1f ms (planning %.1f, transaction %.1f); operations sent %d",
                 median(podTimes) * 1000, podTimes.min()! * 1000, podTimes.max()! * 1000, trials, median(pod.pass) * 1000, median(pod.planning) * 1000,
                 median(pod.transaction) * 1000, pod.operations.sorted()[pod.operations.count / 2]))
    if let serverOnePercent, let serverPod {
        print(String(format: "ovsdb-server's CPU per trial (the mean over the trials): 1%% change %.1f ms, one pod %.1f ms", serverOnePercent * 1000, serverPod * 1000))
    }
    let rssSteady = residentKB()
    print("resident set: \(rssAfterStart / 1024) MiB after the first pass, \(rssSteady / 1024) MiB after every trial")
    // Last: its copies of the state would stay in the resident set (malloc keeps freed pages).
    let steps = try await planningSteps(dir: dir, controller: controller, configuration: configuration)
    print(String(format: "planning steps at %d policies: objects to input %.1f ms, replica to live state %.1f ms, desired state %.1f ms, plan %.1f ms",
                 steps.policies, steps.input * 1000, steps.snapshot * 1000, steps.desired * 1000, steps.plan * 1000))
    if let path = jsonPath {
        let figures: [String: Any] = [
            "policies": first.plan?.additions.count ?? 0, "trials": trials,
            "initial_sync_s": cold, "one_percent_s": median(changeTimes), "one_percent_after_last_rename_s": median(afterLast),
            "one_percent_operations": onePercent.operations.sorted()[onePercent.operations.count / 2], "single_pod_s": median(podTimes),
            "single_pod_operations": pod.operations.sorted()[pod.operations.count / 2],
            "single_pod_pass_ms": ["pass": median(pod.pass) * 1000, "planning": median(pod.planning) * 1000, "transaction": median(pod.transaction) * 1000], "repair_s": median(repairTimes),
            "server_cpu_ms": ["one_percent": (serverOnePercent ?? -1) * 1000, "single_pod": (serverPod ?? -1) * 1000],
            "rss_after_start_mib": Double(rssAfterStart) / 1024, "rss_steady_mib": Double(rssSteady) / 1024,
            "planning_ms": ["input": steps.input * 1000, "live": steps.snapshot * 1000, "desired": steps.desired * 1000, "plan": steps.plan * 1000],
        ]
        try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    }
    feeding.cancel()
    await controller.stop()
    _ = try? await running.value
}

/// How many descriptors process `pid` holds open.
func openDescriptors(of pid: Int32) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
}

/// The CPU time (user + system) process `pid` has used, from /proc.
func cpuSeconds(of pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return -1 }
    // Fields after the command's closing parenthesis, from field 3: utime and stime are 14 and 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return -1 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// This process's resident set (kB).
func residentKB() -> Int { residentKB(of: getpid()) }

/// The resident set of process `pid`, from /proc (kB).
func residentKB(of pid: Int32) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
}

/// Churn for `seconds` against a running `ovn-egressctl run` (process `pid`, watching `dir`):
/// rounds of 10 services' files rewritten (100 endpoints) and a 200 ms pause, another writer
/// deleting an owned policy every 5th round; the controller's resident set and open
/// descriptors are printed every 30 s (and written to `jsonPath` when given, with the rounds).
func controllerSoak(db: String, dir: String, services: Int, seconds total: Int, pid: Int32, jsonPath: String?) async throws {
    let writer = try await OVSDBConnection.connect(to: db)
    let schema = try await writer.schema(of: "OVN_Northbound")
    let start = DispatchTime.now().uptimeNanoseconds
    var tick = 0
    var moved = false
    var samples: [(kb: Int, fds: Int)] = []
    var sampledAt: [Double] = []
    // Sampled by the clock: a tick takes longer than its 200 ms sleep when the pass is slow.
    func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    print("t=0s rss=\(residentKB(of: pid) / 1024) MiB fds=\(openDescriptors(of: pid))")
    while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < Double(total) {
        try await Task.sleep(for: .milliseconds(200))
        tick += 1
        let first = (tick * 10) % services
        if first == 0 { moved.toggle() }
        for s in first..<min(services, first + 10) { try writeServiceFile(dir, s, moved: moved) }
        if tick % 5 == 0 {
            let rows = try await writer.transact("OVN_Northbound", [.select(table: "Logical_Router_Policy", where: Condition([.column("priority", .equal, .scalar(.integer(101)))]), columns: ["_uuid"])], schema: schema)
            if let victim = rows.first?.rows?.first?["_uuid"], case .uuid(let uuid)? = victim.keys.first {
                _ = try await writer.transact("OVN_Northbound", [
                    .delete(table: "Logical_Router_Policy", where: Condition([.uuid(uuid)])),
                    .mutate(table: "Logical_Router", where: Condition([.column("name", .equal, .scalar(.string("ovn_cluster_router")))]),
                            mutations: [.delete("policies", .scalar(.uuid(uuid)))]),
                ], schema: schema)
            }
        }
        if elapsed() >= Double(30 * (samples.count + 1)) {
            let kb = residentKB(of: pid)
            guard kb > 0 else { throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the controller (pid \(pid)) is gone"]) }
            let fds = openDescriptors(of: pid)
            samples.append((kb, fds))
            sampledAt.append(elapsed())
            print(String(format: "t=%.0fs rss=%d MiB fds=%d", sampledAt.last!, kb / 1024, fds))
        }
    }
    await writer.close()
    let rows = try await OVSDBConnection.connect(to: db)
    try await Task.sleep(for: .seconds(2))
    let policies = try await rows.transact("OVN_Northbound", [.select(table: "Logical_Router_Policy", where: Condition([.column("priority", .equal, .scalar(.integer(101)))]), columns: ["_uuid"])], schema: schema)
    await rows.close()
    let firstHalf = samples.prefix(max(1, samples.count / 2)), lastHalf = samples.suffix(max(1, samples.count / 2))
    func range(_ part: ArraySlice<(kb: Int, fds: Int)>, _ value: ((kb: Int, fds: Int)) -> Int) -> String {
        "\(part.map(value).min()!)..\(part.map(value).max()!)"
    }
    print("end rss=\(residentKB(of: pid) / 1024) MiB fds=\(openDescriptors(of: pid)); rss MiB first half \(range(firstHalf) { $0.kb / 1024 }), last half \(range(lastHalf) { $0.kb / 1024 }); fds first half \(range(firstHalf) { $0.fds }), last half \(range(lastHalf) { $0.fds }); \(policies.first?.rows?.count ?? -1) policies in the database")
    if let path = jsonPath {
        let figures: [String: Any] = ["seconds": total, "services": services, "rss_mib": samples.map { Double($0.kb) / 1024 }, "fds": samples.map(\.fds),
                                      "sampled_at_s": sampledAt, "churn_ticks": tick,
                                      "policies_at_end": policies.first?.rows?.count ?? -1]
        try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    }
}

// One malloc arena, as ovn-egressctl runs, so that resident sets measured here compare.
if getenv("MALLOC_ARENA_MAX") == nil { _ = mallopt(M_ARENA_MAX, 1) }
let args = CommandLine.arguments
switch args.dropFirst().first {
case "generate":
    try generate(Int(args[2])!, args[3])
case "generate-kubectl":
    try generateKubectl(Int(args[2])!, args[3], moved: args.count > 4 && args[4] == "moved", zoned: args.count > 4 && args[4] == "zoned")
case "parse":
    // A file, or a folder of them (as `run -f` reads one).
    let files = ManifestLoader.manifestFiles(under: args[2])
    let size = try files.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
    var times: [Double] = []
    var endpoints = 0
    for _ in 0..<5 {
        times.append(try seconds {
            let input = try ManifestLoader.load([args[2]])
            endpoints = input.endpointSlices.reduce(0) { $0 + $1.endpoints.count }
        })
    }
    // The same on one core, file after file: the whole-file parse the cut's parts are checked against.
    var oneCore: [Double] = []
    for _ in 0..<5 { oneCore.append(try seconds { for file in files { _ = try ManifestLoader.objects(inFile: file) } }) }
    let t = times.sorted()[2], t1 = oneCore.sorted()[2]
    let mb = Double(size) / 1e6
    print(String(format: "parse %@: %d endpoints, %.1f MB, %.0f ms (%.1f MB/s) on %d cores, %.0f ms (%.1f MB/s) on one",
                 args[2], endpoints, mb, t * 1000, mb / t, ProcessInfo.processInfo.activeProcessorCount, t1 * 1000, mb / t1))
    if args.count > 3 {
        let figures: [String: Any] = ["bytes": size, "endpoints": endpoints, "all_cores_s": t, "one_core_s": t1,
                                      "cores": ProcessInfo.processInfo.activeProcessorCount]
        try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]).write(to: URL(fileURLWithPath: args[3]))
    }
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
case "replica-sync":
    // The replica's initial sync of every Logical_Router_Policy row (all columns), timed from
    // the start of the connection to the end of the sync; prints seconds.
    let start = DispatchTime.now().uptimeNanoseconds
    var configuration = OVSDBReplica.Configuration()
    configuration.probeInterval = nil
    let replica = OVSDBReplica(remotes: try RemoteAddress.list(args[2]), database: "OVN_Northbound",
                               monitors: [[MonitorRequest(table: "Logical_Router_Policy")]], configuration: configuration)
    try await replica.start()
    let rows = try replica.read { $0["Logical_Router_Policy"]!.count }
    let t = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    malloc_trim(0)
    let heap = mallinfo2()
    FileHandle.standardError.write("\(rows) rows; resident after the sync (malloc trimmed): \(residentKB() / 1024) MiB, \(heap.uordblks >> 20) MiB of it allocated\n".data(using: .utf8)!)
    print(String(format: "%.3f", t))
    await replica.close()
case "generate-kubectl-folder":
    try generateKubectlFolder(Int(args[2])!, args[3])
case "controller-soak":
    try await controllerSoak(db: args[2], dir: args[3], services: Int(args[4])!, seconds: Int(args[5])!, pid: Int32(args[6])!, jsonPath: args.count > 7 ? args[7] : nil)
case "controller-latency":
    try await controllerLatency(db: args[2], dir: args[3], services: Int(args[4])!, trials: Int(args[5])!, jsonPath: args.count > 6 ? args[6] : nil)
default:
    print("usage: egress-bench generate N FILE | parse FILE [JSON] | apply DB FILE | replica-sync DB | controller-latency DB DIR SERVICES TRIALS [JSON]")
}
