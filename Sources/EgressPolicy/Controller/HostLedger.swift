import NIOConcurrencyHelpers

/// The egress host of each service as the controllers of one cluster last wrote it, shared by
/// the controllers of several zones (one `run` with several databases) so that every zone
/// plans from one host choice, as `apply` does: a zone that chose or moved a host records it,
/// and the next pass of every other zone keeps it.
public final class HostLedger: Sendable {
    private let box = NIOLockedValueBox([String: String]())

    public init() {}

    /// Each service's recorded host.
    public var hosts: [String: String] { box.withLockedValue { $0 } }

    /// Records the hosts a zone wrote for `services`: a service planned without a host is
    /// forgotten.
    func record(_ hosts: [String: String], for services: Set<String>) {
        box.withLockedValue { ledger in
            for key in services { ledger[key] = nil }
            for (key, host) in hosts where services.contains(key) && host != "" && host != "ALL" { ledger[key] = host }
        }
    }
}
