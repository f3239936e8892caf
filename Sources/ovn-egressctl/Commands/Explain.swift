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
        """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var engine: EngineOptions
    @Argument(help: "The pod IP.") var ip: String
    @Option(name: .shortAndLong, help: "Manifests, to name the node and the SNAT (optional).")
    var file: [String] = []

    func run() async throws {
        guard let address = IPAddress(ip) else { throw ValidationError("\(SafeText.quoted(ip)) is not an IP address") }
        let settings = try engine.settings()
        let input = file.isEmpty ? nil : try loadManifests(file, verbose: connection.verbose)
        let connection = self.connection
        try await connection.withConnection { c in
            let e = try await Explanation.explain(address, connection: c, settings: settings, input: input)
            var lines = ["pod IP \(address)"]
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
            print(lines.joined(separator: "\n"))
        }
    }
}
