/// The JSON-RPC decisions of one connection, without I/O: which ids are outstanding, what to
/// do with each message that arrives, and what happens to waiting requests when the
/// connection ends. The channel handler feeds it events and carries out its actions.
struct RPCStateMachine {
    enum State {
        case active
        case closed(OVSDBClientError)
    }

    enum InboundAction: Equatable {
        /// Complete request `id` with its result, or fail it with the server's error object.
        case complete(id: Int64, method: String, result: JSON, error: JSON)
        /// Answer the server (its `echo` requests).
        case reply(JSON)
        /// Hand a notification (monitor update, ...) to the user.
        case notify(method: String, params: [JSON])
        /// The peer broke the protocol: close, failing everything outstanding.
        case close(OVSDBClientError)
        /// A late reply to a request the caller gave up on.
        case ignore
    }

    private(set) var state: State = .active
    private var nextID: Int64 = 1
    private(set) var pending: [Int64: String] = [:]
    /// Requests given up on: Open vSwitch may still answer them (or, for `cancel`, may not).
    /// Bounded, oldest forgotten first, so a server that never answers cannot grow it; a reply
    /// to a forgotten id is then an unknown id.
    private var abandoned: Set<Int64> = []
    private var abandonedOrder: [Int64] = []
    private var abandonedStart = 0
    static let abandonedLimit = 1024

    /// Allocates an id for a new request, or returns why the request cannot be sent.
    mutating func startRequest(method: String) -> Result<Int64, OVSDBClientError> {
        if case .closed(let e) = state { return .failure(e) }
        let id = nextID
        nextID += 1
        pending[id] = method
        return .success(id)
    }

    mutating func receive(_ json: JSON) -> InboundAction {
        if case .closed(let e) = state { return .close(e) }
        let message: RPCMessage
        do {
            message = try RPCMessage(json: json)
        } catch {
            return .close(.protocolViolation(error.description))
        }
        switch message {
        case .request(let method, let params, let id):
            if method == "echo" {
                return .reply(RPCMessage.response(result: .array(params), error: .null, id: id).json)
            }
            let error: JSON = ["error": "unknown method", "details": .string(method)]
            return .reply(RPCMessage.response(result: .null, error: error, id: id).json)
        case .notification(let method, let params):
            return .notify(method: method, params: params)
        case .response(let result, let error, let id):
            if let n = id.integerValue, abandoned.remove(n) != nil { return .ignore }
            guard let n = id.integerValue, let method = pending.removeValue(forKey: n) else {
                return .close(.protocolViolation("reply with unknown id \(id)"))
            }
            return .complete(id: n, method: method, result: result, error: error)
        }
    }

    /// The caller no longer waits for `id`; returns false if it was not outstanding.
    mutating func abandon(_ id: Int64) -> Bool {
        guard pending.removeValue(forKey: id) != nil else { return false }
        abandoned.insert(id)
        abandonedOrder.append(id)
        if abandonedOrder.count - abandonedStart > Self.abandonedLimit {
            abandoned.remove(abandonedOrder[abandonedStart])
            abandonedStart += 1
            if abandonedStart > Self.abandonedLimit {
                abandonedOrder.removeFirst(abandonedStart)
                abandonedStart = 0
            }
        }
        return true
    }

    var abandonedCount: Int { abandoned.count }

    /// The connection ended: every waiting request fails with `error`.
    mutating func close(_ error: OVSDBClientError) -> [Int64] {
        if case .closed = state { return [] }
        state = .closed(error)
        let ids = Array(pending.keys)
        pending.removeAll()
        return ids
    }
}

extension OVSDBClientError: Equatable {
    public static func == (a: OVSDBClientError, b: OVSDBClientError) -> Bool {
        a.description == b.description
    }
}
