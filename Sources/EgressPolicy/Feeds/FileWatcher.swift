#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// Reports manifest files that may have changed under the given files and folders, through
/// inotify: a file written and closed, renamed into place (as editors and `kubectl` tooling
/// write atomically), removed, or a folder added or removed. Each report is a batch of paths;
/// the reader stats them to learn what happened.
final class FileWatcher: Sendable {
    enum WatchError: Error, CustomStringConvertible {
        case unavailable(String)
        var description: String {
            switch self { case .unavailable(let why): return "cannot watch files: \(why)" }
        }
    }

    private struct State {
        var folders: [Int32: String] = [:]
        /// Files given by name: only these names are reported from their folder.
        var singleFiles: [String: Set<String>] = [:]
        var wholeFolders: Set<String> = []
    }

    private let fd: Int32
    private let state = NIOLockedValueBox(State())
    private let loop: NIOLockedValueBox<BlockingLoop?> = NIOLockedValueBox(nil)
    let events: AsyncStream<[String]>

    private static let folderMask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF)

    init(paths: [String]) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw WatchError.unavailable(String(cString: strerror(errno))) }
        let (stream, continuation) = AsyncStream<[String]>.makeStream()
        events = stream
        for path in paths {
            if Self.isFolder(path) {
                try watchTree(path)
            } else {
                let (folder, name) = Self.split(path)
                try watch(folder)
                state.withLockedValue { _ = $0.singleFiles[folder, default: []].insert(name) }
            }
        }
        let fd = self.fd
        loop.withLockedValue {
            $0 = BlockingLoop { [weak self] in
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 200) >= 0 || errno == EINTR else { return false }
                guard p.revents != 0, let self else { return self != nil }
                let paths = self.drain()
                if !paths.isEmpty { continuation.yield(paths) }
                return true
            }
        }
    }

    deinit { close(fd) }

    func stop() {
        loop.withLockedValue { $0?.stop() }
    }

    private func watchTree(_ folder: String) throws {
        try watch(folder)
        state.withLockedValue { _ = $0.wholeFolders.insert(folder) }
        for sub in Self.subfolders(folder) { try watchTree(sub) }
    }

    private func watch(_ folder: String) throws {
        let wd = inotify_add_watch(fd, folder, Self.folderMask)
        guard wd >= 0 else { throw WatchError.unavailable("\(SafeText.escaped(folder)): \(String(cString: strerror(errno)))") }
        state.withLockedValue { $0.folders[wd] = folder }
    }

    /// Reads every queued event; returns the manifest paths they name.
    private func drain() -> [String] {
        var out: [String] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            var offset = 0
            while offset + 16 <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw in
                    (raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                     raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                     Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
                }
                let nameBytes = buffer[(offset + 16)..<min(n, offset + 16 + length)].prefix { $0 != 0 }
                offset += 16 + length
                let name = String(decoding: nameBytes, as: UTF8.self)
                out += handle(wd: wd, mask: mask, name: name)
            }
        }
        return out
    }

    private func handle(wd: Int32, mask: UInt32, name: String) -> [String] {
        let (folder, single, whole) = state.withLockedValue { s in
            (s.folders[wd], s.folders[wd].flatMap { s.singleFiles[$0] }, s.folders[wd].map { s.wholeFolders.contains($0) } ?? false)
        }
        guard let folder else { return [] }
        if mask & UInt32(IN_DELETE_SELF) != 0 || mask & UInt32(IN_IGNORED) != 0 {
            state.withLockedValue { _ = $0.folders.removeValue(forKey: wd) }
            return whole ? [folder] : []
        }
        guard !name.isEmpty, !name.hasPrefix(".") else { return [] }
        let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
        if mask & UInt32(IN_ISDIR) != 0 {
            guard whole else { return [] }
            // A new folder: watch it, and report what it already holds (written before the
            // watch existed). A removed or renamed-away one: report it, the reader drops it.
            if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                try? watchTree(path)
                return ManifestLoader.manifestFiles(under: path)
            }
            return [path]
        }
        if let single, single.contains(name) { return [path] }
        guard whole, ManifestLoader.isManifestName(name) else { return [] }
        // A file created empty is reported when it is closed after writing.
        if mask == UInt32(IN_CREATE) { return [] }
        return [path]
    }

    static func isFolder(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    private static func subfolders(_ folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") { continue }
            let full = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            if isFolder(full) { out.append(full) }
        }
        return out
    }
}
