/// Cuts a byte stream of concatenated JSON values (`kubectl get --watch -o json` prints one
/// object after another, pretty-printed) into one buffer per top-level object or array.
struct JSONStreamSplitter {
    enum SplitError: Error, Equatable { case notAnObject(offset: Int), tooLarge(limit: Int) }

    private var buffer: [UInt8] = []
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var start: Int?
    /// Bytes consumed before `buffer[0]`, for error positions.
    private var consumed = 0
    let limit: Int

    init(limit: Int = 256 << 20) { self.limit = limit }

    /// Adds bytes; returns the values they complete. Bytes outside a value other than
    /// whitespace are an error: the stream is then skipped up to the next `{` or `[`.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Result<[UInt8], SplitError>] {
        buffer.append(contentsOf: bytes)
        var out: [Result<[UInt8], SplitError>] = []
        while scanned < buffer.count {
            let c = buffer[scanned]
            defer { scanned += 1 }
            if start == nil {
                switch c {
                case 0x20, 0x0A, 0x0D, 0x09: continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    start = scanned
                    depth = 1
                default:
                    out.append(.failure(.notAnObject(offset: consumed + scanned)))
                    skipToNextValue()
                }
                continue
            }
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0, let s = start {
                    out.append(scanned - s + 1 > limit ? .failure(.tooLarge(limit: limit)) : .success(Array(buffer[s...scanned])))
                    start = nil
                }
            default: break
            }
        }
        compact()
        if let s = start, buffer.count - s > limit {
            out.append(.failure(.tooLarge(limit: limit)))
            consumed += buffer.count
            buffer = []
            scanned = 0
            start = nil
            inString = false
            escaped = false
            depth = 0
        }
        return out
    }

    /// Bytes of an unfinished value at the end of the stream.
    var hasPartialValue: Bool { start != nil }

    private mutating func skipToNextValue() {
        var i = scanned + 1
        while i < buffer.count, buffer[i] != UInt8(ascii: "{"), buffer[i] != UInt8(ascii: "[") { i += 1 }
        scanned = i - 1
    }

    /// Drops what is no longer needed, so a long stream does not grow the buffer.
    private mutating func compact() {
        let keepFrom = start ?? scanned
        guard keepFrom > 0, keepFrom >= buffer.count / 2 || keepFrom > 1 << 20 else { return }
        buffer.removeFirst(keepFrom)
        consumed += keepFrom
        scanned -= keepFrom
        if start != nil { start = 0 }
    }
}
