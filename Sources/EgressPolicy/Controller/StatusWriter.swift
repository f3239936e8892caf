import CoreMetrics
import Logging
import ServiceLifecycle

/// Writes each service's host back to the cluster through `kubectl` (a real client: its
/// kubeconfig or in-cluster account, its retries and its errors), off the reconcile path: a
/// controller hands over what it wants after each pass and goes on; this runs the commands,
/// retrying a failing one with backoff up to `maxAttempts` times, until the next pass wants
/// something else. A command that succeeded is not run again until the input shows the
/// cluster agrees (the watch catches up after the write).
public actor StatusWriter: ServiceLifecycle.Service {
    public struct Configuration: Sendable {
        /// The kubectl to run: a name looked up on PATH, or a path.
        public var kubectl = "kubectl"
        public var maxAttempts = 5
        public var firstRetry: Duration = .milliseconds(500)
        public var metrics: (any MetricsFactory)?
        public var logger = Logger(label: "ovn-egressctl")
        public init() {}
    }

    private struct Wanted {
        var commands: [[String]]
        var done = 0
        var attempts = 0
        var notBefore = ContinuousClock.now
    }

    private let configuration: Configuration
    private var wanted: [String: Wanted] = [:]
    /// Per service, the commands that succeeded since the input last agreed with the cluster.
    private var succeeded: [String: Set<[String]>] = [:]
    private var generation = 0
    private var wake: CheckedContinuation<Void, Never>?
    private var stopping = false
    private let runs: Counter
    private let failures: Counter

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let factory = configuration.metrics ?? NOOPMetricsHandler.instance
        runs = Counter(label: "ovn_egressctl_status_commands_total", factory: factory)
        failures = Counter(label: "ovn_egressctl_status_command_failures_total", factory: factory)
    }

    /// What each of `services` needs now (an empty list: nothing); other services keep theirs.
    /// `generation` orders the hand-overs: an older one arriving late is ignored.
    func want(_ commands: [String: [[String]]], generation: Int) {
        guard generation > self.generation else { return }
        self.generation = generation
        for (service, list) in commands {
            // Nothing wanted: the input shows the cluster agrees; what succeeded may be needed
            // again later (someone removed the label).
            guard !list.isEmpty else {
                wanted[service] = nil
                succeeded[service] = nil
                continue
            }
            let left = list.filter { !(succeeded[service]?.contains($0) ?? false) }
            if left.isEmpty {
                wanted[service] = nil
            } else if wanted[service]?.commands != left {
                wanted[service] = Wanted(commands: left)
            }
        }
        wake?.resume()
        wake = nil
    }

    public func stop() {
        stopping = true
        wake?.resume()
        wake = nil
    }

    public func run() async throws {
        await runUntilStopped({ await self.loop() }, stop: { await self.stop() })
    }

    private func loop() async {
        while !stopping {
            let now = ContinuousClock.now
            let due = wanted.filter { $0.value.attempts < configuration.maxAttempts && $0.value.notBefore <= now }.keys.sorted()
            for service in due where !stopping { await runCommands(of: service) }
            let live = wanted.values.filter { $0.attempts < configuration.maxAttempts }
            guard !stopping else { break }
            let next = live.map(\.notBefore).min()
            let timer = next.map { at in Task { try? await Task.sleep(until: at); self.resumeLoop() } }
            if next.map({ $0 > .now }) ?? true {
                await withCheckedContinuation { wake = $0 }
            }
            timer?.cancel()
        }
    }

    private func resumeLoop() {
        wake?.resume()
        wake = nil
    }

    private func runCommands(of service: String) async {
        guard var w = wanted[service] else { return }
        while w.done < w.commands.count {
            let argv = w.commands[w.done]
            runs.increment()
            let outcome: String?
            do {
                let run = try await HostCommand.run(configuration.kubectl, argv)
                outcome = run.succeeded ? nil : "\(run.failure("kubectl"))"
            } catch {
                outcome = "\(error)"
            }
            // The pass may have wanted something else meanwhile: that wins.
            guard wanted[service]?.commands == w.commands else { return }
            if let why = outcome {
                failures.increment()
                w.attempts += 1
                let delay = configuration.firstRetry * Int(1 << min(w.attempts - 1, 6))
                w.notBefore = .now + delay
                wanted[service] = w
                let what = "kubectl \(argv.prefix(3).joined(separator: " ")) for \(service)"
                if w.attempts >= configuration.maxAttempts {
                    configuration.logger.error("\(what): \(why); gave up after \(w.attempts) attempts until its host changes")
                } else {
                    configuration.logger.warning("\(what): \(why); retrying in \(delay)")
                }
                return
            }
            w.done += 1
            wanted[service] = w
            succeeded[service, default: []].insert(argv)
        }
        configuration.logger.info("status of \(service) written (\(w.commands.count) kubectl command(s))")
        wanted[service] = nil
    }
}
