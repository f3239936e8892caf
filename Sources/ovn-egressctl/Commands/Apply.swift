import ArgumentParser
import EgressPolicy
import OVSDBClient

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconcile the Northbound database to the manifests, in one transaction.",
        discussion: """
        Reads EgressService, Service, EndpointSlice and Node objects (YAML or JSON; files, folders, or - for stdin), selects each service's host, and writes only what differs. Rows without an EgressSVC external id are never touched. Applying twice writes nothing.

        Only the EgressServices in the input are changed: owned rows of other services are kept as they are (diff lists them as kept) unless --prune is given, which removes them, as kubectl apply --prune does. An input with no objects is an error (exit 2), with or without --prune. A pod IP that is an endpoint of several egress services is rerouted by one of them only (a kept service that already reroutes it, else the first namespace/name in byte order), with a warning; --strict refuses it.

        Examples:
          ovn-egressctl apply -f examples/worked-example
          kubectl get egressservices,services,endpointslices,nodes -A -o yaml | ovn-egressctl apply -f -
          ovn-egressctl --db=ssl:127.0.0.1:6641 -p key.pem -c cert.pem -C ca.pem apply -f manifests/ --dry-run
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
        let settings = try engine.settings()
        let progress = Progress()
        defer { progress.finish() }
        progress.stage("reading manifests and the database, planning")
        let input = startLoadingManifests(file, verbose: connection.verbose)
        let connection = self.connection
        let (dryRun, json, prune) = (self.dryRun, self.json, self.prune)
        try await connection.withConnection(loading: input) { c in
            let engine = EgressEngine(connection: c, settings: settings)
            if dryRun {
                let plan = try await engine.plan(loading: input, prune: prune)
                try checkWarnings(plan.warnings, strict: settings.strict)
                print(json ? CanonicalJSON.string(plan.json) : plan.text, terminator: json ? "\n" : "")
                return
            }
            var checked = false
            let report = try await engine.apply(loading: input, prune: prune) { plan in
                // A retry after a concurrent write plans again; its warnings are the same.
                if !checked { try checkWarnings(plan.warnings, strict: settings.strict) }
                checked = true
                progress.stage("applying")
            }
            progress.finish()
            if json {
                var out = report.plan.json
                if case .object(var o) = out {
                    o["attempts"] = .integer(Int64(report.attempts))
                    out = .object(o)
                }
                print(CanonicalJSON.string(out))
            } else {
                print(report.plan.text, terminator: "")
                print("\(report.writesSent) write operation(s) in \(report.writesSent == 0 ? 0 : 1) transaction(s)")
            }
        }
    }
}
