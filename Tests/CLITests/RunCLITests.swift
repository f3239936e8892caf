import Foundation
import Testing
import OVSDBClient
import OVSDBTestSupport

/// A temporary folder holding a copy of the worked example.
private func manifestFolder() throws -> String {
    try exampleCopy("worked-example", files: ["nodes.yaml", "service.yaml"])
}

/// The reroute policies as `lr-policy-list` prints them: priority, match, action, nexthop.
private func policies(_ server: OVSDBServerFixture) async throws -> [String] {
    let listing = try await server.nbctl(["lr-policy-list", "ovn_cluster_router"])
    return listing.split(separator: "\n").dropFirst().map { $0.split(separator: " ").joined(separator: " ") }
}

private func ownedPolicyUUIDs(_ server: OVSDBServerFixture) async throws -> [String] {
    try await server.nbctl(["--bare", "--columns=_uuid", "find", "Logical_Router_Policy", "priority=101", "external_ids:EgressSVC=default/example-service"])
        .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
}

/// Rows nobody but the test writes (policies without an EgressSVC key, the foreign address
/// set), every column, as `ovsdb-client dump` prints them.
private func foreignRows(_ server: OVSDBServerFixture) async throws -> [OVSDBUUID: Row] {
    let schema = try DatabaseSchema(json: JanssonCodec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: OVSDBServerFixture.nbSchemaPath)))))
    let dump = try await server.dump(schema)
    var out: [OVSDBUUID: Row] = [:]
    // The tool's rows: its reroute policies (EgressSVC key) and the no-reroute policy (102).
    for (uuid, row) in dump["Logical_Router_Policy"] ?? [:]
    where !(row["external_ids"]?.json.description.contains("EgressSVC") ?? false) && row["priority"] != .scalar(.integer(102)) {
        out[uuid] = row
    }
    for (uuid, row) in dump["Address_Set"] ?? [:] where row["name"] == .scalar(.string("foreign_set")) { out[uuid] = row }
    return out
}

@Suite("ovn-egressctl run end to end", .serialized)
struct RunCLITests {
    @Test("follows files and the database: an owned policy deleted by ovn-nbctl is back within 2 s, an atomic rename is applied within 3 s, foreign rows stay byte for byte, metrics are served, SIGTERM exits 0")
    func followsFilesAndDatabase() async throws {
        try await withRouterServer { server in
            try await server.nbctl(["lr-policy-add", "ovn_cluster_router", "101", "ip4.src == 10.124.9.9", "reroute", "10.124.1.2"])
            try await server.nbctl(["lr-policy-add", "ovn_cluster_router", "200", "ip4.dst == 8.8.8.8", "allow"])
            try await server.nbctl(["create", "Address_Set", "name=foreign_set", "addresses=\"10.124.9.9\""])
            let foreignBefore = try await foreignRows(server)
            #expect(foreignBefore.count == 3)
            let dir = try manifestFolder()
            let run = try RunningCtl(["run", "-f", dir, "--metrics", "127.0.0.1:0"], db: server.remote, logPath: dir + "/../" + (dir as NSString).lastPathComponent + ".log")

            // Initial sync and first pass.
            #expect(try await eventuallyAsync(seconds: 10) { try await policies(server).contains("101 ip4.src == 10.124.0.3 reroute 10.124.2.2") }, "\(run.log)")

            // Drift: another writer deletes the owned policy.
            let uuid = try #require(try await ownedPolicyUUIDs(server).first)
            try await server.nbctl(["lr-policy-del", "ovn_cluster_router", uuid])
            let deleted = ContinuousClock.now
            #expect(try await eventuallyAsync(seconds: 2) { try await ownedPolicyUUIDs(server).count == 1 }, "not repaired within 2 s:\n\(run.log)")
            print("owned policy repaired \(ContinuousClock.now - deleted) after ovn-nbctl deleted it")

            // An edit, written atomically: the endpoint moves to another pod IP.
            try atomicRewrite(dir + "/service.yaml") { $0.replacingOccurrences(of: "10.124.0.3", with: "10.124.0.77") }
            let edited = ContinuousClock.now
            #expect(try await eventuallyAsync(seconds: 3) {
                let p = try await policies(server)
                return p.contains("101 ip4.src == 10.124.0.77 reroute 10.124.2.2") && !p.contains { $0.contains("10.124.0.3 ") }
            }, "edit not applied within 3 s:\n\(run.log)")
            print("atomic rename applied \(ContinuousClock.now - edited) after the file changed")
            let set = try await server.nbctl(["--bare", "--columns=addresses", "find", "Address_Set", "name=a13607449821398607916"])
            #expect(set.trimmingCharacters(in: .whitespacesAndNewlines) == "10.124.0.77")

