#if canImport(Glibc)
import Glibc
#endif
import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Keeps one node's side of egress services in step with the cluster objects, as ovnkube-node
/// does on its own nodes: the SNAT rules (iptables chain `OVN-KUBE-EGRESS-SVC` with its jump
/// from `POSTROUTING`, or the nftables maps and chain), the `ip rule`s for `spec.network`, and
/// optionally a file listing the node's egress-service labels. No database is involved: the
/// host of each service is chosen from the objects (their `status.host` first), as
/// `node-plan` chooses it.
///
/// Each pass reads the host's state back and rewrites a rule set only when it differs, in one
/// atomic step of its tool; so a service that left the node loses its rules, and a chain
/// someone flushed or edited is repaired on the next check (every `checkInterval`). Nothing
/// outside those objects is read or written.
public actor NodeAgent: ObjectSink, ServiceLifecycle.Service {
    public enum Output: String, Sendable, CaseIterable {
        case iptables, nftables
    }

    public struct Configuration: Sendable {
        public var node: String
        public var output: Output = .iptables
        public var settings = EngineSettings()
        /// Also keep the `ip rule`s (priority 5000) of services with `spec.network`.
        public var ipRules = true
        /// Where the node's labels are written (`label=` lines, as `node-plan --output labels`).
        public var labelsFile: String?
        /// How often the host's rules are read back to repair what someone else changed.
        public var checkInterval: Duration = .milliseconds(500)
        /// After an input change, wait until changes have been quiet this long.
        public var coalesce: Duration = .milliseconds(5)
        public var metrics: (any MetricsFactory)?
        public var logger = Logger(label: "ovn-egressctl")

        public init(node: String) { self.node = node }
    }

    private let configuration: Configuration
    private let ruleSets: [any NodeRuleSet]
    private var objects = ClusterObjectStore()
    private var plan: NodePlan?
    private var changes = 0
    private var pendingInput = true
    private var applied = 0
    private var stopping = false
    private var wake: CheckedContinuation<Void, Never>?
    private var drainWaiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private let status = NIOLockedValueBox<String?>("not reconciled yet")
    private let passes: Counter
    private let repairs: Counter
    private let errors: Counter
    private let snatRules: Gauge
    private var logger: Logger { configuration.logger }

    public init(configuration: Configuration) {
        self.configuration = configuration
        var sets: [any NodeRuleSet] = configuration.output == .iptables ? [IPTablesRules(family: .v4), IPTablesRules(family: .v6)] : [NFTablesRules()]
        if configuration.ipRules { sets.append(IPRules()) }
        ruleSets = sets
        let factory = configuration.metrics ?? NOOPMetricsHandler.instance
        passes = Counter(label: "ovn_egressctl_node_passes_total", factory: factory)
        repairs = Counter(label: "ovn_egressctl_node_repairs_total", factory: factory)
        errors = Counter(label: "ovn_egressctl_node_errors_total", factory: factory)
        snatRules = Gauge(label: "ovn_egressctl_node_snat_rules", factory: factory)
    }

    // MARK: input

    public func upsert(_ newObjects: [ClusterObject], source: String) throws(ManifestError) {
        inputChanged(try objects.upsert(checking: newObjects, source: source))
    }

    public func delete(_ keys: [ObjectKey]) { inputChanged(objects.remove(keys)) }

    public func replace(source: String, with newObjects: [ClusterObject]) throws(ManifestError) {
        inputChanged(try objects.replace(source: source, with: newObjects))
    }

    public func removeSource(_ source: String) { inputChanged(objects.removeSource(source)) }

    public func removeSources(under prefix: String) { inputChanged(objects.removeSources(withPrefix: prefix)) }

    public func drain() async {
        let target = changes
        while !stopping && applied < target {
            await withCheckedContinuation { drainWaiters.append((target, $0)) }
        }
    }

    /// Nil while the last pass brought every rule set in step; else why not.
    public nonisolated func health() -> String? { status.withLockedValue { $0 } }

    public func stop() {
        stopping = true
        resume()
        for w in drainWaiters { w.continuation.resume() }
        drainWaiters = []
    }

    private func inputChanged(_ touched: [ClusterObject]) {
        guard !touched.isEmpty else { return }
        changes += 1
        plan = nil
        pendingInput = true
        resume()
    }

    private func resume() {
        wake?.resume()
        wake = nil
    }

    // MARK: the loop

    public func run() async throws {
        await runUntilStopped({ await self.loop() }, stop: { await self.stop() })
    }

    private func loop() async {
        while !stopping {
            if pendingInput, configuration.coalesce > .zero { try? await Task.sleep(for: configuration.coalesce) }
            pendingInput = false
            await pass()
            // An input change during the pass: go again at once.
            guard !stopping, !pendingInput else { continue }
            let timer = Task { [checkInterval = configuration.checkInterval] in
                try? await Task.sleep(for: checkInterval)
                self.resume()
            }
            await withCheckedContinuation { wake = $0 }
            timer.cancel()
        }
    }

    private func pass() async {
        let target = changes
        passes.increment()
        defer {
            applied = target
            let ready = drainWaiters.filter { $0.target <= applied }
            drainWaiters.removeAll { $0.target <= applied }
            for w in ready { w.continuation.resume() }
        }
        let fresh = plan == nil
        if fresh {
            guard let next = planNode() else { return }
            plan = next
            snatRules.record(next.snat.count)
            writeLabels(next.labels)
        }
        guard let plan else { return }
        var failure: String?
        for set in ruleSets {
            do {
                guard let why = try await set.bringInStep(plan) else { continue }
                if fresh {
                    logger.info("\(set.name): applied (\(why))")
                } else {
                    repairs.increment()
                    logger.warning("\(set.name): repaired (\(why))")
                }
            } catch {
                errors.increment()
                failure = "\(set.name): \(error)"
                logger.error("\(set.name): \(error)")
            }
        }
        status.withLockedValue { $0 = failure }
    }

    /// The node's plan from the objects now held; nil (and nothing touched) when the input is
    /// empty or does not name this node.
    private func planNode() -> NodePlan? {
        let fail = { (why: String) in
            self.status.withLockedValue { $0 = why }
            self.logger.error("\(why); nothing changed on the node")
        }
        guard !objects.isEmpty else {
            fail("no objects in the input")
            return nil
        }
        let input = objects.input
        guard input.nodes[configuration.node] != nil else {
            fail("\(NodeAgentError.noSuchNode(configuration.node))")
            return nil
        }
        let desired = DesiredState(input, settings: configuration.settings)
        for w in desired.warnings { logger.warning("\(w)") }
        return NodePlan(node: configuration.node, input: input, desired: desired)
    }

    /// Written aside and renamed into place: a reader never sees half a file.
    private func writeLabels(_ labels: [String]) {
        guard let path = configuration.labelsFile else { return }
        let temporary = path + ".tmp"
        guard let file = fopen(temporary, "w") else {
            logger.error("cannot write \(temporary): \(String(cString: strerror(errno)))")
            return
        }
        for l in labels.sorted() { fputs(l + "=\n", file) }
        let closed = fclose(file) == 0
        if !closed || rename(temporary, path) != 0 { logger.error("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}
