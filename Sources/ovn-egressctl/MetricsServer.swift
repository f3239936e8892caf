import EgressPolicy
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// Serves `/metrics` (Prometheus text) and `/healthz` over HTTP/1.1 with swift-nio's HTTP
/// codec, until a graceful shutdown.
final class MetricsServer: ServiceLifecycle.Service, Sendable {
    /// What `/healthz` reports: nil when healthy, else why not. Called before every
    /// response, `/metrics` included, so that gauges it keeps are current.
    typealias Health = @Sendable () -> String?

    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let health: Health
    let logger: Logger

    init(address: String, registry: PrometheusCollectorRegistry, logger: Logger, health: @escaping Health) throws {
        guard let (host, port) = Self.parse(address) else {
            throw CommandFailure("--metrics must be HOST:PORT (an IP address or name, [IPv6]:PORT), not \(SafeText.quoted(address))")
        }
        self.host = host
        self.port = port
        self.registry = registry
        self.health = health
        self.logger = logger
    }

    static func parse(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        var host = String(address[..<colon])
        guard let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(":") || address.hasPrefix("[") else { return nil }
        return (host, port)
    }

    /// Binds now, so that a port in use is an error before anything else starts.
    func bind() async throws -> Channel {
        let (registry, health) = (self.registry, self.health)
        do {
            return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(MetricsHTTPHandler(registry: registry, health: health))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw CommandFailure("--metrics \(host):\(port): cannot listen: \(error)")
        }
    }

    private let bound = NIOLockedChannel()

    func start() async throws {
        bound.set(try await bind())
    }

    var localPort: Int? { bound.get()?.localAddress?.port }

    func run() async throws {
        guard let channel = bound.get() else { return }
        logger.info("serving /metrics and /healthz on \(host):\(localPort ?? port)")
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

/// A channel set once, read from any thread.
final class NIOLockedChannel: Sendable {
    private let box = NIOLockedValueBox<Channel?>(nil)
    func set(_ c: Channel) { box.withLockedValue { $0 = c } }
    func get() -> Channel? { box.withLockedValue { $0 } }
}

private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let registry: PrometheusCollectorRegistry
    let health: MetricsServer.Health
    private var head: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry, health: @escaping MetricsServer.Health) {
        self.registry = registry
        self.health = health
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context: context, to: head)
        }
    }

    private func respond(context: ChannelHandlerContext, to request: HTTPRequestHead) {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        var status = HTTPResponseStatus.ok
        var body: [UInt8]
        var type = "text/plain; charset=utf-8"
        switch (request.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            _ = health()
            body = registry.emitToBuffer()
            type = "text/plain; version=0.0.4; charset=utf-8"
        case (.GET, "/healthz"), (.HEAD, "/healthz"):
            if let why = health() {
                status = .serviceUnavailable
                body = Array("not ready: \(why)\n".utf8)
            } else {
                body = Array("ok\n".utf8)
            }
        case (.GET, _), (.HEAD, _):
            status = .notFound
            body = Array("not found; try /metrics or /healthz\n".utf8)
        default:
            status = .methodNotAllowed
            body = Array("only GET and HEAD\n".utf8)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(body.count)")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        if request.method == .HEAD { body = [] }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        }
    }
}

import NIOConcurrencyHelpers
