import NIOConcurrencyHelpers
import NIOPosix

/// Runs one blocking loop (a `read` or `poll` that may wait a long time) on a thread of its
/// own, never on Swift's cooperative pool, until `stop`.
final class BlockingLoop: Sendable {
    private let pool = NIOThreadPool(numberOfThreads: 1)
    private let stopped = NIOLockedValueBox(false)

    /// `body` is called again and again until it returns false or `stop` is called; it
    /// should block for a bounded time (a `poll` with a timeout) so that `stop` is seen.
    init(_ body: @escaping @Sendable () -> Bool) {
        pool.start()
        let stopped = self.stopped
        pool.submit { state in
            guard state == .active else { return }
            while !stopped.withLockedValue({ $0 }), body() {}
        }
    }

    var isStopped: Bool { stopped.withLockedValue { $0 } }

    func stop() {
        stopped.withLockedValue { $0 = true }
        pool.shutdownGracefully { _ in }
    }
}
