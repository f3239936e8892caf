#if canImport(Glibc)
import Glibc
#endif

/// A large manifest's bytes, whole in memory so that its parts can be parsed at once: a
/// regular file mapped read-only, or standard input read to its end.
final class ManifestBytes: @unchecked Sendable {
    // Written only in `init`; read concurrently by the parts' parsers.
    let buffer: UnsafeRawBufferPointer
    private let mapped: Bool

    /// Maps `file`, known to be a regular file of `size` bytes (more than 0).
    init(mapping file: String, size: Int) throws(ManifestError) {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ManifestError(file: file, message: "cannot open") }
        defer { close(fd) }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw ManifestError(file: file, message: "cannot read")
        }
        buffer = UnsafeRawBufferPointer(start: p, count: size)
        mapped = true
    }

    /// Reads standard input to its end.
    init(readingStandardInput: Void) throws(ManifestError) {
        var capacity = 1 << 20
        var count = 0
        guard var p = malloc(capacity) else { throw ManifestError(file: "-", message: "out of memory") }
        while true {
            if count == capacity {
                capacity *= 2
                guard let grown = realloc(p, capacity) else { free(p); throw ManifestError(file: "-", message: "out of memory") }
                p = grown
            }
            let n = read(0, p + count, capacity - count)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                free(p)
                throw ManifestError(file: "-", message: "cannot read")
            }
            count += n
        }
        buffer = UnsafeRawBufferPointer(start: p, count: count)
        mapped = false
    }

    /// A copy of `bytes` (for tests and the fuzzer: what a file would hold).
    init(copying bytes: [UInt8]) {
        let p = malloc(max(bytes.count, 1))!
        bytes.withUnsafeBytes { if let b = $0.baseAddress { p.copyMemory(from: b, byteCount: bytes.count) } }
        buffer = UnsafeRawBufferPointer(start: p, count: bytes.count)
        mapped = false
    }

    deinit {
        guard let base = buffer.baseAddress else { return }
        if mapped { munmap(UnsafeMutableRawPointer(mutating: base), buffer.count) } else { free(UnsafeMutableRawPointer(mutating: base)) }
    }

    func part(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[range])
    }

    /// Hands back the pages that lie wholly inside `range`, read and no longer needed: a 30 MB
    /// manifest is then not resident all at once. A later read maps them in again.
    func release(_ range: Range<Int>) {
        guard mapped, let base = buffer.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let address = Int(bitPattern: base)
        let first = (address + range.lowerBound + page - 1) / page * page
        let last = (address + range.upperBound) / page * page
        guard last > first else { return }
        madvise(UnsafeMutableRawPointer(bitPattern: first), last - first, MADV_DONTNEED)
    }
}
