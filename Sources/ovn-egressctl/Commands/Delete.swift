import ArgumentParser
import EgressPolicy
import OVSDBClient

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove one egress service's rows (NAMESPACE/NAME).",
        discussion: """
        Deletes the service's priority-101 policies and takes its endpoint IPs out of the served-pods address sets (unless another service still reroutes the same IP), in one transaction guarded as apply's is (planned again if another writer got in between).

        With several --db, the service is removed from every zone (its `:ic` rows too), one transaction per zone.

        Example:
          ovn-egressctl delete default/example-service
        """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var engine: EngineOptions
    @Argument(help: "The EgressService, as namespace/name.") var service: String

    func run() async throws {
        let parts = service.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw ValidationError("SERVICE must be namespace/name, not \(SafeText.quoted(service))") }
        if let why = KubernetesNames.dns1123Label(parts[0]) { throw ValidationError("namespace \(SafeText.quoted(parts[0])) \(why)") }
        if let why = KubernetesNames.dns1035Label(parts[1]) { throw ValidationError("name \(SafeText.quoted(parts[1])) \(why)") }
        try connection.checkZoneOption()
        let settings = try engine.settings()
        let connection = self.connection
        let service = self.service
        try await connection.withZones(loading: nil) { zones in
            let (zoned, positions) = connection.engines(zones, settings: settings)
            let outcomes = ZoneOutcome.merge(zones, await zoned.delete(service: service), positions: positions)
            if zones.count == 1 {
                let report = try outcomes[0].result.get()
                print(report.plan.text, terminator: "")
                print("\(report.writesSent) write operation(s)")
                return
            }
            printZones(outcomes, json: false, warnings: [], fields: { _ in [:] }, text: { $0.plan.text })
            for o in outcomes {
                if case .success(let report) = o.result { print("\(o.title): \(report.writesSent) write operation(s)") }
            }
            try finish(outcomes)
        }
    }
}
