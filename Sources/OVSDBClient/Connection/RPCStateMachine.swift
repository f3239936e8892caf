/// The JSON-RPC decisions of one connection, without I/O. It owns every request's state: the
/// caller's promise, monitors waiting for their first reply, cancels that arrive before the
/// request does, the bounded set of abandoned ids and the reason the connection ended. The
/// channel handler feeds it events and carries out the actions it returns.
///
/// Generic over the promise and the monitor sink so tests drive it with plain values.
struct RPCStateMachine<Promise, Sink> {
    enum State {
        case active
        /// The user asked to close: nothing new is sent, replies still complete requests.
        case closing
        case closed(OVSDBClientError)
    }

    struct Pending {
        var method: String
        var promise: Promise
        /// A monitor request's id and sink: its updates go to the sink once its reply has.
        var monitor: (id: JSON, sink: Sink)?
        /// Reads the result of a large reply in place (see `InPlaceReplyReader`).
        var reader: (any InPlaceReplyReader)?
    }

    enum RequestAction {
        case send(id: Int64, method: String, params: RequestParams)
        case fail(Promise, OVSDBClientError)
        /// Cancelled before it reached the connection: never sent.
        case cancelled(Promise)
    }

    enum CancelAction {
        /// Tell the server (RFC 7047 `cancel`) and fail the caller.
        case sendCancel(JSON, Promise)
        case none
    }

    enum InboundAction {
        case succeed(Promise, JSON)
        case fail(Promise, OVSDBClientError)
        /// A monitor's reply: hand `result` to the sink, then the updates that arrived before
        /// it (held back), then succeed the caller.
        case monitorReplied(Promise, JSON, Sink, held: [ServerNotification])
        /// Answer the server (its `echo` requests, unknown methods).
        case reply(JSON)
        /// Deliver an update or lock notification to its sink.
        case deliver(Sink, ServerNotification)
        /// The peer broke the protocol: close, failing `promises`.
        case close(OVSDBClientError, failing: [Promise])
        /// A late reply to an abandoned request, an update for a cancelled monitor, an
        /// unknown notification.
        case ignore
    }

    private(set) var state: State = .active
    private var pending: [Int64: Pending] = [:]
    /// Sinks of monitors that replied, by monitor id; lock sinks by lock name.
    private var monitors: [JSON: Sink] = [:]
    private var lockSinks: [String: Sink] = [:]
    /// Updates for monitors whose reply has not arrived yet.
    private var heldBack: [JSON: [ServerNotification]] = [:]
    private var waitingMonitorIDs: Set<JSON> = []
    /// Ids cancelled before their request reached the machine. Bounded: a cancel that comes
    /// after its reply (the caller's task cancelled just as it completed) is never claimed.
    private var cancelledEarly = BoundedIDSet(limit: Self.abandonedLimit)
    /// Requests given up on: Open vSwitch may still answer them (or, for `cancel`, may not).
    /// Bounded, oldest forgotten first, so a server that never answers cannot grow it; a reply
    /// to a forgotten id is then an unknown id.
    private var abandoned = BoundedIDSet(limit: Self.abandonedLimit)
    static var abandonedLimit: Int { 1024 }
    static var heldBackLimit: Int { 4096 }

    var pendingCount: Int { pending.count }
    var isClosing: Bool {
        if case .closing = state { return true }
        return false
    }
    var abandonedCount: Int { abandoned.count }
    var cancelledEarlyCount: Int { cancelledEarly.count }
    var closeReason: OVSDBClientError? {
        if case .closed(let e) = state { return e }
        return nil
    }

    mutating func startRequest(id: Int64, method: String, params: RequestParams, promise: Promise,
                               monitor: (id: JSON, sink: Sink)? = nil, reader: (any InPlaceReplyReader)? = nil) -> RequestAction {
        switch state {
        case .closed(let e): return .fail(promise, e)
        case .closing: return .fail(promise, .connectionClosed(reason: "the connection is closing"))
        case .active: break
        }
        if cancelledEarly.remove(id) { return .cancelled(promise) }
        if let monitor {
            if monitors[monitor.id] != nil || waitingMonitorIDs.contains(monitor.id) {
                return .fail(promise, .invalidRequest(OVSDBError(tag: "duplicate monitor ID", details: "monitor \(monitor.id) is already in use")))
            }
            waitingMonitorIDs.insert(monitor.id)
        }
        pending[id] = Pending(method: method, promise: promise, monitor: monitor, reader: reader)
        return .send(id: id, method: method, params: params)
    }

    /// Routes `locked`/`stolen` for `lock` to `sink` (set before sending `lock` or `steal`).
    mutating func registerLock(_ lock: String, sink: Sink) { lockSinks[lock] = sink }
    mutating func unregisterLock(_ lock: String) { lockSinks.removeValue(forKey: lock) }

    /// Stops routing a monitor's updates (after `monitor_cancel`, or when its user is gone).
    mutating func unregisterMonitor(_ id: JSON) -> Sink? {
        heldBack.removeValue(forKey: id)
        return monitors.removeValue(forKey: id)
    }

    /// The caller stopped waiting for request `id`, which may not have reached the machine.
    mutating func cancel(id: Int64) -> CancelAction {
        guard let p = pending.removeValue(forKey: id) else {
            if case .active = state, !abandoned.contains(id) { cancelledEarly.insert(id) }
            return .none
        }
        if let m = p.monitor {
            waitingMonitorIDs.remove(m.id)
            heldBack.removeValue(forKey: m.id)
        }
        abandoned.insert(id)
        return .sendCancel(RPCMessage.notification(method: "cancel", params: [.integer(id)]).json, p.promise)
    }

