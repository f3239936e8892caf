import ArgumentParser
import EgressPolicy
import OVSDBClient

/// One zone's database: its remote, and a connection or why there is none.
struct ZoneConnection: Sendable {
    var remote: String
    var connection: Result<OVSDBConnection, any Error>
}

extension ConnectionOptions {
    /// Refuses `--zone` where it cannot mean one database's name.
    func checkZoneOption(filtering: Bool = false) throws {
        if let zone {
            if let why = KubernetesNames.dns1123Subdomain(zone) { throw ValidationError("--zone \(SafeText.quoted(zone)) \(why)") }
            if remotes.count > 1 && !filtering {
                throw ValidationError("--zone names the zone of a single --db; with several, each zone is named by its NB_Global.name")
            }
        }
    }

    /// Connects to every zone's database, concurrently, and runs `body` under the `--timeout`
    /// deadline; every connection is closed before returning. With one database this is
    /// `withConnection(loading:)`: a database that cannot be reached is the command's error.
    /// With several, a zone that cannot be reached is reported by `body` and the others go on.
    func withZones<T: Sendable>(loading input: Task<ClusterInput, any Error>?,
                                _ body: @escaping @Sendable ([ZoneConnection]) async throws -> T) async throws -> T {
        let remotes = self.remotes
        if remotes.count == 1 {
            let remote = remotes[0]
            let run: @Sendable (OVSDBConnection) async throws -> T = { c in try await body([ZoneConnection(remote: remote, connection: .success(c))]) }
            if let input { return try await withConnection(loading: input, run) }
            return try await withConnection(run)
        }
        let options = self
        let work = Task {
            try await withDeadline(options.timeout) {
                let zones = await Self.connectAll(remotes, options)
                let result = await Result(catching: { try await body(zones) })
                for z in zones { if case .success(let c) = z.connection { await c.close() } }
                return try result.get()
            }
        }
        // A bad manifest is the error, reported at once, whatever the databases do.
        let watch = Task { if let input, case .failure = await input.result { work.cancel() } }
        defer { watch.cancel() }
        do {
            return try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
        } catch {
            if let input { _ = try await input.value }
            throw error
        }
    }

    /// Connects to every remote at once; each zone's connection or why there is none, in
    /// the order of `remotes`.
    /// A zone that cannot be reached (or answers nothing, a frozen server) within half of
    /// `--timeout` (10 s without one) is given up on, so that the others are still written.
    private static func connectAll(_ remotes: [String], _ options: ConnectionOptions) async -> [ZoneConnection] {
        let budget: Duration = options.timeout > 0 ? .milliseconds(max(1000, options.timeout * 500)) : .seconds(10)
        let connections = await concurrentResults(remotes.count) { i -> Result<OVSDBConnection, any Error> in
            do { return .success(try await options.connect(remotes[i], budget: budget)) } catch { return .failure(error) }
        }
        return zip(remotes, connections).map { ZoneConnection(remote: $0, connection: $1) }
    }

    /// An engine per zone that could be reached, with each engine's position among `zones`.
    func engines(_ zones: [ZoneConnection], settings: EngineSettings) -> (engine: ZonedEngine, positions: [Int]) {
        var engines: [EgressEngine] = []
        var labels: [String] = []
        var positions: [Int] = []
        for (i, z) in zones.enumerated() {
            guard case .success(let c) = z.connection else { continue }
            engines.append(EgressEngine(connection: c, settings: settings, zone: zoneSource))
            labels.append(z.remote)
            positions.append(i)
        }
        return (ZonedEngine(engines: engines, labels: labels), positions)
    }
}

/// What one zone's command did, for output: a value, or why not.
struct ZoneOutcome<Value: Sendable>: Sendable {
    var remote: String
    var zone: String?
    var result: Result<Value, any Error>

    var title: String { zoneTitle(zone, remote: remote) }

    /// Every zone in the order of `--db`: those reached from `results` (at `positions`), the
    /// others with their connection error.
    static func merge(_ zones: [ZoneConnection], _ results: [ZonedEngine.ZoneResult<Value>], positions: [Int]) -> [ZoneOutcome] {
        var out = zones.map { z in
            ZoneOutcome(remote: z.remote, zone: nil, result: .failure(z.connection.failure ?? CommandFailure("not planned")))
        }
        for (r, i) in zip(results, positions) { out[i] = ZoneOutcome(remote: r.label, zone: r.zone, result: r.result) }
        return out
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}

/// Prints one line per zone that failed and throws when any did: exit 0 only when every zone
/// converged.
func finish<Value>(_ outcomes: [ZoneOutcome<Value>]) throws {
    let failed = outcomes.filter { $0.result.failure != nil }
    guard !failed.isEmpty else { return }
    throw CommandFailure("\(failed.count) of \(outcomes.count) zones failed: \(failed.map { $0.zone.map { SafeText.escaped($0) } ?? $0.remote }.joined(separator: ", "))")
}

/// A zone's JSON: its name and remote, then `fields` (a plan's keys), or its error.
func zoneJSON(_ zone: String?, remote: String, _ fields: Result<[String: JSON], any Error>) -> JSON {
    var o: [String: JSON] = [:]
    switch fields {
    case .success(let f): o = f
    case .failure(let e): o["error"] = .string("\(e)")
    }
    o["zone"] = zone.map(JSON.string) ?? .null
    o["remote"] = .string(remote)
    return .object(o)
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// A zone's name for output: what the database says can hold anything, so it is escaped.
func zoneTitle(_ zone: String?, remote: String) -> String {
    zone.map { "zone \(SafeText.escaped($0)) (\(remote))" } ?? "zone at \(remote)"
}

/// Prints each zone's part, in the order of `--db`: for people, a heading and its text (or
/// its error); as JSON, one object with `zones` (each zone's fields, its name and remote) and
/// the warnings.
func printZones<Value>(_ outcomes: [ZoneOutcome<Value>], json: Bool, warnings: [String],
                       fields: (Value) -> [String: JSON], text: (Value) -> String) {
    if json {
        let zones = outcomes.map { o in zoneJSON(o.zone, remote: o.remote, o.result.map(fields)) }
        print(CanonicalJSON.string(["zones": .array(zones), "warnings": .array(warnings.map(JSON.string))]))
        return
    }
    for o in outcomes {
        print("== \(o.title)")
        switch o.result {
        case .success(let value): print(text(value), terminator: "")
        case .failure(let error): print("error: \(error)")
        }
    }
}
