import Foundation
import OVSDBClient
import OVSDBTestSupport
import Testing


@Suite("ovn-egressctl run across interconnect zones", .serialized)
struct ZonesRunCLITests {
    @Test("run with three --db: every zone converges; with zone-b stopped an edit reaches zone-a and node-c, /healthz names zone-b; restarted, zone-b is caught up; metrics carry the zone")
    func runAcrossZones() async throws {
        try await withZoneRouterServers(["zone-a", "zone-b", "node-c"]) { servers in
            let dir = try exampleCopy("interconnect", files: ["nodes.yaml", "services.yaml"])
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let dbs = servers.flatMap { ["--db", $0.remote] }
            let run = try RunningCtl(["run", "--db", servers[1].remote, "--db", servers[2].remote, "-f", dir, "--metrics", "127.0.0.1:0"],
                                     db: servers[0].remote, logPath: dir + ".log")
            defer { run.signal(SIGKILL) }
            let converged = { (dbs: [String]) in try await ctl(dbs + ["diff", "-f", dir]).status == 0 }
            #expect(try await eventuallyAsync(seconds: 15) { try await converged(dbs) }, "\(run.log)")
            // The rows are the ones apply writes: a one-shot apply of the same input sends nothing.
            let again = try await ctl(dbs + ["apply", "-f", dir])
            #expect(again.stdout.split(separator: "\n").suffix(3).allSatisfy { $0.contains(": 0 write operation(s)") }, "\(again.stdout)")
            let port = try await run.metricsPort()
            #expect(try await httpGet(port: port, path: "/healthz").0 == 200)

            servers[1].kill()
            // shop/web's zone-b pod changes IP: zone-b's own reroute, and zone-a's :ic row for it.
            try atomicRewrite(dir + "/services.yaml") { $0.replacingOccurrences(of: "[10.128.3.5]", with: "[10.128.3.9]") }
            let others = ["--db", servers[0].remote, "--db", servers[2].remote]
            #expect(try await eventuallyAsync(seconds: 15) { try await converged(others) }, "\(run.log)")
            #expect(try await servers[0].nbctl(["find", "Logical_Router_Policy", "external_ids:EgressSVC=\"shop/web:ic\""]).contains("10.128.3.9"))
            let (status, body) = try await httpGet(port: port, path: "/healthz")
            #expect(status != 200)
            #expect(body.contains(servers[1].remote) && !body.contains(servers[0].remote), "\(body)")

            try await servers[1].restart()
            #expect(try await eventuallyAsync(seconds: 20) { try await converged(dbs) }, "\(run.log)")
            let zoneB = try await servers[1].nbctl(["lr-policy-list", "ovn_cluster_router"])
            #expect(zoneB.contains("ip4.src == 10.128.3.9") && !zoneB.contains("ip4.src == 10.128.3.5"), "\(zoneB)")
            #expect(try await eventuallyAsync(seconds: 10) { try await httpGet(port: port, path: "/healthz").0 == 200 })
            let metrics = try await httpGet(port: port, path: "/metrics").1
            for s in servers { #expect(metrics.contains("ovn_egressctl_reconciles_total{zone=\"\(s.remote)\"}"), "\(metrics)") }

            run.signal(SIGTERM)
            #expect(await run.exitStatus(within: 10) == 0, "\(run.log)")
        }
    }
}
