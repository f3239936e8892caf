import NIOCore
import Testing
@testable import OVSDBClient

/// Promises and sinks are plain strings here: the machine only hands them back.
private typealias Machine = RPCStateMachine<String, String>

private func sent(_ a: Machine.RequestAction) -> JSON? {
    guard case .send(let id, let method, let params) = a else { return nil }
    let bytes = params.buffers(id: id, method: method, allocator: ByteBufferAllocator()).flatMap { Array($0.readableBytesView) }
    return try? JSONReader.decode(bytes)
}

@Suite("JSON-RPC state machine")
struct RPCStateMachineTests {
    @Test("replies complete their own requests in any order")
    func outOfOrder() throws {
        var m = Machine()
        #expect(sent(m.startRequest(id: 1, method: "transact", params: [], promise: "a"))?["id"] == 1)
        #expect(sent(m.startRequest(id: 2, method: "echo", params: ["x"], promise: "b"))?["params"] == ["x"])
        guard case .succeed("b", let r) = m.receive(["id": 2, "result": ["x"], "error": nil]) else { Issue.record("b"); return }
        #expect(r == ["x"])
        guard case .fail("a", .rpcError(let method, _)) = m.receive(["id": 1, "result": nil, "error": ["error": "x"]]) else { Issue.record("a"); return }
        #expect(method == "transact")
        #expect(m.pendingCount == 0)
    }

    @Test("the server's echo is answered with its own params and id; unknown methods get an error reply")
    func echo() {
        var m = Machine()
        guard case .reply(let j) = m.receive(["method": "echo", "params": ["x"], "id": "echo"]) else { Issue.record("echo"); return }
        #expect(j == ["result": ["x"], "error": nil, "id": "echo"])
        guard case .reply(let k) = m.receive(["method": "frobnicate", "params": [], "id": 7]) else { Issue.record("unknown"); return }
        #expect(k["error"]?["error"] == "unknown method")
    }

    @Test("updates for a monitor are held back until its reply, then delivered after it, in order")
    func heldBack() {
        var m = Machine()
        _ = m.startRequest(id: 1, method: "monitor_cond", params: [], promise: "p", monitor: ("m1", "sink"))
        let early1: JSON = ["method": "update2", "params": ["m1", ["T": [:]]], "id": nil]
        let early2: JSON = ["method": "update2", "params": ["m1", ["U": [:]]], "id": nil]
        guard case .ignore = m.receive(early1), case .ignore = m.receive(early2) else { Issue.record("held"); return }
        guard case .monitorReplied("p", _, "sink", let held) = m.receive(["id": 1, "result": [:], "error": nil]) else { Issue.record("reply"); return }
        #expect(held == [.update2(monitor: "m1", tableUpdates: ["T": [:]]), .update2(monitor: "m1", tableUpdates: ["U": [:]])])
        guard case .deliver("sink", .update2) = m.receive(early1) else { Issue.record("after"); return }
    }

    @Test("updates for unknown or cancelled monitors are dropped; lock notifications go to their lock's sink")
    func routing() {
        var m = Machine()
        guard case .ignore = m.receive(["method": "update3", "params": ["nobody", "00000000-0000-0000-0000-000000000000", [:]], "id": nil]) else { Issue.record("unknown"); return }
        _ = m.startRequest(id: 1, method: "monitor", params: [], promise: "p", monitor: ("m", "s"))
        _ = m.receive(["id": 1, "result": [:], "error": nil])
        #expect(m.unregisterMonitor("m") == "s")
        guard case .ignore = m.receive(["method": "update", "params": ["m", [:]], "id": nil]) else { Issue.record("cancelled"); return }
        m.registerLock("L", sink: "lockSink")
        guard case .deliver("lockSink", .stolen(lock: "L")) = m.receive(["method": "stolen", "params": ["L"], "id": nil]) else { Issue.record("stolen"); return }
        guard case .ignore = m.receive(["method": "locked", "params": ["other"], "id": nil]) else { Issue.record("other lock"); return }
    }

    @Test("a malformed update closes the connection, failing what waits")
    func malformedUpdate() {
        var m = Machine()
        _ = m.startRequest(id: 1, method: "echo", params: [], promise: "p")
        guard case .close(.protocolViolation(let why), let failing) = m.receive(["method": "update2", "params": ["m", "not an object"], "id": nil]) else {
            Issue.record("close"); return
        }
        #expect(why.contains("update2"))
        #expect(failing == ["p"])
        guard case .fail("q", .protocolViolation) = m.startRequest(id: 2, method: "echo", params: [], promise: "q") else { Issue.record("refuse"); return }
    }

