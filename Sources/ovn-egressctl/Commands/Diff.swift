import ArgumentParser
import EgressPolicy
import OVSDBClient

struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what apply would change. Exit 0: nothing differs; 1: it differs; 2: error.",
        discussion: """
        With several --db (one per interconnect zone), each zone's changes are shown under its name; exit 1 when any zone differs, 2 when any zone cannot be read.

        Without --prune, owned services that are not in the input are listed as kept; with it, their rows are shown as removed (reason "pruned"), as apply --prune would do.

        Examples:
          ovn-egressctl diff -f examples/worked-example
          ovn-egressctl diff -f all-egress-services/ --prune
          ovn-egressctl diff -f manifests/ --json | jq .writeOperations
        """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var engine: EngineOptions
    @Option(name: .shortAndLong, help: "Manifest file or folder (repeatable; - for stdin).")
    var file: [String] = []
    @Flag(name: .long, help: "Print the plan as JSON.")
    var json = false
    @Flag(name: .long, help: "Plan the removal of owned rows of egress services that are not in the input.")
    var prune = false

    func run() async throws {
        guard !file.isEmpty else { throw ValidationError("diff needs -f PATH") }
        try connection.checkZoneOption()
        let settings = try engine.settings()
        let input = startLoadingManifests(file, verbose: connection.verbose)
        let connection = self.connection
        let (json, prune) = (self.json, self.prune)
        let differs = try await connection.withZones(loading: input) { zones in
            let (zoned, positions) = connection.engines(zones, settings: settings)
            let planned = try await zoned.plan(loading: input, prune: prune)
            try checkWarnings(planned.allWarnings, strict: settings.strict)
            if zones.count == 1 {
                let plan = try planned.zones[0].result.get()
                print(json ? CanonicalJSON.string(plan.json) : plan.text, terminator: json ? "\n" : "")
                return !plan.isEmpty
            }
            let outcomes = ZoneOutcome.merge(zones, planned.zones, positions: positions)
            printZones(outcomes, json: json, warnings: planned.allWarnings, fields: { $0.json.objectValue ?? [:] }, text: \.text)
            try finish(outcomes)
            return outcomes.contains { (try? $0.result.get())?.isEmpty == false }
        }
        if differs { throw ExitCode(1) }
    }
}
