import OVSDBClient

/// The stream framer under arbitrary bytes and chunking: the first byte picks the chunk size.
/// Invariants: every message it returns is balanced and within the limit, consumed bytes
/// always advance, and the work is linear (each byte is scanned once).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFramer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let chunk = Int(data[0] % 17) + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var framer = StreamFramer(maximumMessageSize: 4096)
    var pending: [UInt8] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + chunk, bytes.count)
        pending += bytes[offset..<end]
        offset = end
        while true {
            let found: (message: Range<Int>, consumed: Int)?
            do {
                found = try pending.withUnsafeBytes { try framer.nextMessage(in: $0) }
            } catch {
                return 0
            }
            guard let found else { break }
            precondition(found.consumed > 0 && found.consumed <= pending.count && found.message.upperBound <= found.consumed)
            precondition(found.message.count <= 4096)
            _ = try? JanssonCodec.decode(Array(pending[found.message]))
            pending.removeFirst(found.consumed)
        }
    }
    return 0
}
