/// The envelopes of large messages that are read in place (see `RPCHandler`): only the
/// small members become `JSON`; the large part is a byte range.

/// A successful reply read only as far as its envelope: its id, and where its result lies.
struct InPlaceReply {
    var id: JSON
    var result: Range<Int>

    init(_ bytes: UnsafeRawBufferPointer) throws {
        var id: JSON?
        var result: Range<Int>?
        var error: JSON = .null
        var isCall = false
        try JSONReader.reading(bytes) { reader in
            try reader.readObject { reader, key in
                switch key {
                case "result": result = try reader.skipValue()
                case "id": id = try reader.readValue()
                case "error": error = try reader.readValue()
                default:
                    isCall = isCall || key == "method"
                    _ = try reader.skipValue()
                }
            }
        }
        guard let id, let result, error.isNull, !isCall else { throw JSONDecodeError(message: "not a successful reply", position: 0) }
        self.id = id
        self.result = result
    }
}

/// An update notification read only as far as its monitor id (and transaction id), with
/// where its table updates lie.
struct InPlaceNotification {
    var method: String
    var monitor: JSON
    var lastTransactionID: OVSDBUUID?
    var tableUpdates: Range<Int>

    init(_ bytes: UnsafeRawBufferPointer) throws {
        var method: String?
        var elements: [Range<Int>] = []
        var id: JSON = .null
        try JSONReader.reading(bytes) { reader in
            try reader.readObject { reader, key in
                switch key {
                case "method": method = try reader.readValue().stringValue
                case "id": id = try reader.readValue()
                case "params": try reader.readArray { reader in elements.append(try reader.skipValue()) }
                default: _ = try reader.skipValue()
                }
            }
        }
        // params: the monitor id, then (update3) the last transaction id, then the updates.
        let bad = JSONDecodeError(message: "not an update notification", position: 0)
        guard let method, ["update", "update2", "update3"].contains(method), id.isNull,
              elements.count == (method == "update3" ? 3 : 2) else { throw bad }
        let value = { (r: Range<Int>) throws -> JSON in
            try JSONReader.reading(UnsafeRawBufferPointer(rebasing: bytes[r])) { try $0.readValue() }
        }
        monitor = try value(elements[0])
        if method == "update3" {
            guard let text = try value(elements[1]).stringValue, let txn = OVSDBUUID(text) else { throw bad }
            lastTransactionID = txn
        }
        self.method = method
        tableUpdates = elements[elements.count - 1]
    }
}
