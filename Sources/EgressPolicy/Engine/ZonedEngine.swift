import OVNSchema
import OVSDBClient

/// Plans and applies every zone of a cluster from one read of the manifests. Each zone is one
/// Northbound database (one `EgressEngine`); the host choice is made once, from all of them,
/// so every zone plans from the same one; each zone is written in its own transaction,
/// concurrently, and a zone that fails does not stop the others. One database is the case of
/// one zone, through the same steps.
public struct ZonedEngine: Sendable {
    public let engines: [EgressEngine]
    /// How each database is named until its zone is known (its remote).
    public let labels: [String]

    public init(engines: [EgressEngine], labels: [String]) {
        precondition(engines.count == labels.count, "one label per engine")
        self.engines = engines
        self.labels = labels
    }

    /// What happened in one zone.
    public struct ZoneResult<Value: Sendable>: Sendable {
        public var label: String
        /// The zone's name; nil when the database could not be read.
        public var zone: String?
        public var result: Result<Value, any Error>

        /// The zone's name, else its remote.
        public var name: String { zone ?? label }
    }

    /// Every zone's plan, in the order of `engines`.
    public struct Planned: Sendable {
        public var zones: [ZoneResult<Plan>]
        public var assignment: HostAssignment
        /// About the zones themselves: one without member nodes, nodes in a zone no database is.
        public var warnings: [String]
        let input: ClusterInput

        /// Every warning once: the host choice's are the same in every zone's plan.
        public var allWarnings: [String] {
            var seen: Set<String> = []
            var out: [String] = []
            for w in warnings + zones.flatMap({ (try? $0.result.get())?.warnings ?? [] }) where seen.insert(w).inserted {
                out.append(w)
            }
            return out
        }
    }

    /// Reads every database while the manifests load, then plans each zone.
    public func plan(loading input: Task<ClusterInput, any Error>, prune: Bool) async throws -> Planned {
        let engines = self.engines
        let reads = await concurrentResults(engines.count) { i -> Result<LiveState, any Error> in
            do {
                let schema = try await engines[i].connection.schema(of: OVNNorthbound.name)
                return .success(try await engines[i].readLive(schema: schema))
            } catch {
                return .failure(error)
            }
        }
        return try await plan(try await input.value, reads: reads, prune: prune)
    }

    /// Plans each zone from what was read of it.
    func plan(_ input: ClusterInput, reads: [Result<LiveState, any Error>], prune: Bool) async throws -> Planned {
        var lives: [Int: (live: LiveState, zone: Zone)] = [:]
        var failures: [Int: any Error] = [:]
        for (i, read) in reads.enumerated() {
            do {
                let engine = engines[i]
                let live = try read.get().narrowed(to: engine.families(of: input))
                lives[i] = (live, try engine.zone(of: live, input: input))
            } catch {
                failures[i] = error
            }
        }
        let byName = Dictionary(grouping: lives.keys.sorted()) { lives[$0]!.zone.name }
        if let (name, dup) = byName.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count > 1 }) {
            throw EngineError.duplicateZone(name, remotes: dup.map { labels[$0] })
        }
        var warnings: [String] = []
        for i in lives.keys.sorted() where lives[i]!.zone.members?.isEmpty == true {
            warnings.append("zone \(lives[i]!.zone.name) (\(labels[i])) has no member node in the input: none of its endpoints is local")
        }
        if engines.count > 1 {
            let named = Array(byName.keys)
            let orphans = input.nodes.values.filter { n in !named.contains { Zone.isMember(n, ofZoneNamed: $0) } }.map(\.name).sorted()
            if !orphans.isEmpty {
                warnings.append("node(s) \(orphans.joined(separator: ", ")) are in no zone given by --db: "
                                + "their endpoints are remote to every zone")
            }
        }
        // One host choice for every zone, from what the zones reroute to now (by zone name).
        var liveHosts: [String: String] = [:]
        for i in lives.keys.sorted(by: { lives[$0]!.zone.name < lives[$1]!.zone.name }) {
            liveHosts.merge(lives[i]!.live.currentHosts(nodes: input.nodes)) { first, _ in first }
        }
        let settings = engines.first?.settings ?? EngineSettings()
        let assignment = HostSelection.select(input, settings: settings, liveHosts: liveHosts)
        // Each zone's plan on its own core: they share the input and the host choice only.
        let (zoneEngines, zoneLabels, known, failed) = (engines, labels, lives, failures)
        let zones = await concurrentResults(zoneEngines.count) { i -> ZoneResult<Plan> in
            guard let (live, zone) = known[i] else { return ZoneResult(label: zoneLabels[i], zone: nil, result: .failure(failed[i]!)) }
            return ZoneResult(label: zoneLabels[i], zone: zone.name,
                              result: Result { try zoneEngines[i].plan(input, live: live, prune: prune, assignment: assignment) })
        }
        return Planned(zones: zones, assignment: assignment, warnings: warnings, input: input)
    }

    /// Writes every zone that was planned, concurrently, each in its own guarded transaction
    /// (planned again, with the same host choice, when another writer got in between).
    public func apply(_ planned: Planned, prune: Bool) async -> [ZoneResult<EgressEngine.Report>] {
        let engines = self.engines
        let results = await concurrentResults(planned.zones.count) { i -> Result<EgressEngine.Report, any Error> in
            do {
                let plan = try planned.zones[i].result.get()
                return .success(try await engines[i].apply(plan, input: planned.input, prune: prune, assignment: planned.assignment))
            } catch {
                return .failure(error)
            }
        }
        return planned.zones.indices.map { ZoneResult(label: planned.zones[$0].label, zone: planned.zones[$0].zone, result: results[$0]) }
    }

    /// Deletes one service's rows in every zone, concurrently.
    public func delete(service owner: String) async -> [ZoneResult<EgressEngine.Report>] {
        let engines = self.engines
        let results = await concurrentResults(engines.count) { i -> Result<EgressEngine.Report, any Error> in
            do { return .success(try await engines[i].delete(service: owner)) } catch { return .failure(error) }
        }
        return engines.indices.map { ZoneResult(label: labels[$0], zone: try? results[$0].get().plan.zone, result: results[$0]) }
    }
}
