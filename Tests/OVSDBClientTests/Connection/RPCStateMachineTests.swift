import Testing
@testable import OVSDBClient

@Suite("JSON-RPC state machine")
struct RPCStateMachineTests {
    @Test("replies complete their own requests in any order")
    func outOfOrder() throws {
        var m = RPCStateMachine()
        let a = try m.startRequest(method: "transact").get()
        let b = try m.startRequest(method: "echo").get()
        #expect(a != b)
        #expect(m.receive(["id": .integer(b), "result": [], "error": nil]) == .complete(id: b, method: "echo", result: [], error: nil))
        #expect(m.receive(["id": .integer(a), "result": nil, "error": ["error": "x"]]) == .complete(id: a, method: "transact", result: nil, error: ["error": "x"]))
        #expect(m.pending.isEmpty)
    }

    @Test("the server's echo is answered with its own params and id")
    func echo() {
        var m = RPCStateMachine()
        #expect(m.receive(["method": "echo", "params": ["x"], "id": "echo"]) == .reply(["result": ["x"], "error": nil, "id": "echo"]))
    }

    @Test("notifications pass through")
    func notification() {
        var m = RPCStateMachine()
        #expect(m.receive(["method": "update", "params": [nil, [:]], "id": nil]) == .notify(method: "update", params: [nil, [:]]))
    }

    @Test("a reply with an unknown id closes the connection")
    func unknownID() {
        var m = RPCStateMachine()
        guard case .close(.protocolViolation) = m.receive(["id": 99, "result": [], "error": nil]) else {
            Issue.record("expected a protocol violation")
            return
        }
    }

    @Test("a late reply to an abandoned request is ignored, not a violation")
    func abandoned() throws {
        var m = RPCStateMachine()
        let id = try m.startRequest(method: "transact").get()
        let first = m.abandon(id)
        #expect(first)
        #expect(m.receive(["id": .integer(id), "result": [], "error": nil]) == .ignore)
        let second = m.abandon(id)
        #expect(!second)
    }

    @Test("closing fails every waiting request and refuses new ones")
    func close() throws {
        var m = RPCStateMachine()
        let a = try m.startRequest(method: "a").get()
        let b = try m.startRequest(method: "b").get()
        #expect(Set(m.close(.connectionClosed(reason: "bye"))) == [a, b])
        #expect(m.close(.connectionClosed(reason: "again")).isEmpty)
        guard case .failure(.connectionClosed) = m.startRequest(method: "c") else {
            Issue.record("a closed machine must refuse requests")
            return
        }
    }

    @Test("non-JSON-RPC objects are violations")
    func malformed() {
        var m = RPCStateMachine()
        guard case .close = m.receive(["hello": 1]) else { Issue.record("expected close"); return }
        var n = RPCStateMachine()
        guard case .close = n.receive([1, 2]) else { Issue.record("expected close"); return }
    }
}
