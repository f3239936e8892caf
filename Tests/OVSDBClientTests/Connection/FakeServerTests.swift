#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Testing
@testable import OVSDBClient

/// A server on a unix socket that answers the first request with scripted bytes, then
/// optionally closes: what a broken or hostile peer would send.
private final class ScriptedReply: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let bytes: [UInt8]
    let closeAfter: Bool
    init(_ bytes: [UInt8], closeAfter: Bool) {
        self.bytes = bytes
        self.closeAfter = closeAfter
    }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let closeAfter = self.closeAfter
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in
            if closeAfter { context.close(promise: nil) }
        }
    }
}

private func withFakeServer(replying bytes: [UInt8], closeAfter: Bool = false,
                            _ body: (String) async throws -> Void) async throws {
    var template = Array("/tmp/ovsdb-fake.XXXXXX".utf8CString)
    let dir = String(cString: mkdtemp(&template)!)
    let path = dir + "/fake.sock"
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ScriptedReply(bytes, closeAfter: closeAfter))
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

/// Runs `body` with a deadline so a hang fails the test instead of the whole run.
private func within<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw OVSDBClientError.timedOut("test deadline of \(seconds) s")
        }
        group.cancelAll()
        return value
    }
}

@Suite("bad bytes from the server")
struct FakeServerTests {
    private func expectViolation(_ reply: [UInt8], closeAfter: Bool = false, maximumMessageSize: Int = StreamFramer.defaultMaximumMessageSize,
                                 matching check: @escaping @Sendable (OVSDBClientError) -> Bool) async throws {
        try await withFakeServer(replying: reply, closeAfter: closeAfter) { remote in
            let outcome: Result<[JSON], OVSDBClientError> = try await within(seconds: 30) {
                let c = try await OVSDBConnection.connect(to: remote, configuration: .init(maximumMessageSize: maximumMessageSize))
                do {
                    return .success(try await c.echo(["hi"]))
                } catch let e as OVSDBClientError {
                    for _ in 0..<100 where c.isActive { try await Task.sleep(for: .milliseconds(10)) }
                    #expect(!c.isActive, "the connection must be closed after a protocol error")
                    return .failure(e)
                }
            }
            guard case .failure(let e) = outcome else {
                Issue.record("expected a typed error, got \(outcome)")
                return
            }
            #expect(check(e), "unexpected error: \(e)")
        }
    }

    @Test("truncated JSON, then the server closes")
    func truncated() async throws {
        try await expectViolation(Array(#"{"id":1,"result":["hi""#.utf8), closeAfter: true) { e in
            if case .protocolViolation(let why) = e { return why.contains("middle of a message") }
            return false
        }
    }

    @Test("invalid UTF-8 inside a string")
    func invalidUTF8() async throws {
        try await expectViolation(Array(#"{"id":1,"error":null,"result":[""#.utf8) + [0xFF, 0xFE] + Array(#""]}"#.utf8)) { e in
            if case .protocolViolation(let why) = e { return why.contains("bad JSON") }
            return false
        }
    }

    @Test("a reply with an id nobody asked for")
    func unknownID() async throws {
        try await expectViolation(Array(#"{"id":4242,"error":null,"result":[]}"#.utf8)) { e in
            if case .protocolViolation(let why) = e { return why.contains("unknown id 4242") }
            return false
        }
    }

    @Test("a message larger than the configured maximum")
    func oversized() async throws {
        let big = #"{"id":1,"error":null,"result":[""# + String(repeating: "x", count: 10_000) + #""]}"#
        try await expectViolation(Array(big.utf8), maximumMessageSize: 1024) { e in
            if case .protocolViolation(let why) = e { return why.contains("maximum size of 1024") }
            return false
        }
    }

    @Test("the server closes without answering")
    func closesSilently() async throws {
        try await expectViolation([], closeAfter: true) { e in
            if case .connectionClosed = e { return true }
            return false
        }
    }
}
