import NIOConcurrencyHelpers
import NIOCore

/// What the connection asks the handler to do.
enum RPCOutbound {
    case request(id: Int64, method: String, params: RequestParams, promise: EventLoopPromise<JSON>,
                 monitor: (id: JSON, sink: any NotificationSink)?, reader: (any InPlaceReplyReader)? = nil)
    case notification(method: String, params: [JSON])
    /// Stop waiting for request `id`: tell the server (RFC 7047 `cancel`) and fail the caller.
    case cancel(id: Int64)
    case registerLock(String, any NotificationSink)
    case unregisterLock(String)
    case unregisterMonitor(JSON)
    /// The user is closing: refuse new requests from now on.
    case beginClosing
}

/// Carries out `RPCStateMachine`'s decisions on a NIO channel: encodes requests, completes
/// their promises, answers echo, hands notifications to their sinks, and fails everything on
/// close. It keeps no request state of its own.
final class RPCHandler: ChannelDuplexHandler {
    typealias InboundIn = RPCFrame
    typealias OutboundIn = RPCOutbound
    typealias OutboundOut = ByteBuffer

    private var machine = RPCStateMachine<EventLoopPromise<JSON>, any NotificationSink>()
    private let closeReason: CloseReason

    init(closeReason: CloseReason) {
        self.closeReason = closeReason
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .request(let id, let method, let params, let replyPromise, let monitor, let reader):
            switch machine.startRequest(id: id, method: method, params: params, promise: replyPromise, monitor: monitor, reader: reader) {
            case .send(let id, let method, let params):
                let buffers = params.buffers(id: id, method: method, allocator: context.channel.allocator)
                for (i, buffer) in buffers.enumerated() {
                    context.write(wrapOutboundOut(buffer), promise: i == buffers.count - 1 ? promise : nil)
                }
            case .fail(let p, let e):
                p.fail(e)
                promise?.fail(e)
            case .cancelled(let p):
                p.fail(CancellationError())
                promise?.succeed()
            }
        case .notification(let method, let params):
            send(RPCMessage.notification(method: method, params: params).json, context: context, promise: promise)
        case .cancel(let id):
            switch machine.cancel(id: id) {
            case .sendCancel(let json, let p):
                p.fail(CancellationError())
                send(json, context: context, promise: promise)
            case .none:
                promise?.succeed()
            }
        case .registerLock(let name, let sink):
            machine.registerLock(name, sink: sink)
            promise?.succeed()
        case .unregisterLock(let name):
            machine.unregisterLock(name)
            promise?.succeed()
        case .unregisterMonitor(let id):
            _ = machine.unregisterMonitor(id)
            promise?.succeed()
        case .beginClosing:
            machine.beginClosing()
            promise?.succeed()
        }
    }

    private func send(_ json: JSON, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let bytes = JSONWriter.encode(json)
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .json(let json):
            perform(machine.receive(json), context: context)
        case .large(let buffer):
            buffer.withUnsafeReadableBytes { bytes in receiveLarge(bytes, context: context) }
        }
    }

    /// A large reply to a monitor whose sink reads in place, or a large update for one whose
    /// reply has been delivered, goes to it as bytes; anything else large is parsed whole.
    private func receiveLarge(_ bytes: UnsafeRawBufferPointer, context: ChannelHandlerContext) {
        switch InPlaceEnvelope(bytes) {
        case .reply(let id, let result)?:
            if let reader = machine.replyReader(awaitingReply: id) {
                do {
                    try reader.read(inPlace: UnsafeRawBufferPointer(rebasing: bytes[result]))
                } catch {
                    errorCaught(context: context, error: OVSDBClientError.protocolViolation("bad JSON from server: \(error)"))
                    return
                }
                // The caller takes the result from its reader.
                return perform(machine.receiveResponse(result: .null, error: .null, id: id), context: context)
            }
            guard let sink = machine.monitorSink(awaitingReply: id), sink.readsRepliesInPlace else { break }
            let action = machine.receiveResponse(result: .null, error: .null, id: id)
            guard case .monitorReplied(let p, _, let sink, let held) = action else { return perform(action, context: context) }
            sink.monitorReplied(inPlace: UnsafeRawBufferPointer(rebasing: bytes[result]))
            for note in held { sink.receive(note) }
            p.succeed(.null)
            return
        case .update(let method, let monitor, let txn, let updates)?:
            guard let sink = machine.deliveringSink(forMonitor: monitor), sink.readsRepliesInPlace else { break }
            sink.receive(inPlace: InPlaceUpdate(method: method, monitor: monitor, lastTransactionID: txn,
                                                tableUpdates: UnsafeRawBufferPointer(rebasing: bytes[updates])))
            return
        case nil:
            break
        }
        let json: JSON
        do {
            json = try JSONReader.decode(bytes)
        } catch {
            errorCaught(context: context, error: OVSDBClientError.protocolViolation("bad JSON from server: \(error)"))
            return
        }
        perform(machine.receive(json), context: context)
    }

    private func perform(_ action: RPCStateMachine<EventLoopPromise<JSON>, any NotificationSink>.InboundAction, context: ChannelHandlerContext) {
        switch action {
        case .succeed(let p, let result):
            p.succeed(result)
        case .fail(let p, let e):
            p.fail(e)
        case .monitorReplied(let p, let result, let sink, let held):
            sink.monitorReplied(result)
            for note in held { sink.receive(note) }
            p.succeed(result)
        case .reply(let json):
            send(json, context: context, promise: nil)
            context.flush()
        case .deliver(let sink, let note):
            sink.receive(note)
        case .close(let e, let promises):
            closeReason.record(e)
            for p in promises { p.fail(e) }
            context.close(promise: nil)
        case .ignore:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        end((error as? OVSDBClientError) ?? .connectionClosed(reason: "\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(.connectionClosed(reason: machine.isClosing ? "closed by this client" : "the server closed the connection"))
        context.fireChannelInactive()
    }

    /// Ends the machine with `error` unless it already ended, and tells every waiter why.
    private func end(_ error: OVSDBClientError) {
        let (promises, sinks, reason) = machine.close(error)
        closeReason.record(reason)
        for p in promises { p.fail(reason) }
        for s in sinks { s.connectionClosed(reason) }
    }
}

/// Why a connection closed, readable from outside the event loop: a write that fails on a
/// closed channel reports this instead of NIO's bare "I/O on closed channel".
final class CloseReason: Sendable {
    private let storage = NIOLockedValueBox<OVSDBClientError?>(nil)
    func record(_ e: OVSDBClientError) { storage.withLockedValue { if $0 == nil { $0 = e } } }
    var value: OVSDBClientError? { storage.withLockedValue { $0 } }
}
