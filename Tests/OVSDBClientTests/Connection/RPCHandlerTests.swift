import NIOCore
import NIOEmbedded
import NIOTestUtils
import NIOConcurrencyHelpers
import Testing
@testable import OVSDBClient

/// Records what a sink is given, in order.
private final class RecordingSink: NotificationSink {
    let events = NIOLockedValueBox<[String]>([])
    let inPlace: Bool
    init(inPlace: Bool = false) { self.inPlace = inPlace }
    var readsRepliesInPlace: Bool { inPlace }
    func monitorReplied(inPlace result: UnsafeRawBufferPointer) {
        events.withLockedValue { $0.append("in place \(String(decoding: result, as: UTF8.self))") }
    }
    func monitorReplied(_ result: JSON) { events.withLockedValue { $0.append("reply \(result)") } }
    func receive(inPlace u: InPlaceUpdate) {
        let text = String(decoding: u.tableUpdates, as: UTF8.self)
        events.withLockedValue { $0.append("in place \(u.method) \(u.monitor) \(u.lastTransactionID.map { "\($0)" } ?? "-") \(text)") }
    }
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
        try channel.writeInbound(RPCFrame.json(["id": 7, "result": ["x"], "error": nil]))
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
        try channel.writeInbound(RPCFrame.json(["method": "update2", "params": ["m", [:]], "id": nil]))
        try channel.writeInbound(RPCFrame.json(["id": 1, "result": ["T": [:]], "error": nil]))
        try channel.writeInbound(RPCFrame.json(["method": "update2", "params": ["m", [:]], "id": nil]))
        #expect(sink.events.withLockedValue { $0 } == [#"reply {"T":{}}"#, "note \"m\"", "caller", "note \"m\""])
        _ = try? channel.finish()
        #expect(sink.events.withLockedValue { $0.last } == "closed")
    }

    private func large(_ text: String) -> RPCFrame {
        var buffer = ByteBuffer()
        buffer.writeString(text)
        return .large(buffer)
    }

    @Test("a large monitor reply reaches an in-place sink as the bytes of its result, after its bookkeeping and before held updates; the caller gets null")
    func largeMonitorReply() throws {
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: CloseReason()))
        let sink = RecordingSink(inPlace: true)
        let promise = channel.eventLoop.makePromise(of: JSON.self)
        channel.writeAndFlush(RPCOutbound.request(id: 3, method: "monitor_cond", params: [], promise: promise, monitor: ("m", sink)), promise: nil)
        _ = try outbound(channel)
        try channel.writeInbound(RPCFrame.json(["method": "update2", "params": ["m", [:]], "id": nil]))
        try channel.writeInbound(large(#"{"error":null,"result": {"T":{"x":[1, "}"]}} ,"id":3}"#))
        try channel.writeInbound(RPCFrame.json(["method": "update2", "params": ["m", [:]], "id": nil]))
        #expect(sink.events.withLockedValue { $0 } == [#"in place {"T":{"x":[1, "}"]}}"#, "note \"m\"", "note \"m\""])
        #expect(try promise.futureResult.wait() == .null)
        _ = try? channel.finish()
    }

    @Test("a large reply to a request with an in-place reader is read by it before the caller resumes (with null); bad JSON in it closes the connection")
    func largeReplyToReader() throws {
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: CloseReason()))
        let reader = TransactReplyReader(tables: [nil])
        let promise = channel.eventLoop.makePromise(of: JSON.self)
        channel.writeAndFlush(RPCOutbound.request(id: 4, method: "transact", params: [], promise: promise, monitor: nil, reader: reader), promise: nil)
        _ = try outbound(channel)
        try channel.writeInbound(large(#"{"id":4,"error":null,"result":[{"rows":[{"name":"a"}]},{"count":2}]}"#))
        #expect(try promise.futureResult.wait() == .null)
        let results = try #require(reader.results).map { try $0.get() }
        #expect(results.map(\.rows) == [[Row(["name": .scalar(.string("a"))])], nil] && results[1].count == 2)

        let closing = EmbeddedChannel(handler: RPCHandler(closeReason: CloseReason()))
        let waiting = closing.eventLoop.makePromise(of: JSON.self)
        closing.writeAndFlush(RPCOutbound.request(id: 5, method: "transact", params: [], promise: waiting, monitor: nil, reader: TransactReplyReader(tables: [])), promise: nil)
        _ = try outbound(closing)
        _ = try? closing.writeInbound(large(#"{"id":5,"error":null,"result":[{"rows":[{"name":tru}]}]}"#))
        #expect(throws: OVSDBClientError.self) { try waiting.futureResult.wait() }
        #expect(!closing.isActive)
    }

    @Test("large updates go to an in-place sink as bytes once its reply is in; before that, or for other sinks, they are parsed and kept in order")
    func largeUpdates() throws {
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: CloseReason()))
        let sink = RecordingSink(inPlace: true)
        let promise = channel.eventLoop.makePromise(of: JSON.self)
        channel.writeAndFlush(RPCOutbound.request(id: 1, method: "monitor_cond_since", params: [], promise: promise, monitor: ("m", sink)), promise: nil)
        try channel.writeInbound(large(#"{"method":"update3","params":["m","0b4d0000-0000-4000-8000-00000000000a",{"T":{}}],"id":null}"#))
        try channel.writeInbound(large(#"{"id":1,"result":[true,"0b4d0000-0000-4000-8000-00000000000a",{}],"error":null}"#))
        try channel.writeInbound(large(#"{"params":["m","0b4d0000-0000-4000-8000-00000000000b", {"T":{"u":{"delete":null}}} ],"id":null,"method":"update3"}"#))
        try channel.writeInbound(large(#"{"method":"update2","params":["m",{"T":{}}],"id":null}"#))
        try channel.writeInbound(large(#"{"method":"update2","params":["other",{"T":{}}],"id":null}"#))
        #expect(sink.events.withLockedValue { $0 } == [
            #"in place [true,"0b4d0000-0000-4000-8000-00000000000a",{}]"#,
            "note \"m\"",
            #"in place update3 "m" 0b4d0000-0000-4000-8000-00000000000b {"T":{"u":{"delete":null}}}"#,
            #"in place update2 "m" - {"T":{}}"#,
        ])
        let plainSink = RecordingSink()
        let plain = channel.eventLoop.makePromise(of: JSON.self)
        channel.writeAndFlush(RPCOutbound.request(id: 2, method: "monitor_cond", params: [], promise: plain, monitor: ("p", plainSink)), promise: nil)
        try channel.writeInbound(RPCFrame.json(["id": 2, "result": [:], "error": nil]))
        try channel.writeInbound(large(#"{"method":"update2","params":["p",{"T":{}}],"id":null}"#))
        #expect(plainSink.events.withLockedValue { $0 } == ["reply {}", "note \"p\""])
        _ = try? channel.finish()
    }

    @Test("large messages that are not an in-place monitor reply are parsed whole; bad JSON in one closes")
    func largeOther() throws {
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: CloseReason()))
        let sink = RecordingSink()
        let monitor = channel.eventLoop.makePromise(of: JSON.self)
        channel.writeAndFlush(RPCOutbound.request(id: 1, method: "monitor_cond", params: [], promise: monitor, monitor: ("m", sink)), promise: nil)
        let plain = channel.eventLoop.makePromise(of: JSON.self)
        channel.writeAndFlush(RPCOutbound.request(id: 2, method: "transact", params: [], promise: plain, monitor: nil), promise: nil)
        try channel.writeInbound(large(#"{"id":1,"result":{"T":{}},"error":null}"#))
        try channel.writeInbound(large(#"{"id":2,"result":[{"rows":[]}],"error":null}"#))
        #expect(try monitor.futureResult.wait() == ["T": [:]])
        #expect(try plain.futureResult.wait() == [["rows": []]])
        #expect(sink.events.withLockedValue { $0 } == [#"reply {"T":{}}"#])
        let reason = CloseReason()
        let other = EmbeddedChannel(handler: RPCHandler(closeReason: reason))
        let waiting = other.eventLoop.makePromise(of: JSON.self)
        other.writeAndFlush(RPCOutbound.request(id: 5, method: "transact", params: [], promise: waiting, monitor: nil), promise: nil)
        _ = try? other.writeInbound(large(#"{"id":5,"result":[1,],"error":null}"#))
        #expect(throws: OVSDBClientError.self) { try waiting.futureResult.wait() }
        #expect(!other.isActive)
        _ = try? channel.finish()
    }

    @Test("the server's echo is answered on the wire")
    func serverEcho() throws {
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: CloseReason()))
        try channel.writeInbound(RPCFrame.json(["method": "echo", "params": [1], "id": "e"]))
        #expect(try outbound(channel) == ["result": [1], "error": nil, "id": "e"])
        _ = try? channel.finish()
    }

    @Test("a protocol violation fails what waits with the reason and closes")
    func violation() throws {
        let reason = CloseReason()
        let channel = EmbeddedChannel(handler: RPCHandler(closeReason: reason))
        let promise = channel.eventLoop.makePromise(of: JSON.self)
        channel.writeAndFlush(RPCOutbound.request(id: 1, method: "echo", params: [], promise: promise, monitor: nil), promise: nil)
        try channel.writeInbound(RPCFrame.json(["id": 42, "result": [], "error": nil]))
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
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: [(input, messages.map(RPCFrame.json))]) {
            FrameDecoder(maximumMessageSize: 1 << 20)
        }
    }

    @Test("messages from the in-place size on come out as their bytes, unparsed")
    func largeFrames() throws {
        let small: JSON = ["id": 1, "result": [], "error": nil]
        let big = #"{"id":2,"result":{"T":{"u":{"initial":{"s":"}]"}}}},"error":null}"#
        var input = ByteBuffer()
        input.writeBytes(JSONWriter.encode(small))
        input.writeString(" " + big + "\n")
        var bigBuffer = ByteBuffer()
        bigBuffer.writeString(big)
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: [(input, [.json(small), .large(bigBuffer)])]) {
            FrameDecoder(maximumMessageSize: 1 << 20, largeMessageSize: 40)
        }
    }
}
