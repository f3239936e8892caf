#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import EgressPolicy
import Logging
import OVSDBClient
import Prometheus
import ServiceLifecycle

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Keep the Northbound database reconciled to manifests as they change, until SIGTERM or SIGINT.",
        discussion: """
        Reconciles once, then follows both sides: the files and folders given with -f are watched (inotify), and a file written, renamed into place or removed is read again, alone; the database is followed through a monitor of exactly the rows the plan reads (the router, the priority-101 and -102 policies, the served-pods address sets), so a steady state sends nothing, and a row another writer deletes, edits or duplicates is repaired. Bursts of changes are coalesced; each pass is one guarded transaction. A file that stops passing the checks is reported and its last good contents kept.

        -f - reads the JSON that `kubectl get KIND --watch -o json` prints (concatenated objects), with or without --output-watch-events (ADDED, MODIFIED and DELETED events). kubectl watches one kind at a time: give each watch its own --watch-stream FIFO (deploy/kubectl-watch-run.sh runs the four). At the end of a stream the last pass is finished and run exits 0.

        Only one instance writes: each takes the OVSDB lock named by --lock (default ovn_egressctl) and the others follow the database and wait; when the holder dies or its lock is stolen, another takes over. Every write also asserts the lock.

        Without --prune, run removes the rows of services that were in its input and left it (a file removed, a DELETED event), and never those of services it has not seen; with --prune it owns every EgressSVC row, as apply --prune.

        With several --db (an interconnect cluster, one Northbound database per zone), run keeps one replica and one reconcile loop per zone: each zone is planned with one cluster-wide host choice, repaired and retried on its own, and a zone that is down or reconnecting never holds up the others; it is caught up when it returns. Metrics carry a zone label (the --zone name, else the database's remote) and /healthz names each zone that is not synced. Beside one node's own database (one zone), give that one --db: the zone is its NB_Global.name.

        With --node NODE, run is the node agent of NODE instead (no database is used): from the same -f files, folders or watch stream, it keeps the node's side in step, as ovnkube-node does on its nodes. With --output iptables (the default) it owns chain OVN-KUBE-EGRESS-SVC of the nat table (IPv4 and IPv6) and one jump to it, inserted first in POSTROUTING when missing; with --output nftables, the maps egress-service-snat-v4/-v6 and the chain egress-services of table inet ovn-kubernetes. It also owns the ip rules at priority 5000 (spec.network) and, with --labels-file, that file. Each rule set is read back every 500 ms and rewritten, in one iptables-restore --noflush or one nft transaction, only when it differs: a service that left the node loses its rules, and a flushed or edited chain is repaired. Nothing else on the node is read or written. The host of each service is chosen from the input (status.host first), as node-plan chooses it.

        On SIGTERM or SIGINT the pass in flight is finished and run exits 0. Logs go to stderr, one line per pass that writes (-v: every pass).

        With --metrics HOST:PORT, Prometheus text is served on /metrics (ovn_egressctl_reconciles_total, _write_operations_total, _drift_repairs_total, _last_reconcile_duration_seconds, _lock_holder, _connected, ...) and /healthz answers 200 while the replica is synced.

        Examples:
          ovn-egressctl run -f manifests/ --metrics 127.0.0.1:9476
          ovn-egressctl run --node work002 -f manifests/ --output nftables
          kubectl get egressservices,services,endpointslices,nodes -A -o json \\
              | ovn-egressctl run -f -
          deploy/kubectl-watch-run.sh --db unix:/var/run/ovn/ovnnb_db.sock
        """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var engine: EngineOptions
    @Option(name: .shortAndLong, help: "Manifest file or folder to watch (repeatable), or - for a kubectl --watch -o json stream on stdin.")
    var file: [String] = []
    @Option(name: .long, help: "A FIFO or file read as a kubectl --watch -o json stream (repeatable: kubectl watches one kind at a time).")
    var watchStream: [String] = []
    @Flag(inversion: .prefixedNo, help: "Write each service's host back with kubectl: status.host and the host node's label (default: with a watch stream).")
    var status: Bool?
    @Option(name: .long, help: "The kubectl that writes the status back.")
    var kubectl = "kubectl"
    @Flag(name: .long, help: "Own every EgressSVC row: remove those of services never seen in the input.")
    var prune = false
    @Option(name: .long, help: "Serve Prometheus metrics and /healthz on HOST:PORT.")
    var metrics: String?
    @Option(name: .long, help: "The OVSDB lock that only the writing instance holds.")
    var lock = EgressController.defaultLockName
    @Option(name: .customLong("coalesce-ms"), help: "Wait until changes have been quiet this many milliseconds before a pass.")
    var coalesceMilliseconds = 5
    @Option(name: .long, help: "Be the node agent of NODE: keep its SNAT rules and ip rules in step (no database).")
    var node: String?
    @Option(name: .long, help: "With --node: iptables (chain OVN-KUBE-EGRESS-SVC) or nftables (table inet ovn-kubernetes).")
    var output: NodeAgent.Output = .iptables
    @Option(name: .long, help: "With --node: keep the node's egress-service labels in this file (label= lines).")
    var labelsFile: String?

    func validate() throws {
        try connection.checkZoneOption()
        if let node {
            if let why = KubernetesNames.dns1123Subdomain(node) { throw ValidationError("--node \(SafeText.quoted(node)) \(why)") }
            guard !prune else { throw ValidationError("--prune is about database rows; the node agent (--node) always owns its chain") }
            guard status != true else { throw ValidationError("--status is the controller's: the node agent (--node) writes nothing to the cluster") }
        } else if labelsFile != nil {
            throw ValidationError("--labels-file needs --node")
        }
        guard !file.isEmpty || !watchStream.isEmpty else { throw ValidationError("run needs -f PATH, -f - or --watch-stream PATH") }
        guard file.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("-f - may be given once") }
        guard (0...60_000).contains(coalesceMilliseconds) else { throw ValidationError("--coalesce-ms must be 0 to 60000") }
        // An OVSDB <id>: a letter or underscore, then letters, digits and underscores.
        let bytes = Array(lock.utf8)
        let isWord = { (c: UInt8) in (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F }
        guard let first = bytes.first, isWord(first), bytes.allSatisfy({ isWord($0) || ($0 >= 0x30 && $0 <= 0x39) }) else {
            throw ValidationError("--lock must be an OVSDB id (letters, digits and _, not starting with a digit), not \(SafeText.quoted(lock))")
        }
    }

    func run() async throws {
        var logger = Logger(label: "ovn-egressctl") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = connection.verbose ? .debug : .info
        var quiet = logger
        quiet.logLevel = connection.verbose ? .info : .warning

        let registry = PrometheusCollectorRegistry()
        if let node {
            var configuration = NodeAgent.Configuration(node: node)
            configuration.output = output
            configuration.settings = try engine.settings()
            configuration.labelsFile = labelsFile
            configuration.coalesce = .milliseconds(coalesceMilliseconds)
            configuration.metrics = PrometheusMetricsFactory(registry: registry)
            configuration.logger = logger
            let agent = NodeAgent(configuration: configuration)
            try await serve([.init(service: agent, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "node-agent")],
                            feeding: ControllerGroup([agent]), health: { agent.health() }, registry: registry, logger: logger, quiet: quiet)
            return
        }
        var configuration = EgressController.Configuration()
        configuration.settings = try engine.settings()
        configuration.prune = prune
        configuration.lockName = lock
        configuration.coalesce = .milliseconds(coalesceMilliseconds)
        configuration.logger = logger
        configuration.metrics = PrometheusMetricsFactory(registry: registry)
        configuration.replica.leaderOnly = connection.leaderOnly
        configuration.replica.connection = connection.connectionConfiguration(logger: quiet)
        let zones = connection.remotes
        // As apply: a database is the zone its NB_Global.name (or --zone) says; one that holds
        // every node plans as the whole cluster's.
        configuration.zone = connection.zoneSource
        if zones.count > 1 { configuration.hostLedger = HostLedger() }
        // There is a cluster to write to when the input comes from one.
        var extra: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if status ?? (file.contains("-") || !watchStream.isEmpty) {
            var writerConfiguration = StatusWriter.Configuration()
            writerConfiguration.kubectl = kubectl
            writerConfiguration.logger = logger
            writerConfiguration.metrics = configuration.metrics
            let writer = StatusWriter(configuration: writerConfiguration)
            configuration.statusWriter = writer
            extra.append(.init(service: writer, successTerminationBehavior: .ignore, serviceName: "status"))
        }
        var controllers: [EgressController] = []
        for remote in zones {
            var zoneConfiguration = configuration
            if zones.count > 1 {
                zoneConfiguration.zoneLabel = remote
                zoneConfiguration.logger[metadataKey: "zone"] = "\(remote)"
            } else if let zone = connection.zone {
                zoneConfiguration.zoneLabel = zone
            }
            do {
                controllers.append(EgressController(remotes: try RemoteAddress.list(remote), configuration: zoneConfiguration))
            } catch {
                throw CommandFailure("\(error)")
            }
        }
        let group = ControllerGroup(controllers)

        let services: [ServiceGroupConfiguration.ServiceConfiguration] = controllers.map {
            .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "controller")
        } + extra
        try await serve(services, feeding: group, health: { [controllers] in Self.health(of: controllers, remotes: zones) },
                        registry: registry, logger: logger, quiet: quiet)
    }

    /// Runs `services` with the metrics server and the feeds of `-f` until a signal, or the
    /// end of a watch stream.
    private func serve(_ services: [ServiceGroupConfiguration.ServiceConfiguration], feeding group: ControllerGroup,
                       health: @escaping MetricsServer.Health, registry: PrometheusCollectorRegistry,
                       logger: Logger, quiet: Logger) async throws {
        var services = services
        if let metrics {
            let server = try MetricsServer(address: metrics, registry: registry, logger: logger, health: health)
            try await server.start()
            services.append(.init(service: server, successTerminationBehavior: .ignore, serviceName: "metrics"))
        }
        let paths = file.filter { $0 != "-" }
        if !paths.isEmpty {
            let feed: ManifestFileFeed
            do {
                feed = try ManifestFileFeed(paths: paths, controllers: group, logger: logger)
                try await feed.load()
            } catch {
                throw CommandFailure("\(error)")
            }
            services.append(.init(service: feed, successTerminationBehavior: .ignore, serviceName: "files"))
        }
        if file.contains("-") {
            services.append(.init(service: WatchStreamFeed(controllers: group, logger: logger),
                                  successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "stdin"))
        }
        for path in watchStream {
            // A FIFO's open waits for its writer: deploy/kubectl-watch-run.sh starts kubectl first.
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw CommandFailure("--watch-stream \(SafeText.quoted(path)): \(String(cString: strerror(errno)))") }
            services.append(.init(service: WatchStreamFeed(descriptor: fd, name: path, controllers: group, logger: logger),
                                  successTerminationBehavior: .gracefullyShutdownGroup, serviceName: path))
        }
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: quiet)).run()
    }

    /// Nil while every zone's replica is synced; else each zone that is not, by its remote.
    static func health(of controllers: [EgressController], remotes: [String]) -> String? {
        guard controllers.count > 1 else { return controllers[0].health() }
        let unsynced = zip(remotes, controllers).compactMap { remote, c in c.health().map { "\(remote): \($0)" } }
        return unsynced.isEmpty ? nil : unsynced.joined(separator: "; ")
    }
}

