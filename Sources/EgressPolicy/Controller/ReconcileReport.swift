/// What one pass of the controller did.
public struct ReconcileReport: Sendable {
    /// Why the pass ran.
    public enum Trigger: Sendable, Hashable, CustomStringConvertible {
        /// The first pass after the replica synced.
        case start
        /// Objects were added, changed or removed.
        case input
        /// The database changed under the controller (another writer, a resync).
        case database
        /// This instance has just taken the lock.
        case lockAcquired
        /// A retry after an error.
        case retry

        public var description: String {
            switch self {
            case .start: return "start"
            case .input: return "input"
            case .database: return "database"
            case .lockAcquired: return "lock"
            case .retry: return "retry"
            }
        }
    }

    public var triggers: Set<Trigger>
    /// The plan carried out; nil when the pass could not plan (see `error`).
    public var plan: Plan?
    /// Whether the pass planned every service (else only those whose objects or rows changed).
    public var full = false
    /// How many services the pass planned.
    public var servicesPlanned = 0
    /// Write operations committed (0 for a pass that found nothing to change).
    public var writes = 0
    /// Operations sent in the transaction, guards and lock assertion included.
    public var operationsSent = 0
    /// Transactions tried: more than 1 when a guard caught a concurrent change.
    public var attempts = 0
    public var duration: Duration = .zero
    /// Of `duration`: reading the replica and planning (every attempt).
    public var planning: Duration = .zero
    /// Of `duration`: waiting for the transaction's reply.
    public var writing: Duration = .zero
    /// Why nothing was written, when it was not for want of a difference.
    public var error: String?
    /// Database changes that this pass repaired (not caused by the input).
    public var isDriftRepair: Bool { writes > 0 && !triggers.contains(.input) && !triggers.contains(.start) }

    /// One log line.
    public var summary: String {
        let why = triggers.map(\.description).sorted().joined(separator: ",")
        var s = "reconcile (\(why)): "
        if let error { return s + "nothing written: \(error)" }
        guard let plan else { return s + "no plan" }
        if writes == 0 { s += "no change" } else {
            s += "+\(plan.additions.count) -\(plan.removals.count) ~\(plan.repairs.count) policies, "
                + "\(plan.addressChanges.count) address set change(s), \(writes) write(s)"
        }
        let ms = (duration.seconds * 1e6).rounded() / 1000
        let scope = full ? "all \(servicesPlanned) services" : "\(servicesPlanned) service(s)"
        return s + " (\(scope) planned) in \(ms) ms" + (attempts > 1 ? " after \(attempts) attempts" : "")
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
