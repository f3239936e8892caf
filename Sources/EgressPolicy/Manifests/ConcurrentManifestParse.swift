import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Parses manifest files on every core: each file is a job, and a large YAML file is cut
/// into parts (`ManifestSplit`) that are jobs of their own. The objects come out as one
/// file-by-file, front-to-back parse would give them, and so does the first error: a file
/// any of whose parts fails is parsed again whole, and that parse's error is the one thrown.
enum ConcurrentManifestParse {
    /// Files smaller than `threshold` bytes are one job; the parts of a larger one are about
    /// `partSize` bytes (by default a quarter of the file's share of the cores).
    static func objects(_ files: [String], threshold: Int = 1 << 20, partSize: Int? = nil) throws(ManifestError) -> [ManifestObject] {
        var out: [ManifestObject] = []
        for file in objectsByFile(files, threshold: threshold, partSize: partSize) { out += try file.get() }
        return out
    }

    /// As `objects`, each file's objects or error on its own, in the order given.
    static func objectsByFile(_ files: [String], threshold: Int = 1 << 20, partSize: Int? = nil) -> [Result<[ManifestObject], ManifestError>] {
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let sources = files.map { FileSource(path: $0, threshold: threshold, partSize: { partSize ?? max(1 << 18, $0 / (4 * cores)) }) }
        let jobs = sources.indices.flatMap { f in (0..<sources[f].jobCount).map { (f, $0) } }
        let results = UnsafeMutableBufferPointer<PartResult?>.allocate(capacity: jobs.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        let slots = Slots(results)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
            slots.base[j] = sources[jobs[j].0].parse(part: jobs[j].1)
        }
        var out: [Result<[ManifestObject], ManifestError>] = []
        var j = 0
        for source in sources {
            let parts = (j..<j + source.jobCount).map { results[$0]! }
            j += source.jobCount
            out.append(Result { () throws(ManifestError) in try source.assemble(parts) })
        }
        return out
    }

    /// `bytes` as one file named `file` would be read, cut into parts of about `partSize` bytes
    /// (for tests and the fuzzer).
    static func objects(copying bytes: [UInt8], file: String, partSize: Int) throws(ManifestError) -> [ManifestObject] {
        let source = FileSource(path: file, bytes: ManifestBytes(copying: bytes), partSize: partSize)
        let parts = (0..<source.jobCount).map { source.parse(part: $0) }
        return try source.assemble(parts)
    }

    /// The result buffer, written at distinct indexes by the jobs.
    private struct Slots: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<PartResult?>
        init(_ base: UnsafeMutableBufferPointer<PartResult?>) { self.base = base }
    }

    fileprivate typealias PartResult = Result<(objects: [ManifestObject], documents: Int), ManifestError>
}

/// One manifest file: streamed whole, or held in memory and cut into parts.
private final class FileSource: @unchecked Sendable {
    // Set in `init`, then only read by the jobs.
    let path: String
    private var bytes: ManifestBytes?
    private var split: ManifestSplit?
    private var openError: ManifestError?

    init(path: String, threshold: Int, partSize: (Int) -> Int) {
        self.path = path
        do throws(ManifestError) {
            if path == "-" {
                bytes = try ManifestBytes(reading: path)
            } else {
                var st = stat()
                if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) >= threshold {
                    bytes = try ManifestBytes(reading: path, size: Int(st.st_size))
                }
            }
        } catch {
            openError = error
        }
        guard let bytes, bytes.buffer.count >= threshold, !ManifestInput(lending: bytes.buffer).startsJSON else { return }
        split = ManifestSplit.cut(bytes.buffer, size: partSize(bytes.buffer.count))
    }

    init(path: String, bytes: ManifestBytes, partSize: Int) {
        self.path = path
        self.bytes = bytes
        if !ManifestInput(lending: bytes.buffer).startsJSON { split = ManifestSplit.cut(bytes.buffer, size: partSize) }
    }

    var jobCount: Int { split?.parts.count ?? 1 }

    func parse(part i: Int) -> ConcurrentManifestParse.PartResult {
        guard let split, let bytes else { return Result { () throws(ManifestError) in (try whole(), 0) } }
        let part = split.parts[i]
        return Result { () throws(ManifestError) in
            let source = YAMLEventSource(input: ManifestInput(lending: bytes.part(part.range)), file: path,
                                         lineOffset: part.firstLine, depth: split.kind == .listItems ? 1 : 0)
            var decoder = ManifestDecoder(source: source, file: path)
            switch split.kind {
            case .documents: return (try decoder.objects(), decoder.documentsRead)
            case .listItems: return (try decoder.listItems(), 1)
            }
        }
    }

    /// The file's objects from its parts' results, in order.
    func assemble(_ parts: [ConcurrentManifestParse.PartResult]) throws(ManifestError) -> [ManifestObject] {
        guard let split else { return try parts[0].get().objects }
        guard parts.allSatisfy({ (try? $0.get()) != nil }) else { return try whole() }
        switch split.kind {
        case .documents:
            var out: [ManifestObject] = []
            var documents = 0
            for case .success(let p) in parts {
                out += p.objects.map { $0.movedBy(documents: documents) }
                documents += p.documents
            }
            return out
        case .listItems:
            guard var list = try? ManifestLoader.parse(split.listWithoutItems, file: path), list.count == 1,
                  list[0].kind?.hasSuffix("List") == true, list[0].name == nil, list[0].items.isEmpty else { return try whole() }
            for case .success(let p) in parts { list[0].items += p.objects }
            return list
        }
    }

    /// The file parsed front to back, as one job.
    private func whole() throws(ManifestError) -> [ManifestObject] {
        if let openError { throw openError }
        if let bytes { return try ManifestLoader.parse(ManifestInput(lending: bytes.buffer), file: path) }
        return try ManifestLoader.parse(ManifestInput(opening: path), file: path)
    }
}

private extension ManifestObject {
    /// The object, and its items, as read `documents` documents further into the file.
    func movedBy(documents: Int) -> ManifestObject {
        var o = self
        o.document += documents
        o.items = items.map { $0.movedBy(documents: documents) }
        return o
    }
}
