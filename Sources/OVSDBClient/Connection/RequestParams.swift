import NIOCore

/// The params of an outgoing request: JSON values, or the params array already written as
/// bytes by the caller (a large `transact` is encoded straight from its operations, on the
/// caller's task rather than the event loop, with no tree in between).
enum RequestParams: Sendable, ExpressibleByArrayLiteral {
    case json([JSON])
    case encoded([UInt8])

    init(arrayLiteral elements: JSON...) { self = .json(elements) }

    /// Writes the whole request, `{"id":…,"method":…,"params":[…]}`: the bytes `JSONWriter`
    /// prints for `RPCMessage.request(…).json`, whose members are in that order.
    func write(id: Int64, method: String, into buffer: inout ByteBuffer) {
        switch self {
        case .json(let params):
            buffer.writeBytes(JSONWriter.encode(RPCMessage.request(method: method, params: params, id: .integer(id)).json))
        case .encoded(let params):
            var head: [UInt8] = []
            head.appendASCII(#"{"id":"#)
            JSONWriter.writeInteger(id, into: &head)
            head.appendASCII(#","method":"#)
            JSONWriter.writeString(method, into: &head)
            head.appendASCII(#","params":"#)
            buffer.reserveCapacity(minimumWritableBytes: head.count + params.count + 1)
            buffer.writeBytes(head)
            buffer.writeBytes(params)
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }
}
