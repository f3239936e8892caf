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
    /// Set when reading the file failed part way.
    private(set) var failed = false

    init(bytes: [UInt8]) {
        head = bytes
        handle = nil
    }

    /// Opens `file` (`-`: standard input) and reads ahead to its first byte that is not blank.
    init(opening file: String) throws(ManifestError) {
        let f: UnsafeMutablePointer<FILE>? = file == "-" ? fdopen(dup(0), "rb") : fopen(file, "rb")
        guard let f else { throw ManifestError(file: file, message: "cannot open") }
        handle = f
        head = []
        while firstNonBlank == nil, readMore(into: &head, atMost: Self.chunk) > 0 {}
    }

    deinit {
        if let handle { fclose(handle) }
    }

    private static let chunk = 1 << 16

    /// The first byte that is not a space, tab or line break; nil for a blank input.
    var firstNonBlank: UInt8? {
        head.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
    }

    /// Copies up to `size` next bytes into `buffer`; 0 at the end (or on a read error: see
    /// `failed`).
    func fill(_ buffer: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int {
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
