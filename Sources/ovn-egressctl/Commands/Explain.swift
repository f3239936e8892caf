import ArgumentParser
import EgressPolicy
import OVSDBClient

struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain where a pod IP's egress traffic goes: policy, node, address sets, SNAT.",
        discussion: """
        Examples:
          ovn-egressctl explain 10.124.0.3
          ovn-egressctl explain 10.124.0.3 -f examples/worked-example
          ovn-egressctl --db unix:/a/nb.sock --db unix:/b/nb.sock \\
              explain 10.128.3.5 -f examples/interconnect

        With several --db (interconnect zones), each zone's view is shown, and with -f the packet is followed across them: the reroute in the pod's zone, the host zone's :ic row, the management port, the SNAT.
        """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var engine: EngineOptions
    @Argument(help: "The pod IP.") var ip: String
    @Option(name: .shortAndLong, help: "Manifests, to name the node and the SNAT (optional).")
    var file: [String] = []

    func run() async throws {
        guard let address = IPAddress(ip) else { throw ValidationError("\(SafeText.quoted(ip)) is not an IP address") }
        try connection.checkZoneOption()
        let settings = try engine.settings()
        let input = file.isEmpty ? nil : try loadManifests(file, verbose: connection.verbose)
        try await connection.withZones(loading: nil) { zones in
            guard zones.count > 1 else {
                let e = try await Explanation.explain(address, connection: zones[0].connection.get(), settings: settings, input: input)
                print(Self.lines(e).joined(separator: "\n"))
                return
            }
            // Several zones: each database's view, then the packet followed across them.
            var outcomes: [ZoneOutcome<Void>] = []
            var explanations: [Explanation] = []
            for z in zones {
                var outcome = ZoneOutcome<Void>(remote: z.remote, zone: nil, result: .success(()))
                do {
                    let e = try await Explanation.explain(address, connection: z.connection.get(), settings: settings, input: input)
                    outcome.zone = e.zone
                    explanations.append(e)
                    print("== \(outcome.title)")
                    print(Self.lines(e).joined(separator: "\n"))
                } catch {
                    outcome.result = .failure(error)
                    printError("\(outcome.title): \(error)")
                }
                outcomes.append(outcome)
            }
            if let input {
                print("== the packet across zones")
                let path = PacketPath.trace(address, zones: explanations, input: input, settings: settings)
                print(path.steps.map { "  \($0)" }.joined(separator: "\n"))
            }
            try finish(outcomes)
        }
    }

    static func lines(_ e: Explanation) -> [String] {
        var lines = ["pod IP \(e.ip)"]
        if e.reroutes.isEmpty {
            lines.append("  no priority-101 reroute policy matches: traffic leaves through its own node")
        }
        for r in e.reroutes {
            lines.append("  policy 101 \"\(r.match)\" reroute \(r.nexthops.joined(separator: ",")) (owner \(r.owner))")
        }
        let owners = Set(e.reroutes.map(\.owner))
        if owners.count > 1 {
            lines.append("  conflict: \(owners.count) services reroute this IP (\(owners.sorted().joined(separator: ", "))); OVN picks one of their policies")
        }
        if let shared = e.shared {
            lines.append("  shared by the manifests' services \(([shared.winner] + shared.losers).joined(separator: ", ")): \(shared.winner) reroutes it")
        }
        if !e.hostNodes.isEmpty { lines.append("  rerouted to node \(e.hostNodes.joined(separator: ", "))") }
        for n in e.noReroute { lines.append("  policy 102 \"\(n)\" allow pkt_mark=1008 (pod-to-node stays local)") }
        lines.append("  in address sets: \(e.inAddressSets.isEmpty ? "none" : e.inAddressSets.joined(separator: ", "))")
        lines += e.snat.map { "  \($0)" }
        return lines
    }
}
