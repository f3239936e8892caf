import NIOCore

extension ByteBuffer: JSONOutput {
    public mutating func append(_ byte: UInt8) { writeInteger(byte) }
    public mutating func append(bytes: UnsafeRawBufferPointer) { writeBytes(bytes) }
    public mutating func append(utf8 text: String) { writeString(text) }
}

/// The params of an outgoing request: JSON values, or the params array already written into
/// a buffer by the caller (a large `transact` is encoded straight from its operations, on the
/// caller's task rather than the event loop, with no tree in between and no copy after).
enum RequestParams: Sendable, ExpressibleByArrayLiteral {
    case json([JSON])
    case encoded(ByteBuffer)

    init(arrayLiteral elements: JSON...) { self = .json(elements) }

    /// The whole request, `{"id":…,"method":…,"params":[…]}`, as the buffers to send in
    /// order: the bytes `JSONWriter` prints for `RPCMessage.request(…).json`, whose members
    /// are in that order. Encoded params are sent as they are, after a small head.
    func buffers(id: Int64, method: String, allocator: ByteBufferAllocator) -> [ByteBuffer] {
        switch self {
        case .json(let params):
            var buffer = allocator.buffer(capacity: 256)
            JSONWriter.write(RPCMessage.request(method: method, params: params, id: .integer(id)).json, into: &buffer)
            return [buffer]
        case .encoded(let params):
            var head = allocator.buffer(capacity: 48 + method.utf8.count)
            head.appendASCII(#"{"id":"#)
            JSONWriter.writeInteger(id, into: &head)
            head.appendASCII(#","method":"#)
            JSONWriter.writeString(method, into: &head)
            head.appendASCII(#","params":"#)
            var tail = allocator.buffer(capacity: 1)
            tail.append(UInt8(ascii: "}"))
            return [head, params, tail]
        }
    }
}
