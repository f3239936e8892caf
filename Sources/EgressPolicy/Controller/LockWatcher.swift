import OVSDBClient

/// What the server says about one lock on one connection, in order.
enum LockEvent: Sendable {
    case locked, stolen, closed
}

/// Forwards a lock's notifications, from the connection's event loop, into a stream.
final class LockSink: NotificationSink {
    private let continuation: AsyncStream<LockEvent>.Continuation

    init(_ continuation: AsyncStream<LockEvent>.Continuation) {
        self.continuation = continuation
    }

    func receive(_ notification: ServerNotification) {
        switch notification {
        case .locked: continuation.yield(.locked)
        case .stolen: continuation.yield(.stolen)
        default: break
        }
    }

    func connectionClosed(_ error: OVSDBClientError) {
        continuation.yield(.closed)
        continuation.finish()
    }
}
