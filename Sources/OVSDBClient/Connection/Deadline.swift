/// Runs `body`, giving up at `deadline` by cancelling it and throwing `timeout()`.
public func runBefore<T: Sendable>(_ deadline: ContinuousClock.Instant, orThrow timeout: @escaping @Sendable () -> any Error,
                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(until: deadline)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw timeout() }
        return value
    }
}
