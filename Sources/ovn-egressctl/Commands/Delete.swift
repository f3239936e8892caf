import ArgumentParser
import EgressPolicy
import OVSDBClient

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove one egress service's rows (NAMESPACE/NAME).",
        discussion: """
        Deletes the service's priority-101 policies and takes its endpoint IPs out of the served-pods address sets (unless another service still reroutes the same IP), in one transaction guarded as apply's is (planned again if another writer got in between).

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
        let settings = try engine.settings()
        let connection = self.connection
        let service = self.service
        try await connection.withConnection { c in
            let report = try await EgressEngine(connection: c, settings: settings).delete(service: service)
            print(report.plan.text, terminator: "")
            print("\(report.writesSent) write operation(s)")
        }
    }
}