            // A bad edit is reported; the file's last good contents stay applied.
            try atomicRewrite(dir + "/service.yaml") { $0.replacingOccurrences(of: "10.124.0.77", with: "10.124.0.300") }
            #expect(try await eventuallyAsync(seconds: 3) { run.log.contains("keeping the file's last good contents") })
            #expect(try await policies(server).contains("101 ip4.src == 10.124.0.77 reroute 10.124.2.2"))

            let port = try await run.metricsPort()
            let (status, metrics) = try await httpGet(port: port, path: "/metrics")
            #expect(status == 200)
            #expect(metrics.contains("ovn_egressctl_drift_repairs_total 1"), "\(metrics)")
            #expect(metrics.contains("ovn_egressctl_lock_holder 1"))
            #expect(metrics.contains("ovn_egressctl_connected 1"))
            let (healthStatus, health) = try await httpGet(port: port, path: "/healthz")
            #expect(healthStatus == 200 && health == "ok\n")

            let foreignAfter = try await foreignRows(server)
            #expect(foreignAfter == foreignBefore, "rows the tool does not own changed: \(foreignAfter) vs \(foreignBefore)")

            run.signal(SIGTERM)
            #expect(await run.exitStatus(within: 10) == 0, "\(run.log)")
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test("-f - follows a kubectl --watch --output-watch-events stream: ADDED, MODIFIED and DELETED; at its end run exits 0")
    func followsWatchStream() async throws {
        try await withRouterServer { server in
            let dir = try manifestFolder()
            let run = try RunningCtl(["run", "-f", "-"], db: server.remote, logPath: dir + ".log")
            let objects = try watchObjects(dir)
            for o in objects { run.write(#"{"type": "ADDED", "object": \#(o.json)}"# + "\n") }
            #expect(try await eventuallyAsync(seconds: 10) { try await policies(server).contains("101 ip4.src == 10.124.0.3 reroute 10.124.2.2") }, "\(run.log)")

            let slice = try #require(objects.first { $0.kind == "EndpointSlice" })
            run.write(#"{"type": "MODIFIED", "object": \#(slice.json.replacingOccurrences(of: "10.124.0.3", with: "10.124.0.44"))}"# + "\n")
            #expect(try await eventuallyAsync(seconds: 3) {
                let p = try await policies(server)
                return p.contains("101 ip4.src == 10.124.0.44 reroute 10.124.2.2") && !p.contains { $0.contains("10.124.0.3 ") }
            }, "\(run.log)")

            let egress = try #require(objects.first { $0.kind == "EgressService" })
            run.write(#"{"type": "DELETED", "object": \#(egress.json)}"#)
            run.closeStdin()
            #expect(await run.exitStatus(within: 10) == 0, "\(run.log)")
            #expect(try await policies(server).filter { $0.hasPrefix("101 ") }.isEmpty, "\(run.log)")
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test("with the database down at start it logs, keeps trying, catches up once the server is back; SIGTERM while waiting exits 0")
    func databaseDownAtStart() async throws {
        try await withRouterServer { server in
            server.kill()
            let dir = try manifestFolder()
            let run = try RunningCtl(["run", "-f", dir], db: server.remote, logPath: dir + ".down.log")
            #expect(try await eventuallyAsync(seconds: 10) { run.log.contains("no usable database yet") }, "\(run.log)")
            try await server.restart()
            #expect(try await eventuallyAsync(seconds: 15) { try await ownedPolicyUUIDs(server).count == 1 }, "\(run.log)")
            run.signal(SIGTERM)
            #expect(await run.exitStatus(within: 10) == 0, "\(run.log)")

            server.kill()
            let waiting = try RunningCtl(["run", "-f", dir], db: server.remote, logPath: dir + ".down2.log")
            try await Task.sleep(for: .milliseconds(500))
            waiting.signal(SIGTERM)
            #expect(await waiting.exitStatus(within: 10) == 0, "\(waiting.log)")
            try await server.restart()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test("-f - with a finite stream (kubectl get -o json, no --watch): everything is written before run exits 0")
    func finiteStream() async throws {
        try await withRouterServer { server in
            let dir = try manifestFolder()
            let run = try RunningCtl(["run", "-f", "-"], db: server.remote, logPath: dir + ".finite.log")
            for o in try watchObjects(dir) { run.write(o.json + "\n") }
            run.closeStdin()
            #expect(await run.exitStatus(within: 15) == 0, "\(run.log)")
            #expect(try await policies(server).contains("101 ip4.src == 10.124.0.3 reroute 10.124.2.2"), "\(run.log)")
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test("two instances share the lock: only the holder writes; killing it hands over within a few seconds")
    func highAvailability() async throws {
        try await withRouterServer { server in
            let dir = try manifestFolder()
            let first = try RunningCtl(["run", "-f", dir, "--metrics", "127.0.0.1:0"], db: server.remote, logPath: dir + ".first.log")
            #expect(try await eventuallyAsync(seconds: 10) { first.log.contains("took the lock ovn_egressctl") }, "\(first.log)")
            let second = try RunningCtl(["run", "-f", dir, "--metrics", "127.0.0.1:0"], db: server.remote, logPath: dir + ".second.log")
            #expect(try await eventuallyAsync(seconds: 10) { try await ownedPolicyUUIDs(server).count == 1 })
            let secondPort = try await second.metricsPort()

            // A deletion is repaired once, by the holder; the other writes nothing.
            let uuid = try #require(try await ownedPolicyUUIDs(server).first)
            try await server.nbctl(["lr-policy-del", "ovn_cluster_router", uuid])
            #expect(try await eventuallyAsync(seconds: 2) { try await ownedPolicyUUIDs(server).count == 1 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await ownedPolicyUUIDs(server).count == 1)
            let (_, standby) = try await httpGet(port: secondPort, path: "/metrics")
            #expect(standby.contains("ovn_egressctl_lock_holder 0"), "\(standby)")
            #expect(!standby.contains("ovn_egressctl_write_operations_total") || standby.contains("ovn_egressctl_write_operations_total 0"), "\(standby)")

            first.signal(SIGKILL)
            let killed = ContinuousClock.now
            #expect(try await eventuallyAsync(seconds: 5) { second.log.contains("took the lock ovn_egressctl") }, "\(second.log)")
            print("lock handed over \(ContinuousClock.now - killed) after the holder was killed")
            let again = try #require(try await ownedPolicyUUIDs(server).first)
            try await server.nbctl(["lr-policy-del", "ovn_cluster_router", again])
            #expect(try await eventuallyAsync(seconds: 2) { try await ownedPolicyUUIDs(server).count == 1 }, "\(second.log)")
            second.signal(SIGTERM)
            #expect(await second.exitStatus(within: 10) == 0)
            try? FileManager.default.removeItem(atPath: dir)
        }
    }
}

/// The worked example's objects as kubectl prints them with -o json, one per object.
private func watchObjects(_ dir: String) throws -> [(kind: String, json: String)] {
    func node(_ name: String, _ role: String, _ subnet: String) -> String {
        #"{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "\#(name)", "labels": {"kubernetes.io/hostname": "\#(name)", "node-role.kubernetes.io/\#(role)": ""}, "annotations": {"k8s.ovn.org/node-subnets": "{\"default\":\"\#(subnet)\"}"}}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}"#
    }
    return [
        ("Node", node("master001", "control-plane", "10.124.1.0/24")),
        ("Node", node("work001", "worker", "10.124.0.0/24")),
        ("Node", node("work002", "worker", "10.124.2.0/24")),
        ("Service", #"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "example-service", "namespace": "default"}, "spec": {"type": "LoadBalancer", "clusterIPs": ["10.96.12.7"], "externalTrafficPolicy": "Cluster"}, "status": {"loadBalancer": {"ingress": [{"ip": "172.18.255.200"}]}}}"#),
        ("EndpointSlice", #"{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "example-service-x7k2p", "namespace": "default", "labels": {"kubernetes.io/service-name": "example-service"}}, "addressType": "IPv4", "endpoints": [{"addresses": ["10.124.0.3"], "nodeName": "work001"}]}"#),
        ("EgressService", #"{"apiVersion": "k8s.ovn.org/v1", "kind": "EgressService", "metadata": {"name": "example-service", "namespace": "default"}, "spec": {"sourceIPBy": "LoadBalancerIP", "nodeSelector": {"matchLabels": {"node-role.kubernetes.io/worker": "", "kubernetes.io/hostname": "work002"}}}}"#),
    ]
}

/// `eventually` for conditions that ask another process.
func eventuallyAsync(seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return try await condition()
}

@Suite("ovn-egressctl metallb")
struct MetalLBCLITests {
    @Test("the worked example gives a BGPAdvertisement for example-pool selecting the egress host's label")
    func workedExample() async throws {
        let out = try await ctl(["metallb", "-f", examples + "/worked-example"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("kind: BGPAdvertisement"))
        #expect(out.stdout.contains("apiVersion: metallb.io/v1beta1"))
        #expect(out.stdout.contains("  - \"example-pool\""))
        #expect(out.stdout.contains("      \"egress-service.k8s.ovn.org/default-example-service\": \"\""))
    }

    @Test("without a pool annotation: a note naming the service, exit 2, nothing on stdout")
    func noPool() async throws {
        let out = try await ctl(["metallb", "-f", examples + "/many-services"])
        #expect(out.status == 2)
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.contains("metallb.universe.tf/address-pool"))
    }
}
