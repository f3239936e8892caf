import ArgumentParser
import EgressPolicy
import OVSDBClient

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconcile the Northbound database to the manifests, in one transaction.",
        discussion: """
        Reads EgressService, Service, EndpointSlice and Node objects (YAML or JSON; files, folders, or - for stdin), selects each service's host, and writes only what differs. Rows without an EgressSVC external id are never touched. Applying twice writes nothing.

        Only the EgressServices in the input are changed: owned rows of other services are kept as they are (diff lists them as kept) unless --prune is given, which removes them, as kubectl apply --prune does. An input with no objects is an error (exit 2), with or without --prune. A pod IP that is an endpoint of several egress services is rerouted by one of them only (a kept service that already reroutes it, else the first namespace/name in byte order), with a warning; --strict refuses it.

        Interconnect: with --db repeated, each occurrence is one zone (its NB_Global.name); the host of each service is chosen once for the whole cluster, and each zone gets its own rows (reroutes of its local endpoints, `:ic` rows in the host's zone, its local served pods), written concurrently in one transaction per zone. A zone that fails is named and the others are still written; exit 0 only when every zone converged.

        Examples:
          ovn-egressctl apply -f examples/worked-example
          ovn-egressctl --db unix:/run/zone-a/nb.sock --db unix:/run/zone-b/nb.sock \\
              apply -f examples/interconnect
          kubectl get egressservices,services,endpointslices,nodes -A -o yaml \\
              | ovn-egressctl apply -f -
          ovn-egressctl --db=ssl:127.0.0.1:6641 -p key.pem -c cert.pem -C ca.pem \\
              apply -f manifests/ --dry-run
          ovn-egressctl apply -f all-egress-services/ --prune
        """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var engine: EngineOptions
    @Option(name: .shortAndLong, help: "Manifest file or folder (repeatable; - for stdin).")
    var file: [String] = []
    @Flag(name: .long, help: "Print the plan; write nothing.")
    var dryRun = false
    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false
    @Flag(name: .long, help: "Also remove owned rows of egress services that are not in the input.")
    var prune = false

    func run() async throws {
        guard !file.isEmpty else { throw ValidationError("apply needs -f PATH") }
        try connection.checkZoneOption()
        let settings = try engine.settings()
        let progress = Progress()
        defer { progress.finish() }
        progress.stage("reading manifests and the database, planning")
        let input = startLoadingManifests(file, verbose: connection.verbose)
        let connection = self.connection
        let (dryRun, json, prune) = (self.dryRun, self.json, self.prune)
        try await connection.withZones(loading: input) { zones in
            let (zoned, positions) = connection.engines(zones, settings: settings)
            let planned = try await zoned.plan(loading: input, prune: prune)
            // Refused (--strict) before any zone is written.
            try checkWarnings(planned.allWarnings, strict: settings.strict)
            if zones.count == 1 {
                let plan = try planned.zones[0].result.get()
                if dryRun {
                    print(json ? CanonicalJSON.string(plan.json) : plan.text, terminator: json ? "\n" : "")
                    return
                }
                progress.stage("applying")
                // The plan's text is rendered while the server works on the transaction; it is
                // the text printed unless a concurrent writer made the apply plan again.
                let rendered = json ? nil : Task.detached { plan.text }
                let report = try await zoned.apply(planned, prune: prune)[0].result.get()
                progress.finish()
                if json {
                    print(CanonicalJSON.string(Self.json(report)))
                } else {
                    let text = report.attempts == 1 ? await rendered!.value : report.plan.text
                    print(text, terminator: "")
                    print(Self.summary(report))
                }
                return
            }
            if dryRun {
                let outcomes = ZoneOutcome.merge(zones, planned.zones, positions: positions)
                printZones(outcomes, json: json, warnings: planned.allWarnings, fields: { $0.json.objectValue ?? [:] }, text: \.text)
                try finish(outcomes)
                return
            }
            progress.stage("applying \(zones.count) zones")
            let outcomes = ZoneOutcome.merge(zones, await zoned.apply(planned, prune: prune), positions: positions)
            progress.finish()
            printZones(outcomes, json: json, warnings: planned.allWarnings, fields: { Self.json($0).objectValue ?? [:] }, text: { $0.plan.text })
            if !json {
                for o in outcomes {
                    switch o.result {
                    case .success(let report): print("\(o.title): \(Self.summary(report))")
                    case .failure(let error): print("\(o.title): failed: \(error)")
                    }
                }
            }
            try finish(outcomes)
        }
    }

    static func summary(_ report: EgressEngine.Report) -> String {
        "\(report.writesSent) write operation(s) in \(report.writesSent == 0 ? 0 : 1) transaction(s)"
    }

    static func json(_ report: EgressEngine.Report) -> JSON {
        var out = report.plan.json
        if case .object(var o) = out {
            o["attempts"] = .integer(Int64(report.attempts))
            out = .object(o)
        }
        return out
    }
}
