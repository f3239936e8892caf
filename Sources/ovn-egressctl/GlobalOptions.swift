import ArgumentParser
import EgressPolicy
import Logging
import OVSDBClient
#if canImport(Glibc)
import Glibc
#endif

/// Connection flags, as ovn-nbctl spells them.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A Northbound database: unix:PATH, tcp:IP:PORT, ssl:IP:PORT; a comma list is the members of one clustered database (default: $OVN_NB_DB, else unix:/var/run/ovn/ovnnb_db.sock).",
        discussion: "Repeat --db for an interconnect cluster: each occurrence is one zone, named by its NB_Global.name (empty: global)."))
    var db: [String] = []

    @Option(name: .long, help: "The zone's name, instead of its NB_Global.name (with one --db; with several, list shows only this zone).")
    var zone: String?

    @Option(name: [.customShort("p"), .customLong("private-key")], help: "Private key file for ssl: remotes.")
    var privateKey: String?

    @Option(name: [.customShort("c"), .customLong("certificate")], help: "Certificate file for ssl: remotes.")
    var certificate: String?

    @Option(name: [.customShort("C"), .customLong("ca-cert")], help: "CA certificate file for ssl: remotes.")
    var caCert: String?

    @Option(name: .long, help: "Give up after this many seconds (0: never).")
    var timeout: Int = 0

    @Flag(name: .shortAndLong, help: "Log progress on stderr.")
    var verbose = false

    @Flag(name: .customLong("leader-only"), inversion: .prefixedNo,
          help: "With a clustered database, use only its leader (followers and members cut off from the cluster are skipped; as ovn-nbctl).")
    var leaderOnly = true

    /// One remote per zone: each `--db`, else `$OVN_NB_DB`, else the default socket.
    var remotes: [String] {
        if !db.isEmpty { return db }
        if let env = getenv("OVN_NB_DB") { return [String(cString: env)] }
        return ["unix:/var/run/ovn/ovnnb_db.sock"]
    }

    /// The first zone's remote (commands that read one database).
    var remote: String { remotes[0] }

    /// Where each zone's name comes from.
    var zoneSource: EgressEngine.ZoneSource {
        if let zone, remotes.count == 1 { return .named(zone) }
        return .database
    }

    /// Connects to a usable server among the remotes. While none is (an election, a lost
    /// quorum) it keeps trying until shortly before `--timeout`, or for 10 s without one,
    /// and then fails naming what each remote was.
    /// `budget`: give up sooner (one zone among several must leave time for the others).
    func connect(_ remote: String? = nil, budget: Duration? = nil) async throws -> OVSDBConnection {
        let remote = remote ?? self.remote
        var configuration = connectionConfiguration(logger: logger)
        if let budget {
            configuration.connectTimeout = min(configuration.connectTimeout, .nanoseconds(Int64(budget.components.seconds) * 1_000_000_000
                                                                                         + budget.components.attoseconds / 1_000_000_000))
        }
        let connector = ClusterConnector(remotes: try RemoteAddress.list(remote), database: "OVN_Northbound",
                                         leaderOnly: leaderOnly, configuration: configuration)
        let whole: Duration = timeout > 0 ? .milliseconds(timeout * 1000 - 500) : .seconds(10)
        return try await connector.connect(until: .now + min(whole, budget ?? whole)).0
    }

    /// TLS files, the connect timeout and the logger, for one connection.
    func connectionConfiguration(logger: Logger) -> OVSDBConnection.Configuration {
        var configuration = OVSDBConnection.Configuration(logger: logger)
        if let privateKey, let certificate, let caCert {
            configuration.tls = TLSFiles(privateKey: privateKey, certificate: certificate, caCertificate: caCert)
        }
        if timeout > 0 { configuration.connectTimeout = .seconds(Int64(max(1, timeout / 2))) }
        return configuration
    }

    var logger: Logger {
        var l = Logger(label: "ovn-egressctl") { StreamLogHandler.standardError(label: $0) }
        l.logLevel = verbose ? .info : .error
        return l
    }
}

