#if canImport(Glibc)
import Glibc
#endif
import Logging
import OVSDBClient
import ServiceLifecycle

/// Feeds a controller from a stream of JSON objects, as `kubectl get ... --watch -o json`
/// prints them: plain objects (and `List`s) are added or replaced; with
/// `--output-watch-events`, `{"type": "ADDED"|"MODIFIED"|"DELETED", "object": ...}` events
/// also remove. At the end of the stream it waits for the last pass and returns.
///
/// A value that does not parse or pass the checks is reported (by its place in the stream)
/// and skipped; what came before it stays.
public final class WatchStreamFeed: ServiceLifecycle.Service, Sendable {
    private let descriptor: Int32
    private let name: String
    private let controller: ControllerGroup
    private let logger: Logger

    public convenience init(descriptor: Int32 = 0, name: String = "stdin", controller: EgressController, logger: Logger) {
        self.init(descriptor: descriptor, name: name, controllers: ControllerGroup([controller]), logger: logger)
    }

    /// Feeds every controller of `controllers` (one per zone) the same objects.
    public init(descriptor: Int32 = 0, name: String = "stdin", controllers: ControllerGroup, logger: Logger) {
        self.descriptor = descriptor
        self.name = name
        self.controller = controllers
        self.logger = logger
    }

    public func run() async throws {
        let (chunks, continuation) = AsyncStream<[UInt8]>.makeStream()
        let fd = descriptor
        let reader = BlockingLoop {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 200)
            if ready == 0 || (ready < 0 && errno == EINTR) { return true }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
            guard n > 0 else {
                continuation.finish()
                return false
            }
            continuation.yield(Array(buffer[0..<n]))
            return true
        }
        defer { reader.stop() }
        var splitter = JSONStreamSplitter()
        var index = 0
        for await chunk in chunks.cancelOnGracefulShutdown() {
            for value in splitter.feed(chunk) {
                index += 1
                switch value {
                case .success(let bytes): await handle(bytes, index: index)
                case .failure(.notAnObject(let offset)):
                    logger.error("\(name): byte \(offset) is outside any JSON object; skipped to the next one")
                case .failure(.tooLarge(let limit)):
                    logger.error("\(name): value \(index) is larger than \(limit) bytes; skipped")
                }
            }
        }
        if splitter.hasPartialValue { logger.error("\(name): the stream ended inside a JSON value; its last value is not used") }
        await controller.drain()
    }

    private func handle(_ bytes: [UInt8], index: Int) async {
        let origin = "\(name) (value \(index))"
        let json: JSON
        do { json = try JanssonCodec.decode(bytes) } catch {
            logger.error("\(origin): JSON: \(error.message) at byte \(error.position); skipped")
            return
        }
        do {
            if let type = json["type"]?.stringValue, let object = json["object"] {
                switch type {
                case "ADDED", "MODIFIED":
                    try await controller.upsert(try Self.objects(object, origin: origin), source: name)
                case "DELETED":
                    let keys = try Self.objects(object, origin: origin).map(\.key)
                    await controller.delete(keys)
                case "BOOKMARK": break
                default: logger.error("\(origin): watch event type \(SafeText.quoted(type)) ignored")
                }
            } else {
                try await controller.upsert(try Self.objects(json, origin: origin), source: name)
            }
        } catch {
            logger.error("\(error); skipped")
        }
    }

    private static func objects(_ json: JSON, origin: String) throws(ManifestError) -> [ClusterObject] {
        try ClusterInput(objects: ManifestLoader.flatten(ManifestLoader.parse(json: json, file: origin))).objects
    }
}
