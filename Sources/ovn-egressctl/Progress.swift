#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// Shows the current stage on stderr once a run has taken more than a second, and only when
/// stderr is a terminal: scripts and pipes see nothing.
final class Progress: Sendable {
    private let state = NIOLockedValueBox<(stage: String, shown: Bool)>(("", false))
    private let enabled = isatty(2) == 1
    private let ticker: Task<Void, Never>?

    init() {
        guard isatty(2) == 1 else {
            ticker = nil
            return
        }
        let state = self.state
        ticker = Task {
            var seconds = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                seconds += 1
                let stage = state.withLockedValue { s -> String in
                    s.shown = true
                    return s.stage
                }
                Progress.write("\r\u{1B}[K\(stage)... \(seconds) s")
            }
        }
    }

    func stage(_ name: String) {
        state.withLockedValue { $0.stage = name }
    }

    func finish() {
        ticker?.cancel()
        if enabled, state.withLockedValue({ $0.shown }) { Progress.write("\r\u{1B}[K") }
    }

    private static func write(_ s: String) {
        let bytes = Array(s.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
