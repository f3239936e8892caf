import ArgumentParser
import EgressPolicy
import OVSDBClient

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the egress services in the live database, with drift.",
        discussion: """
        Columns: SERVICE, HOST (node names when -f gives the nodes, else nexthop IPs), NEXTHOP,
        ENDPOINTS (count), DRIFT (owned duplicates, endpoints missing from the address set,
        nexthops that are no node's management IP).

        Examples:
          ovn-egressctl list
          ovn-egressctl list -f nodes.yaml --format json
        """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .shortAndLong, help: "Manifests giving node names for nexthops (optional).")
    var file: [String] = []

    func run() async throws {
        let settings = try engine.settings()
        let input = file.isEmpty ? nil : try loadManifests(file, verbose: connection.verbose)
        let connection = self.connection
        let output = self.output
        try await withDeadline(connection.timeout) {
            let c = try await connection.connect()
            defer { Task { await c.close() } }
            let inventory = try await Inventory.read(c, settings: settings, input: input)
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
