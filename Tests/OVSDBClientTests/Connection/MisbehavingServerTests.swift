import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import OVSDBClient
import OVSDBTestSupport

private func echoOutcome(_ remote: String, maximumMessageSize: Int = StreamFramer.defaultMaximumMessageSize) async throws -> Result<[JSON], OVSDBClientError> {
    try await within(seconds: 90) {
        let c = try await OVSDBConnection.connect(to: remote, configuration: .init(maximumMessageSize: maximumMessageSize))
        defer { Task { await c.close() } }
        do {
            return .success(try await c.echo(["hi"]))
        } catch let e as OVSDBClientError {
            return .failure(e)
        }
    }
}

@Suite("a misbehaving server: typed errors or a clean close, never a crash or a hang")
struct MisbehavingServerTests {
    @Test("garbage bytes")
    func garbage() async throws {
        try await withScriptedServer({ _, _ in [.send("hello, this is not JSON\n")] }) { remote in
            let outcome = try await echoOutcome(remote)
            guard case .failure(.protocolViolation(let why)) = outcome else { Issue.record("\(outcome)"); return }
            #expect(why.contains("unexpected byte"))
        }
    }

    @Test("a message that never ends is cut at the size limit")
    func endlessMessage() async throws {
        let flood = String(repeating: "[", count: 64 * 1024)
        try await withScriptedServer({ _, _ in [.send(flood)] }) { remote in
            let outcome = try await echoOutcome(remote, maximumMessageSize: 4096)
            guard case .failure(.protocolViolation(let why)) = outcome else { Issue.record("\(outcome)"); return }
            #expect(why.contains("maximum size of 4096"))
        }
    }

    @Test("a reply sent twice: the first completes the call, the second closes the connection")
    func duplicateReply() async throws {
        let reply = #"{"id":{id},"result":["hi"],"error":null}"#
        try await withScriptedServer({ _, _ in [.send(reply), .pause(milliseconds: 50), .send(reply)] }) { remote in
            try await within(seconds: 90) {
                let c = try await OVSDBConnection.connect(to: remote)
                #expect(try await c.echo(["hi"]) == ["hi"])
                for _ in 0..<200 where c.isActive { try await Task.sleep(for: .milliseconds(10)) }
                #expect(!c.isActive)
                await #expect(throws: OVSDBClientError.self) { _ = try await c.echo(["again"]) }
                await c.close()
            }
        }
    }

    @Test("a reply that never comes: the caller's cancellation ends the call; the connection stays usable")
    func neverReplies() async throws {
        try await withScriptedServer({ method, _ in
            method == "echo" ? [] : [.send(#"{"id":{id},"result":["db"],"error":null}"#)]
        }) { remote in
            try await within(seconds: 90) {
                let c = try await OVSDBConnection.connect(to: remote)
                let call = Task { try await c.echo(["lost"]) }
                try await Task.sleep(for: .milliseconds(200))
                call.cancel()
                await #expect(throws: CancellationError.self) { _ = try await call.value }
                #expect(try await c.listDatabases() == ["db"])
                await c.close()
            }
        }
    }

    @Test("a reply trickling in one byte at a time")
    func slowTrickle() async throws {
        try await withScriptedServer({ _, _ in [.trickle(#"{"id":{id},"result":["hi"],"error":null}"#, milliseconds: 3)] }) { remote in
            let outcome = try await echoOutcome(remote)
            #expect(try outcome.get() == ["hi"])
        }
    }

    @Test("notifications for unknown monitors are dropped, a server echo answered; the reply still arrives")
    func unknownNotifications() async throws {
        let notes = #"{"method":"update2","params":["nobody",{"NoSuchTable":{"x":{"insert":{}}}}],"id":null}"#
            + #"{"method":"echo","params":[],"id":"server-1"}"#
            + #"{"method":"no_such_method","params":[1],"id":"server-2"}"#
        try await withScriptedServer({ _, _ in [.send(notes), .send(#"{"id":{id},"result":["hi"],"error":null}"#)] }) { remote in
            let outcome = try await echoOutcome(remote)
            #expect(try outcome.get() == ["hi"])
        }
    }

    @Test("a malformed update closes the connection with a protocol violation")
    func malformedNotification() async throws {
        let note = #"{"method":"update","params":[null,"not an object"],"id":null}"#
        try await withScriptedServer({ _, _ in [.send(note), .send(#"{"id":{id},"result":["hi"],"error":null}"#)] }) { remote in
            let outcome = try await echoOutcome(remote)
            guard case .failure(.protocolViolation(let why)) = outcome else { Issue.record("\(outcome)"); return }
            #expect(why.contains("update notification"))
        }
    }

    @Test("a flood of updates for no monitor is dropped as it comes: the reply still arrives")
    func notificationFlood() async throws {
        let one = #"{"method":"update3","params":["m","00000000-0000-0000-0000-000000000000",{"T":{}}],"id":null}"#
        let flood = String(repeating: one, count: 20_000)
        try await withScriptedServer({ _, _ in [.send(flood), .send(#"{"id":{id},"result":["hi"],"error":null}"#)] }) { remote in
            let outcome = try await echoOutcome(remote)
            #expect(try outcome.get() == ["hi"])
        }
    }

    @Test("a reply that is not JSON-RPC (both result and error missing)")
    func malformedReply() async throws {
        try await withScriptedServer({ _, _ in [.send(#"{"id":{id}}"#)] }) { remote in
            let outcome = try await echoOutcome(remote)
            guard case .failure(.protocolViolation) = outcome else { Issue.record("\(outcome)"); return }
        }
    }
}
