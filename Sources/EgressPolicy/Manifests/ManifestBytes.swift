#if canImport(Glibc)
import Glibc
#endif

/// A large manifest's bytes, whole in memory so that its parts can be parsed at once: a file
/// or standard input read to its end. Read, not mapped: a mapped file that another program
/// truncates meanwhile would end the process with SIGBUS.
final class ManifestBytes: @unchecked Sendable {
    // Written only in `init`; read concurrently by the parts' parsers.
    let buffer: UnsafeRawBufferPointer

    /// Reads `file` (`-`: standard input) to its end; `size` is what it is expected to hold.
    init(reading file: String, size: Int = 1 << 20) throws(ManifestError) {
        let fd = file == "-" ? 0 : open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ManifestError(file: file, message: "cannot open") }
        defer { if fd != 0 { close(fd) } }
        // One byte more than expected, so that the end is seen without growing the buffer.
        var capacity = max(size + 1, 1)
        var count = 0
        guard var p = malloc(capacity) else { throw ManifestError(file: file, message: "out of memory") }
        while true {
            if count == capacity {
                capacity *= 2
                guard let grown = realloc(p, capacity) else { free(p); throw ManifestError(file: file, message: "out of memory") }
                p = grown
            }
            let n = read(fd, p + count, capacity - count)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                free(p)
                throw ManifestError(file: file, message: "cannot read")
            }
            count += n
        }
        buffer = UnsafeRawBufferPointer(start: p, count: count)
    }

    /// A copy of `bytes` (for tests and the fuzzer: what a file would hold).
    init(copying bytes: [UInt8]) {
        let p = malloc(max(bytes.count, 1))!
        bytes.withUnsafeBytes { if let b = $0.baseAddress { p.copyMemory(from: b, byteCount: bytes.count) } }
        buffer = UnsafeRawBufferPointer(start: p, count: bytes.count)
    }

    deinit {
        free(UnsafeMutableRawPointer(mutating: buffer.baseAddress))
    }

    func part(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[range])
    }
}