    /// The in-place reader of request `id`, while it waits for its reply.
    func replyReader(awaitingReply id: JSON) -> (any InPlaceReplyReader)? {
        guard let n = id.integerValue, !abandoned.contains(n) else { return nil }
        return pending[n]?.reader
    }

    /// The sink of the monitor request `id` names, while its reply is awaited.
    func monitorSink(awaitingReply id: JSON) -> Sink? {
        guard let n = id.integerValue, !abandoned.contains(n) else { return nil }
        return pending[n]?.monitor?.sink
    }

    /// The sink of monitor `id` once its reply has been delivered (its updates go straight to
    /// it), or nil while none is registered or the connection has closed.
    func deliveringSink(forMonitor id: JSON) -> Sink? {
        if case .closed = state { return nil }
        return monitors[id]
    }

    mutating func receive(_ json: JSON) -> InboundAction {
        if case .closed = state { return .ignore }
        let message: RPCMessage
        do {
            message = try RPCMessage(json: json)
        } catch {
            return closeForViolation(error.description)
        }
        switch message {
        case .request(let method, let params, let id):
            if method == "echo" {
                return .reply(RPCMessage.response(result: .array(params), error: .null, id: id).json)
            }
            let error: JSON = ["error": "unknown method", "details": .string(method)]
            return .reply(RPCMessage.response(result: .null, error: error, id: id).json)
        case .notification(let method, let params):
            let note: ServerNotification?
            do {
                note = try ServerNotification(method: method, params: params)
            } catch {
                return closeForViolation("\(error)")
            }
            guard let note else { return .ignore }
            return route(note)
        case .response(let result, let error, let id):
            return receiveResponse(result: result, error: error, id: id)
        }
    }

    /// A reply: completes its request, or registers the monitor it started.
    mutating func receiveResponse(result: JSON, error: JSON, id: JSON) -> InboundAction {
        if case .closed = state { return .ignore }
        if let n = id.integerValue, abandoned.remove(n) { return .ignore }
        guard let n = id.integerValue, let p = pending.removeValue(forKey: n) else {
            return closeForViolation("reply with unknown id \(id)")
        }
        if !error.isNull {
            if let m = p.monitor {
                waitingMonitorIDs.remove(m.id)
                heldBack.removeValue(forKey: m.id)
            }
            return .fail(p.promise, .rpcError(method: p.method, error: error))
        }
        guard let m = p.monitor else { return .succeed(p.promise, result) }
        waitingMonitorIDs.remove(m.id)
        monitors[m.id] = m.sink
        return .monitorReplied(p.promise, result, m.sink, held: heldBack.removeValue(forKey: m.id) ?? [])
    }

    private mutating func route(_ note: ServerNotification) -> InboundAction {
        switch note {
        case .locked(let name), .stolen(let name):
            guard let sink = lockSinks[name] else { return .ignore }
            return .deliver(sink, note)
        default:
            let id = note.monitorID ?? .null
            if let sink = monitors[id] { return .deliver(sink, note) }
            guard waitingMonitorIDs.contains(id) else { return .ignore }
            var held = heldBack[id] ?? []
            guard held.count < Self.heldBackLimit else {
                return closeForViolation("more than \(Self.heldBackLimit) updates for monitor \(id) before its reply")
            }
            held.append(note)
            heldBack[id] = held
            return .ignore
        }
    }

    private mutating func closeForViolation(_ why: String) -> InboundAction {
        let e = OVSDBClientError.protocolViolation(why)
        return .close(e, failing: close(e).promises)
    }

    /// The user asked to close: refuse new requests, let outstanding ones finish or fail on close.
    mutating func beginClosing() {
        if case .active = state { state = .closing }
    }

    /// The connection ended: every waiting request fails with `error`; the sinks are returned
    /// so their users learn it too. The first reason given is kept.
    mutating func close(_ error: OVSDBClientError) -> (promises: [Promise], sinks: [Sink], reason: OVSDBClientError) {
        if case .closed(let e) = state { return ([], [], e) }
        state = .closed(error)
        let promises = pending.values.map(\.promise)
        var sinks = Array(monitors.values) + Array(lockSinks.values)
        sinks += pending.values.compactMap(\.monitor?.sink)
        pending.removeAll()
        monitors.removeAll()
        lockSinks.removeAll()
        heldBack.removeAll()
        waitingMonitorIDs.removeAll()
        cancelledEarly = BoundedIDSet(limit: Self.abandonedLimit)
        return (promises, sinks, error)
    }
}

/// A set of request ids that forgets its oldest entries past `limit`.
struct BoundedIDSet {
    let limit: Int
    private var members: Set<Int64> = []
    private var order: [Int64] = []
    private var start = 0

    init(limit: Int) { self.limit = limit }

    var count: Int { members.count }
    func contains(_ id: Int64) -> Bool { members.contains(id) }

    mutating func insert(_ id: Int64) {
        guard members.insert(id).inserted else { return }
        order.append(id)
        if order.count - start > limit {
            members.remove(order[start])
            start += 1
            if start > limit {
                order.removeFirst(start)
                start = 0
            }
        }
    }

    /// Removes `id`; true if it was there.
    mutating func remove(_ id: Int64) -> Bool { members.remove(id) != nil }
}

extension OVSDBClientError: Equatable {
    public static func == (a: OVSDBClientError, b: OVSDBClientError) -> Bool {
        a.description == b.description
    }
}
