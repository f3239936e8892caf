import NIOCore
import NIOEmbedded
import NIOTestUtils
import NIOConcurrencyHelpers
import Testing
@testable import OVSDBClient

/// Records what a sink is given, in order.
private final class RecordingSink: NotificationSink {
    let events = NIOLockedValueBox<[String]>([])
    func monitorReplied(_ result: JSON) { events.withLockedValue { $0.append("reply \(result)") } }
    func receive(_ n: ServerNotification) { events.withLockedValue { $0.append("note \(n.monitorID ?? .null)") } }
    func connectionClosed(_ e: OVSDBClientError) { events.withLockedValue { $0.append("closed") } }
}

private func outbound(_ channel: EmbeddedChannel) throws -> JSON? {
    guard var buffer = try channel.readOutbound(as: ByteBuffer.self) else { return nil }
    return try JanssonCodec.decode(buffer.readBytes(length: buffer.readableBytes)!)
}

@Suite("the RPC handler in an EmbeddedChannel")
struct RPCHandlerTests {
    @Test("a request goes out with its id; the reply completes its promise")
    func requestReply() throws {
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: CloseReason()))
        let promise = channel.eventLoop.makePromise(of: JSON.self)
        channel.writeAndFlush(RPCOutbound.request(id: 7, method: "echo", params: ["x"], promise: promise, monitor: nil), promise: nil)
        #expect(try outbound(channel) == ["method": "echo", "params": ["x"], "id": 7])
        try channel.writeInbound(["id": 7, "result": ["x"], "error": nil] as JSON)
        #expect(try promise.futureResult.wait() == ["x"])
        _ = try? channel.finish()
    }

    @Test("a monitor's reply reaches its sink before the updates that came early, and before the caller resumes")
    func monitorOrder() throws {
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: CloseReason()))
        let sink = RecordingSink()
        let promise = channel.eventLoop.makePromise(of: JSON.self)
        promise.futureResult.whenSuccess { _ in sink.events.withLockedValue { $0.append("caller") } }
        channel.writeAndFlush(RPCOutbound.request(id: 1, method: "monitor_cond", params: [], promise: promise, monitor: ("m", sink)), promise: nil)
        _ = try outbound(channel)
        try channel.writeInbound(["method": "update2", "params": ["m", [:]], "id": nil] as JSON)
        try channel.writeInbound(["id": 1, "result": ["T": [:]], "error": nil] as JSON)
        try channel.writeInbound(["method": "update2", "params": ["m", [:]], "id": nil] as JSON)
        #expect(sink.events.withLockedValue { $0 } == [#"reply {"T":{}}"#, "note \"m\"", "caller", "note \"m\""])
        _ = try? channel.finish()
        #expect(sink.events.withLockedValue { $0.last } == "closed")
    }

    @Test("the server's echo is answered on the wire")
    func serverEcho() throws {
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: CloseReason()))
        try channel.writeInbound(["method": "echo", "params": [1], "id": "e"] as JSON)
        #expect(try outbound(channel) == ["result": [1], "error": nil, "id": "e"])
        _ = try? channel.finish()
    }

    @Test("a protocol violation fails what waits with the reason and closes")
    func violation() throws {
        let reason = CloseReason()
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: reason))
        let promise = channel.eventLoop.makePromise(of: JSON.self)
        channel.writeAndFlush(RPCOutbound.request(id: 1, method: "echo", params: [], promise: promise, monitor: nil), promise: nil)
        try channel.writeInbound(["id": 42, "result": [], "error": nil] as JSON)
        #expect(throws: OVSDBClientError.self) { try promise.futureResult.wait() }
        guard case .protocolViolation(let why)? = reason.value else { Issue.record("\(String(describing: reason.value))"); return }
        #expect(why.contains("unknown id"))
        #expect(!channel.isActive)
    }
}

@Suite("the frame decoder")
struct FrameDecoderTests {
    @Test("any split of the byte stream gives the same messages (ByteToMessageDecoderVerifier)")
    func splits() throws {
        let messages: [JSON] = [["id": 1, "result": ["a", "b"], "error": nil], ["method": "update2", "params": ["m", ["T": [:]]], "id": nil], [["x": "}{\"]"]]]
        var input = ByteBuffer()
        for m in messages { input.writeBytes(JSONWriter.encode(m)) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: [(input, messages)]) {
            FrameDecoder(maximumMessageSize: 1 << 20)
        }
    }
}
