import ArgumentParser
import EgressPolicy
import OVSDBClient

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the egress services in the live database, with drift.",
        discussion: """
        Columns: SERVICE, HOST (node names when -f gives the nodes, else nexthop IPs), NEXTHOP, ENDPOINTS (count), DRIFT (owned duplicates, endpoints missing from the address set, nexthops that are no node's management IP).

        With --policies: one row per owned policy instead, with SERVICE, POD_IP, NEXTHOP, NODE (when -f gives the nodes) and UUID, sorted by service then pod IP.

        With several --db (one per interconnect zone), a ZONE column comes first (the zone's NB_Global.name) and --zone NAME shows only that zone; `:ic` rows are listed under their own owner (`namespace/name:ic`).

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
        try connection.checkZoneOption(filtering: true)
        let settings = try engine.settings()
        let input = file.isEmpty ? nil : try loadManifests(file, verbose: connection.verbose)
        let connection = self.connection
        let (output, perPolicy) = (self.output, self.policies)
        try await connection.withZones(loading: nil) { zones in
            // One database: its rows as they are. Several: a ZONE column first, zone by zone.
            let zoned = zones.count > 1
            var rows: [[String]] = []
            var outcomes: [ZoneOutcome<Void>] = []
            for z in zones {
                var outcome = ZoneOutcome<Void>(remote: z.remote, zone: nil, result: .success(()))
                do {
                    let c = try z.connection.get()
                    let inventory = try await Inventory.read(c, settings: settings, input: input, services: !perPolicy)
                    let name = inventory.zone.map { SafeText.escaped($0) } ?? "?"
                    outcome.zone = inventory.zone
                    if zoned, let only = connection.zone, inventory.zone != only { continue }
                    let lead = zoned ? [name] : []
                    rows += Self.rows(inventory, perPolicy: perPolicy).map { lead + $0 }
                } catch {
                    outcome.result = .failure(error)
                    guard zoned else { throw error }
                    printError("\(outcome.title): \(error)")
                }
                outcomes.append(outcome)
            }
            let headings = perPolicy ? ["SERVICE", "POD_IP", "NEXTHOP", "NODE", "UUID"] : ["SERVICE", "HOST", "NEXTHOP", "ENDPOINTS", "DRIFT"]
            print(Listing(headings: (zoned ? ["ZONE"] : []) + headings, rows: rows).render(output), terminator: "")
            try finish(outcomes)
        }
    }

    static func rows(_ inventory: Inventory, perPolicy: Bool) -> [[String]] {
        if perPolicy {
            return inventory.policies.sorted { ($0.service, $0.podIP) < ($1.service, $1.podIP) }.map {
                [$0.service, $0.podIP, $0.nexthops.joined(separator: " "), $0.nodes.joined(separator: " "), $0.uuid]
            }
        }
        return inventory.entries.map {
            [$0.service, $0.hosts.joined(separator: " "), $0.nexthops.joined(separator: " "), String($0.endpoints.count),
             $0.drift.isEmpty ? "-" : $0.drift.joined(separator: "; ")]
        }
    }
}
