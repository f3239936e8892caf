import ServiceLifecycle

/// Runs `loop` until it returns; cancellation or a graceful shutdown (service-lifecycle) asks
/// `stop` to end it after the step in flight. The long-running services here all end so.
func runUntilStopped(_ loop: @escaping @Sendable () async -> Void, stop: @escaping @Sendable () async -> Void) async {
    await withGracefulShutdownHandler {
        await withTaskCancellationHandler {
            await loop()
        } onCancel: {
            Task { await stop() }
        }
    } onGracefulShutdown: {
        Task { await stop() }
    }
}
