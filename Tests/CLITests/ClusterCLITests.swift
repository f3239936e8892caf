import Foundation
import Testing
import OVSDBClient
import OVSDBTestSupport

@Suite("ovn-egressctl against a Raft cluster")
struct ClusterCLITests {
    @Test("leader-only by default: works through followers' addresses; with quorum lost every command exits 2 within --timeout naming the cluster state, and prints no stale read")
    func quorumLost() async throws {
        try await withCluster { cluster in
            let leader = try await cluster.waitForLeader()
            let followers = (0..<cluster.size).filter { $0 != leader }
            try await nbctl(cluster.remotes, ["lr-add", "ovn_cluster_router"])
            let worked = examples + "/worked-example"
            // Followers listed first: the leader is found all the same.
            let ordered = (followers + [leader]).map(cluster.remote).joined(separator: ",")
            let applied = try await ctl(["--db=\(ordered)", "--timeout=20", "apply", "-f", worked])
            #expect(applied.status == 0, "\(applied.stderr)")
            // --no-leader-only reads from a follower.
            let fromFollower = try await ctl(["--db=\(cluster.remote(followers[0]))", "--no-leader-only", "--timeout=20", "list"])
            #expect(fromFollower.status == 0 && fromFollower.stdout.contains("example-service"), "\(fromFollower.stderr)")
            let refused = try await ctl(["--db=\(cluster.remote(followers[0]))", "--timeout=5", "list"])
            #expect(refused.status == 2 && refused.stderr.contains("follower"), "\(refused.stderr)")

            cluster.kill(leader)
            cluster.kill(followers[0])
            // The survivor is a follower. Until its own elections have failed (a couple of
            // election timeouts) it still reports itself connected, as a follower; only then
            // does _Server say it is disconnected from the cluster. The check starts once it does.
            let survivor = cluster.remote(followers[1])
            var survivorDisconnected = false
            for _ in 0..<300 {
                let c = try? await OVSDBConnection.connect(to: survivor)
                let status = try? await c?.databaseStatus("OVN_Northbound")
                await c?.close()
                if let status, !status.connected { survivorDisconnected = true; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(survivorDisconnected, "the surviving member never reported losing the cluster")
            let commands: [[String]] = [["list"], ["list", "--policies"], ["diff", "-f", worked], ["apply", "-f", worked],
                                        ["explain", "10.128.0.5"], ["delete", "default/example-service"]]
            for command in commands {
                let started = Date()
                let r = try await ctl(["--db=\(cluster.remotes)", "--timeout=4"] + command)
                let took = Date().timeIntervalSince(started)
                print("quorum lost: \(command) exited \(r.status) after \(String(format: "%.2f", took)) s (--timeout=4)")
                #expect(r.status == 2, "\(command): \(r.status) \(r.stderr)")
                #expect(r.stdout.isEmpty, "\(command) printed \(r.stdout)")
                #expect(r.stderr.contains("no cluster leader") && r.stderr.contains("disconnected from the cluster") && r.stderr.contains("unreachable"),
                        "\(command): \(r.stderr)")
                // Alone this takes 3.3 s (the retries stop 0.5 s before --timeout). The bound has
                // room for a loaded 2-core CI machine, where starting the debug binary alone
                // has taken several seconds while the rest of the suite runs.
                #expect(took < 12, "\(command) took \(took) s with --timeout=4")
            }
            // ovn-nbctl, the reference, refuses too.
            let nb = try await OVSDBServerFixture.executeOffPool("/usr/bin/ovn-nbctl", ["--db=\(cluster.remotes)", "--timeout=3", "lr-policy-list", "ovn_cluster_router"])
            #expect(nb.status != 0)
        }
    }
}

@discardableResult
func nbctl(_ remotes: String, _ args: [String]) async throws -> String {
    try await OVSDBServerFixture.runOffPool("/usr/bin/ovn-nbctl", ["--db=\(remotes)", "--timeout=20"] + args)
}