/// Cluster settings shared by the commands that compute desired state.
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: "Address-set naming profile of the OVN-Kubernetes release: 2023, 2024 or 2025.")
    var profile: String = "2023"

    @Option(name: .customLong("cluster-subnet"), help: "A pod network CIDR (repeatable; default: the nodes' subnets).")
    var clusterSubnets: [String] = []

    @Flag(name: .customLong("no-reroute-policy"), inversion: .prefixedEnableDisable, help: "Create the priority-102 no-reroute policy when missing.")
    var noReroutePolicy = true

    @Option(name: .long, help: "The cluster router.")
    var router: String = "ovn_cluster_router"

    @Flag(name: .long, help: "Treat tolerated states (a missing Service, no ingress) as errors.")
    var strict = false

    func settings() throws -> EngineSettings {
        var s = EngineSettings()
        guard let p = EngineSettings.Profile(rawValue: profile) else {
            throw ValidationError("--profile must be 2023, 2024 or 2025, not \(profile)")
        }
        s.profile = p
        if !clusterSubnets.isEmpty {
            s.clusterSubnets = try clusterSubnets.map { text in
                guard let c = CIDR(text) else { throw ValidationError("--cluster-subnet \(text) is not a CIDR") }
                return c
            }
        }
        s.ensureNoReroutePolicy = noReroutePolicy
        s.router = router
        s.strict = strict
        return s
    }
}

/// Output format of listings.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @Option(name: .long, help: "table, json or csv.")
    var format: Format = .table

    @Flag(name: .customLong("no-headings"), help: "Leave out the heading row (table, csv).")
    var noHeadings = false
}

/// Errors that end the program with a message on stderr and exit status 2.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func printError(_ message: String) {
    let text = Array("ovn-egressctl: \(message)\n".utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// Runs `body` with the `--timeout` deadline.
func withDeadline<T: Sendable>(_ seconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    guard seconds > 0 else { return try await body() }
    return try await runBefore(.now + .seconds(seconds), orThrow: { CommandFailure("timed out after \(seconds) s") }, body)
}

extension ConnectionOptions {
    /// Connects, runs `body` under the `--timeout` deadline, and closes the connection before
    /// returning, also when `body` throws: nothing is left in flight when the process exits.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (OVSDBConnection) async throws -> T) async throws -> T {
        let options = self
        return try await withDeadline(timeout) {
            let c = try await options.connect()
            do {
                let value = try await body(c)
                await c.close()
                return value
            } catch {
                await c.close()
                throw error
            }
        }
    }
}

/// Starts loading manifests on another thread, so that the database is read meanwhile.
func startLoadingManifests(_ paths: [String], verbose: Bool = false) -> Task<ClusterInput, any Error> {
    Task.detached { try loadManifests(paths, verbose: verbose) }
}

extension ConnectionOptions {
    /// `withConnection` while `input` loads. A bad manifest is reported at once and before
    /// anything the database did (a connection still retrying is given up), as when the
    /// manifests were read first.
    func withConnection<T: Sendable>(loading input: Task<ClusterInput, any Error>,
                                     _ body: @escaping @Sendable (OVSDBConnection) async throws -> T) async throws -> T {
        let options = self
        let work = Task { try await options.withConnection(body) }
        let watch = Task { if case .failure = await input.result { work.cancel() } }
        defer { watch.cancel() }
        do {
            return try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
        } catch {
            _ = try await input.value
            throw error
        }
    }
}

/// Loads manifests; with -v, objects of other kinds are listed on stderr.
func loadManifests(_ paths: [String], verbose: Bool = false) throws -> ClusterInput {
    let input: ClusterInput
    do {
        input = try ManifestLoader.load(paths)
    } catch {
        throw CommandFailure("\(error)")
    }
    if verbose { for note in input.notes { printError("note: \(note)") } }
    return input
}

func checkWarnings(_ warnings: [String], strict: Bool) throws {
    for w in warnings { printError("warning: \(w)") }
    if strict, !warnings.isEmpty { throw CommandFailure("\(warnings.count) warning(s) with --strict; nothing written") }
}
