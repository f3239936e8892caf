import ArgumentParser
import EgressPolicy
import OVSDBClient

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the egress services in the live database, with drift.",
        discussion: """
        Columns: SERVICE, HOST (node names when -f gives the nodes, else nexthop IPs), NEXTHOP, ENDPOINTS (count), DRIFT (owned duplicates, endpoints missing from the address set, nexthops that are no node's management IP).

        With --policies: one row per owned policy instead, with SERVICE, POD_IP, NEXTHOP, NODE (when -f gives the nodes) and UUID, sorted by service then pod IP.

        Examples:
          ovn-egressctl list
          ovn-egressctl list -f nodes.yaml --format json
          ovn-egressctl list --policies --format csv
        """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .shortAndLong, help: "Manifests giving node names for nexthops (optional).")
    var file: [String] = []
    @Flag(name: .long, help: "One row per owned policy instead of one per service.")
    var policies = false

    func run() async throws {
        let settings = try engine.settings()
        let input = file.isEmpty ? nil : try loadManifests(file, verbose: connection.verbose)
        let connection = self.connection
        let (output, perPolicy) = (self.output, self.policies)
        try await connection.withConnection { c in
            let inventory = try await Inventory.read(c, settings: settings, input: input, services: !perPolicy)
            if perPolicy {
                let rows = inventory.policies.sorted { ($0.service, $0.podIP) < ($1.service, $1.podIP) }
                print(Listing(headings: ["SERVICE", "POD_IP", "NEXTHOP", "NODE", "UUID"], rows: rows.map {
                    [$0.service, $0.podIP, $0.nexthops.joined(separator: " "), $0.nodes.joined(separator: " "), $0.uuid]
                }).render(output), terminator: "")
                return
            }
            let listing = Listing(
                headings: ["SERVICE", "HOST", "NEXTHOP", "ENDPOINTS", "DRIFT"],
                rows: inventory.entries.map {
                    [$0.service, $0.hosts.joined(separator: " "), $0.nexthops.joined(separator: " "), String($0.endpoints.count),
                     $0.drift.isEmpty ? "-" : $0.drift.joined(separator: "; ")]
                })
            print(listing.render(output), terminator: "")
        }
    }
}
