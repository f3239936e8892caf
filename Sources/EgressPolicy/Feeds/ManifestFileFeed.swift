import Logging
import ServiceLifecycle

/// Feeds a controller from manifest files and folders, and keeps feeding it: a file written,
/// renamed into place or removed is read again (only that file), and the controller replans.
///
/// A file that stops parsing or passing the checks is reported and its last good contents
/// are kept: a half-written edit never removes what the file held before.
public final class ManifestFileFeed: ServiceLifecycle.Service, Sendable {
    private let paths: [String]
    private let controller: ControllerGroup
    private let logger: Logger
    private let watcher: FileWatcher

    /// Starts watching at once, so that nothing written after `load` is missed.
    public convenience init(paths: [String], controller: EgressController, logger: Logger) throws {
        try self.init(paths: paths, controllers: ControllerGroup([controller]), logger: logger)
    }

    /// Feeds every controller of `controllers` (one per zone) the same objects.
    public init(paths: [String], controllers: ControllerGroup, logger: Logger) throws {
        self.paths = paths
        self.controller = controllers
        self.logger = logger
        watcher = try FileWatcher(paths: paths)
    }

    /// Reads every file. The first bad one throws, naming it, and nothing is given to the
    /// controller; so does an input with no objects at all.
    public func load() async throws(ManifestError) {
        // The files are parsed at once; errors are those of reading them one by one in order:
        // a missing path is reported after the files of the paths before it.
        var files: [String] = []
        var missing: String?
        for path in paths {
            guard FileWatcher.isFolder(path) || Self.exists(path) else { missing = path; break }
            files += ManifestLoader.manifestFiles(under: path)
        }
        var loaded: [(String, [ClusterObject])] = []
        for (file, objects) in zip(files, ManifestLoader.objects(inFiles: files)) { loaded.append((file, try objects.get())) }
        if let missing { throw ManifestError(file: missing, message: "no such file or folder") }
        guard loaded.contains(where: { !$0.1.isEmpty }) else {
            throw ManifestError(file: paths.joined(separator: ", "), message: "no Kubernetes objects found (empty input); nothing planned, nothing written")
        }
        for (file, objects) in loaded { try await controller.replace(source: file, with: objects) }
    }

    /// Follows changes until a graceful shutdown or cancellation.
    public func run() async throws {
        defer { watcher.stop() }
        for await batch in watcher.events.cancelOnGracefulShutdown() {
            for path in Set(batch).sorted() { await reread(path) }
        }
    }

    private func reread(_ path: String) async {
        if FileWatcher.isFolder(path) {
            for file in ManifestLoader.manifestFiles(under: path) { await reread(file) }
            return
        }
        guard Self.exists(path) else {
            logger.info("\(SafeText.escaped(path)): removed")
            await controller.removeSource(path)
            await controller.removeSources(under: path + "/")
            return
        }
        do {
            let objects = try ManifestLoader.objects(inFile: path)
            try await controller.replace(source: path, with: objects)
            logger.info("\(SafeText.escaped(path)): read \(objects.count) object(s)")
        } catch {
            logger.error("\(error); keeping the file's last good contents")
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

#if canImport(Glibc)
import Glibc
#endif
