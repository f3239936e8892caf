/// A large message read only as far as its envelope (see `RPCHandler`): its small members
/// become `JSON`; where its large part lies is a byte range. One pass, whatever it turns out
/// to be.
enum InPlaceEnvelope {
    /// A successful reply.
    case reply(id: JSON, result: Range<Int>)
    /// An `update`, `update2` or `update3` notification.
    case update(method: String, monitor: JSON, lastTransactionID: OVSDBUUID?, tableUpdates: Range<Int>)

    /// Nil for any other message (or a malformed one): it is then parsed whole.
    init?(_ bytes: UnsafeRawBufferPointer) {
        var id: JSON = .null
        var error: JSON = .null
        var method: String?
        var result: Range<Int>?
        var params: [Range<Int>] = []
        do {
            try JSONReader.reading(bytes) { reader in
                try reader.readObject { reader, key in
                    switch key {
                    case "id": id = try reader.readValue()
                    case "error": error = try reader.readValue()
                    case "method": method = try reader.readValue().stringValue ?? ""
                    case "result": result = try reader.skipValue()
                    case "params": try reader.readArray { reader in params.append(try reader.skipValue()) }
                    default: _ = try reader.skipValue()
                    }
                }
            }
        } catch {
            return nil
        }
        let value = { (r: Range<Int>) -> JSON? in
            try? JSONReader.reading(UnsafeRawBufferPointer(rebasing: bytes[r])) { try $0.readValue() }
        }
        switch method {
        case nil:
            guard let result, error.isNull, !id.isNull else { return nil }
            self = .reply(id: id, result: result)
        case "update"?, "update2"?:
            // params: the monitor id, then the table updates.
            guard id.isNull, params.count == 2, let monitor = value(params[0]) else { return nil }
            self = .update(method: method!, monitor: monitor, lastTransactionID: nil, tableUpdates: params[1])
        case "update3"?:
            // params: the monitor id, the last transaction id, then the table updates.
            guard id.isNull, params.count == 3, let monitor = value(params[0]),
                  let text = value(params[1])?.stringValue, let txn = OVSDBUUID(text) else { return nil }
            self = .update(method: "update3", monitor: monitor, lastTransactionID: txn, tableUpdates: params[2])
        default:
            return nil
        }
    }
}
