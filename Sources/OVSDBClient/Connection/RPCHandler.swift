import NIOConcurrencyHelpers
import NIOCore

/// What the connection asks the handler to send.
enum RPCOutbound {
    case request(method: String, params: [JSON], promise: EventLoopPromise<JSON>, sent: (@Sendable (Int64) -> Void)?)
    case notification(method: String, params: [JSON])
    /// Stop waiting for request `id`: tell the server (RFC 7047 `cancel`) and fail the caller.
    case cancel(id: Int64)
}

/// Carries out `RPCStateMachine`'s decisions on a NIO channel: encodes requests, completes
/// their promises, answers echo, forwards notifications, and fails everything on close.
final class RPCHandler: ChannelDuplexHandler {
    typealias InboundIn = JSON
    typealias OutboundIn = RPCOutbound
    typealias OutboundOut = ByteBuffer

    private var machine = RPCStateMachine()
    private var promises: [Int64: EventLoopPromise<JSON>] = [:]
    private let notifications: AsyncStream<OVSDBConnection.Notification>.Continuation
    private var closeReason: OVSDBClientError?

    private let closeReasonBox: CloseReason

    init(notifications: AsyncStream<OVSDBConnection.Notification>.Continuation, closeReason: CloseReason) {
        self.notifications = notifications
        self.closeReasonBox = closeReason
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .request(let method, let params, let replyPromise, let sent):
            switch machine.startRequest(method: method) {
            case .failure(let e):
                replyPromise.fail(e)
                promise?.fail(e)
            case .success(let id):
                promises[id] = replyPromise
                sent?(id)
                send(RPCMessage.request(method: method, params: params, id: .integer(id)).json, context: context, promise: promise)
            }
        case .notification(let method, let params):
            send(RPCMessage.notification(method: method, params: params).json, context: context, promise: promise)
        case .cancel(let id):
            guard machine.abandon(id) else {
                promise?.succeed()
                return
            }
            promises.removeValue(forKey: id)?.fail(CancellationError())
            send(RPCMessage.notification(method: "cancel", params: [.integer(id)]).json, context: context, promise: promise)
        }
    }

    private func send(_ json: JSON, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let bytes = JSONWriter.encode(json)
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch machine.receive(unwrapInboundIn(data)) {
        case .complete(let id, let method, let result, let error):
            guard let p = promises.removeValue(forKey: id) else { return }
            if error.isNull {
                p.succeed(result)
            } else {
                p.fail(OVSDBClientError.rpcError(method: method, error: error))
            }
        case .reply(let json):
            send(json, context: context, promise: nil)
            context.flush()
        case .notify(let method, let params):
            // The stream holds a bounded backlog: a server flooding notifications nobody reads
            // closes the connection instead of growing memory without end.
            if case .dropped = notifications.yield(OVSDBConnection.Notification(method: method, params: params)) {
                let e = OVSDBClientError.connectionClosed(
                    reason: "more than \(OVSDBConnection.notificationBacklog) notifications were not read; closing")
                if closeReason == nil { closeReason = e }
                context.close(promise: nil)
                fail(e)
            }
        case .close(let e):
            if closeReason == nil { closeReason = e }
            context.close(promise: nil)
            fail(e)
        case .ignore:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let e = (error as? OVSDBClientError) ?? .connectionClosed(reason: "\(error)")
        if closeReason == nil { closeReason = e }
        context.close(promise: nil)
        fail(e)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(closeReason ?? .connectionClosed(reason: "the server closed the connection"))
        notifications.finish()
        context.fireChannelInactive()
    }

    private func fail(_ error: OVSDBClientError) {
        if closeReason == nil { closeReason = error }
        closeReasonBox.record(closeReason!)
        for id in machine.close(error) {
            promises.removeValue(forKey: id)?.fail(error)
        }
    }
}

/// Why a connection closed, readable from outside the event loop: a write that fails on a
/// closed channel reports this instead of NIO's bare "I/O on closed channel".
final class CloseReason: Sendable {
    private let storage = NIOLockedValueBox<OVSDBClientError?>(nil)
    func record(_ e: OVSDBClientError) { storage.withLockedValue { if $0 == nil { $0 = e } } }
    var value: OVSDBClientError? { storage.withLockedValue { $0 } }
}
