import Foundation
import NIOCore
import NIOPosix
@testable import OVSDBClient

/// What the scripted server does when a request arrives.
enum ServerStep: Sendable {
    /// Raw bytes; `{id}` in them becomes the request's id.
    case send(String)
    case sendBytes([UInt8])
    /// The bytes one at a time, `milliseconds` apart.
    case trickle(String, milliseconds: Int)
    case pause(milliseconds: Int)
    case close
}

/// A real unix-socket server that reads requests (framed and decoded with the library's own
/// framer and jansson) and answers each as `script(method, id)` says.
private final class ScriptedServerHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let script: @Sendable (String, Int64) -> [ServerStep]
    private var framer = StreamFramer()
    private var pending: [UInt8] = []

    init(_ script: @escaping @Sendable (String, Int64) -> [ServerStep]) { self.script = script }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += Array(buffer: unwrapInboundIn(data))
        while let found = try? pending.withUnsafeBytes({ try framer.nextMessage(in: $0) }) {
            let message = try? JanssonCodec.decode(Array(pending[found.message]))
            pending.removeFirst(found.consumed)
            guard let message, let method = message["method"]?.stringValue, let id = message["id"]?.integerValue else { continue }
            run(script(method, id)[...], id: id, context: context)
        }
    }

    private func run(_ steps: ArraySlice<ServerStep>, id: Int64, context: ChannelHandlerContext) {
        guard let step = steps.first else { return }
        let rest = steps.dropFirst()
        func write(_ bytes: [UInt8]) {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
        switch step {
        case .send(let text):
            write(Array(text.replacingOccurrences(of: "{id}", with: String(id)).utf8))
            run(rest, id: id, context: context)
        case .sendBytes(let bytes):
            write(bytes)
            run(rest, id: id, context: context)
        case .trickle(let text, let ms):
            let bytes = Array(text.replacingOccurrences(of: "{id}", with: String(id)).utf8)
            let steps = bytes.flatMap { [ServerStep.sendBytes([$0]), .pause(milliseconds: ms)] }
            run(ArraySlice(steps + rest), id: id, context: context)
        case .pause(let ms):
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(ms))) { self.run(rest, id: id, context: bound.value) }
        case .close:
            context.close(promise: nil)
        }
    }
}

func withScriptedServer(_ script: @escaping @Sendable (String, Int64) -> [ServerStep],
                                _ body: (String) async throws -> Void) async throws {
    var template = Array("/tmp/ovsdb-scripted.XXXXXX".utf8CString)
    let dir = String(cString: mkdtemp(&template)!)
    let path = dir + "/s.sock"
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ScriptedServerHandler(script))
            }
        }
        .bind(unixDomainSocketPath: path).get()
    defer {
        server.close(promise: nil)
        unlink(path)
        rmdir(dir)
    }
    try await body("unix:" + path)
}
