/// Receives what the server sends for one monitor or lock, in order, on the connection's
/// event loop: first the monitor's reply, then its updates, then the end of the connection.
/// Calls are synchronous so that a transaction's reply is completed only after every update
/// the server sent before it has been handled (Open vSwitch sends a transaction's updates
/// before its reply); an implementation must therefore not block.
public protocol NotificationSink: AnyObject, Sendable {
    /// The reply to the monitor request that registered this sink.
    func monitorReplied(_ result: JSON)
    func receive(_ notification: ServerNotification)
    /// The connection ended; nothing more will be delivered.
    func connectionClosed(_ error: OVSDBClientError)
    /// True if a large reply should come to `monitorReplied(inPlace:)` as bytes rather than
    /// as a tree; the monitor request then returns `null` instead of the result.
    var readsRepliesInPlace: Bool { get }
    /// The reply's `result`, unparsed (valid only during the call); see `JSONReader.reading`.
    func monitorReplied(inPlace result: UnsafeRawBufferPointer)
    /// A large `update`, `update2` or `update3` for this monitor, its table updates unparsed
    /// (valid only during the call); called instead of `receive` when `readsRepliesInPlace`.
    func receive(inPlace update: InPlaceUpdate)
}

/// An update notification whose table updates are left as bytes.
public struct InPlaceUpdate {
    public var method: String
    public var monitor: JSON
    /// `update3` only.
    public var lastTransactionID: OVSDBUUID?
    public var tableUpdates: UnsafeRawBufferPointer
}

extension NotificationSink {
    public func monitorReplied(_ result: JSON) {}
    public var readsRepliesInPlace: Bool { false }
    public func monitorReplied(inPlace result: UnsafeRawBufferPointer) {
        if let json = try? JSONReader.decode(result) { monitorReplied(json) }
    }
    public func receive(inPlace update: InPlaceUpdate) {}
}