    @Test("a monitor whose reply never comes cannot make the machine hold updates without end")
    func heldBackBounded() {
        var m = Machine()
        _ = m.startRequest(id: 1, method: "monitor_cond", params: [], promise: "p", monitor: ("m", "s"))
        let note: JSON = ["method": "update2", "params": ["m", [:]], "id": nil]
        for _ in 0..<Machine.heldBackLimit {
            guard case .ignore = m.receive(note) else { Issue.record("early close"); return }
        }
        guard case .close(_, let failing) = m.receive(note) else { Issue.record("no close"); return }
        #expect(failing == ["p"])
    }

    @Test("a reply with an unknown id closes the connection")
    func unknownID() {
        var m = Machine()
        guard case .close(.protocolViolation, _) = m.receive(["id": 99, "result": [], "error": nil]) else {
            Issue.record("expected a protocol violation"); return
        }
    }

    @Test("a cancel that arrives before its request: the request is never sent")
    func cancelBeforeRequest() {
        var m = Machine()
        guard case .none = m.cancel(id: 5) else { Issue.record("cancel"); return }
        guard case .cancelled("p") = m.startRequest(id: 5, method: "echo", params: [], promise: "p") else { Issue.record("sent"); return }
        #expect(m.pendingCount == 0)
    }

    @Test("cancels that arrive after their reply are bounded too")
    func lateCancelsBounded() {
        var m = Machine()
        for id in Int64(1)...5000 {
            _ = m.startRequest(id: id, method: "echo", params: [], promise: "p")
            _ = m.receive(["id": .integer(id), "result": [], "error": nil])
            _ = m.cancel(id: id)
        }
        #expect(m.cancelledEarlyCount == Machine.abandonedLimit)
    }

    @Test("a late reply to a cancelled request is ignored, not a violation")
    func abandoned() {
        var m = Machine()
        _ = m.startRequest(id: 1, method: "transact", params: [], promise: "p")
        guard case .sendCancel(let j, "p") = m.cancel(id: 1) else { Issue.record("cancel"); return }
        #expect(j == ["method": "cancel", "params": [1], "id": nil])
        guard case .ignore = m.receive(["id": 1, "result": [], "error": nil]) else { Issue.record("late"); return }
    }

    @Test("abandoned request ids are bounded")
    func abandonedBounded() {
        var m = Machine()
        for id in Int64(1)...5000 {
            _ = m.startRequest(id: id, method: "echo", params: [], promise: "p")
            _ = m.cancel(id: id)
        }
        #expect(m.abandonedCount == Machine.abandonedLimit)
        // The newest abandoned id is still recognised; the oldest is forgotten.
        guard case .ignore = m.receive(["id": 5000, "result": [], "error": nil]) else { Issue.record("newest"); return }
        guard case .close = m.receive(["id": 1, "result": [], "error": nil]) else { Issue.record("an id forgotten long ago must be unknown"); return }
    }

    @Test("closing fails every waiting request, returns the sinks, keeps the first reason")
    func close() {
        var m = Machine()
        _ = m.startRequest(id: 1, method: "a", params: [], promise: "a")
        _ = m.startRequest(id: 2, method: "b", params: [], promise: "b", monitor: ("m", "s"))
        m.registerLock("L", sink: "l")
        let first = m.close(.connectionClosed(reason: "bye"))
        #expect(Set(first.promises) == ["a", "b"])
        #expect(Set(first.sinks) == ["s", "l"])
        let again = m.close(.connectionClosed(reason: "again"))
        #expect(again.promises.isEmpty && again.reason == .connectionClosed(reason: "bye"))
        guard case .fail("c", .connectionClosed) = m.startRequest(id: 3, method: "c", params: [], promise: "c") else {
            Issue.record("a closed machine must refuse requests"); return
        }
    }

    @Test("while closing, new requests are refused and outstanding replies still complete")
    func closing() {
        var m = Machine()
        _ = m.startRequest(id: 1, method: "a", params: [], promise: "a")
        m.beginClosing()
        guard case .fail("b", _) = m.startRequest(id: 2, method: "b", params: [], promise: "b") else { Issue.record("refuse"); return }
        guard case .succeed("a", _) = m.receive(["id": 1, "result": [], "error": nil]) else { Issue.record("complete"); return }
    }

    @Test("non-JSON-RPC objects are violations")
    func malformed() {
        var m = Machine()
        guard case .close = m.receive(["hello": 1]) else { Issue.record("expected close"); return }
        var n = Machine()
        guard case .close = n.receive([1, 2]) else { Issue.record("expected close"); return }
    }
}
