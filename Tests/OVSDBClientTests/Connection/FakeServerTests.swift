#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Testing
@testable import OVSDBClient
import OVSDBTestSupport

/// The scripted server answering the first request with `bytes`, then optionally closing.
private func withFakeServer(replying bytes: [UInt8], closeAfter: Bool = false,
                            _ body: (String) async throws -> Void) async throws {
    try await withScriptedServer({ _, _ in [.sendBytes(bytes)] + (closeAfter ? [.close] : []) }, body)
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
