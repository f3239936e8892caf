#if canImport(Glibc)
import Glibc
#endif

/// A manifest's bytes, handed out a chunk at a time: from memory, or straight from the open
/// file, so a 30 MB YAML manifest is never held whole while libyaml reads it.
final class ManifestInput {
    /// Bytes already read: the whole input from memory, or a file's first chunk (read to tell
    /// JSON from YAML), served before the rest of the file.
    private var head: [UInt8]
    private var offset = 0
    private let handle: UnsafeMutablePointer<FILE>?
    /// Bytes lent by the caller (a part of a file held in memory), who keeps them alive while this reads.
    private let lent: UnsafeRawBufferPointer?
    /// Set when reading the file failed part way.
    private(set) var failed = false

    init(bytes: [UInt8]) {
        head = bytes
        handle = nil
        lent = nil
    }

    /// Reads `bytes` in place, without a copy.
    init(lending bytes: UnsafeRawBufferPointer) {
        head = []
        handle = nil
        lent = bytes
    }

    /// Opens `file` (`-`: standard input) and reads ahead to its first byte that is not blank.
    init(opening file: String) throws(ManifestError) {
        let f: UnsafeMutablePointer<FILE>? = file == "-" ? fdopen(dup(0), "rb") : fopen(file, "rb")
        guard let f else { throw ManifestError(file: file, message: "cannot open") }
        handle = f
        lent = nil
        head = []
        while firstNonBlank == nil, readMore(into: &head, atMost: Self.chunk) > 0 {}
    }

    deinit {
        if let handle { fclose(handle) }
    }

    private static let chunk = 1 << 16

    /// The first byte that is not a space, tab or line break; nil for a blank input.
    var firstNonBlank: UInt8? {
        let blank = { (b: UInt8) in b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
        if let lent { return lent[offset...].first { !blank($0) } }
        return head.first { !blank($0) }
    }

    /// Whether the input is JSON (its first byte that is not blank opens an object or array).
    var startsJSON: Bool {
        let first = firstNonBlank
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    /// Copies up to `size` next bytes into `buffer`; 0 at the end (or on a read error: see
    /// `failed`).
    func fill(_ buffer: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int {
        if let lent {
            let n = min(size, lent.count - offset)
            if n > 0 { UnsafeMutableRawPointer(buffer).copyMemory(from: lent.baseAddress! + offset, byteCount: n) }
            offset += n
            return n
        }
        if offset < head.count {
            let n = min(size, head.count - offset)
            head.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + offset, count: n) }
            offset += n
            if offset == head.count, handle != nil {
                head = []
                offset = 0
            }
            return n
        }
        guard let handle else { return 0 }
        let n = fread(buffer, 1, size, handle)
        if n == 0, ferror(handle) != 0 { failed = true }
        return n
    }

    /// Everything not yet handed out, in one array (jansson parses a whole document).
    func readAll() -> [UInt8] {
        if let lent {
            defer { offset = lent.count }
            return Array(lent[offset...])
        }
        var out = Array(head[offset...])
        head = []
        offset = 0
        guard let handle else { return out }
        // Sized once for a regular file: grown by doubling, a 30 MB manifest would briefly
        // need twice that.
        var st = stat()
        if fstat(fileno(handle), &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
            out.reserveCapacity(max(Int(st.st_size) - Int(ftell(handle)), 0) + out.count)
        }
        while readMore(into: &out, atMost: Self.chunk) > 0 {}
        return out
    }

    /// Appends up to `count` bytes read from the file.
    private func readMore(into out: inout [UInt8], atMost count: Int) -> Int {
        guard let handle else { return 0 }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        let n = out.withUnsafeMutableBufferPointer { fread($0.baseAddress! + start, 1, count, handle) }
        out.removeLast(count - n)
        if n == 0, ferror(handle) != 0 { failed = true }
        return n
    }
}
