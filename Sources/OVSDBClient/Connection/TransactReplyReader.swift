import NIOConcurrencyHelpers

/// Reads the result of a large reply in place, on the event loop, before the request's
/// promise completes; the caller then takes what it read from it. A throw means the JSON is
/// bad: the connection is closed, as for any other bad message.
protocol InPlaceReplyReader: AnyObject, Sendable {
    func read(inPlace result: UnsafeRawBufferPointer) throws
}

/// A `transact` reply read in place: each operation's result, its rows one small tree at a
/// time, so a 100,000-row select never becomes one `JSON` tree. Small replies are not given
/// to it (`results` stays nil) and are read from their tree as before.
final class TransactReplyReader: InPlaceReplyReader {
    private let tables: [TableSchema?]
    private let read = NIOLockedValueBox<[Result<OperationResult, OVSDBError>]?>(nil)

    init(tables: [TableSchema?]) { self.tables = tables }

    var results: [Result<OperationResult, OVSDBError>]? { read.withLockedValue { $0 } }

    func read(inPlace result: UnsafeRawBufferPointer) throws {
        let tables = self.tables
        let parsed = try JSONReader.reading(result) { reader -> [Result<OperationResult, OVSDBError>]? in
            // Not an array: left to the caller's check, as a tree would be.
            guard reader.startsArray else {
                _ = try reader.readValue()
                return nil
            }
            var out: [Result<OperationResult, OVSDBError>] = []
            // One result per operation sent: grown by doubling, the array of a 100,000-row
            // transaction would at its peak hold old and new copies.
            out.reserveCapacity(tables.count)
            try reader.readArray { reader in
                let i = out.count
                out.append(try OperationResult.read(&reader, table: i < tables.count ? tables[i] : nil))
            }
            return out
        }
        read.withLockedValue { $0 = parsed }
    }
}
