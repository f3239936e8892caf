/// A JSON-RPC 1.0 message as OVSDB uses it (RFC 7047 section 4).
public enum RPCMessage: Sendable, Hashable {
    /// A call that wants a reply (`id` non-null).
    case request(method: String, params: [JSON], id: JSON)
    /// A call with `id: null` (monitor updates, `locked`, ...).
    case notification(method: String, params: [JSON])
    /// A reply: `result` on success, `error` otherwise.
    case response(result: JSON, error: JSON, id: JSON)

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case notAnObject
        case malformed(String)
        public var description: String {
            switch self {
            case .notAnObject: return "JSON-RPC message is not an object"
            case .malformed(let why): return "malformed JSON-RPC message: \(why)"
            }
        }
    }

    public init(json: JSON) throws(ParseError) {
        guard case .object(let o) = json else { throw .notAnObject }
        if let method = o["method"] {
            guard let name = method.stringValue else { throw .malformed("method is not a string") }
            guard case .array(let params)? = o["params"] else { throw .malformed("params is not an array") }
            let id = o["id"] ?? .null
            self = id.isNull ? .notification(method: name, params: params) : .request(method: name, params: params, id: id)
        } else if o["result"] != nil || o["error"] != nil {
            guard let id = o["id"] else { throw .malformed("reply without id") }
            self = .response(result: o["result"] ?? .null, error: o["error"] ?? .null, id: id)
        } else {
            throw .malformed("neither a request nor a reply")
        }
    }

    public var json: JSON {
        switch self {
        case .request(let method, let params, let id):
            return ["method": .string(method), "params": .array(params), "id": id]
        case .notification(let method, let params):
            return ["method": .string(method), "params": .array(params), "id": .null]
        case .response(let result, let error, let id):
            return ["result": result, "error": error, "id": id]
        }
    }
}
