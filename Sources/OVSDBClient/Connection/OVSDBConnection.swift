import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// One JSON-RPC connection to an OVSDB server.
///
/// ```swift
/// let connection = try await OVSDBConnection.connect(to: "unix:/var/run/ovn/ovnnb_db.sock")
/// let schema = try await connection.schema(of: "OVN_Northbound")
/// let results = try await connection.transact("OVN_Northbound", [
///     .select(table: "Logical_Router", where: .all, columns: ["name"]),
/// ], schema: schema)
/// ```
///
/// Requests may run concurrently; replies are matched by id whatever their order.
public final class OVSDBConnection: Sendable {
    public struct Configuration: Sendable {
        public var tls: TLSFiles?
        public var connectTimeout: TimeAmount
        public var maximumMessageSize: Int
        /// A message at least this large is not parsed whole when its receiver can read it in
        /// place (a replica's initial sync): see `NotificationSink.readsRepliesInPlace`.
        public var inPlaceReadingSize: Int = FrameDecoder.defaultLargeMessageSize
        public var logger: Logger

        public init(tls: TLSFiles? = nil, connectTimeout: TimeAmount = .seconds(10),
                    maximumMessageSize: Int = StreamFramer.defaultMaximumMessageSize,
                    logger: Logger = Logger(label: "ovsdb", factory: { _ in SwiftLogNoOpLogHandler() })) {
            self.tls = tls
            self.connectTimeout = connectTimeout
            self.maximumMessageSize = maximumMessageSize
            self.logger = logger
        }
    }

    public let remote: RemoteAddress
    let channel: Channel
    let logger: Logger
    private let closeReason: CloseReason
    private let schemas = NIOLockedValueBox<[String: DatabaseSchema]>([:])
    /// Request ids are chosen here, not on the event loop, so a cancel can name its request
    /// even before the request reaches the handler.
    private let nextID = NIOLockedValueBox<Int64>(1)

    private init(remote: RemoteAddress, channel: Channel, logger: Logger, closeReason: CloseReason) {
        self.closeReason = closeReason
        self.remote = remote
        self.channel = channel
        self.logger = logger
    }

    /// Connects to the first remote of a comma-separated list that answers.
    public static func connect(to remotes: String, configuration: Configuration = Configuration(),
                               eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> OVSDBConnection {
        var lastError: OVSDBClientError?
        for remote in try RemoteAddress.list(remotes) {
            do {
                return try await connect(to: remote, configuration: configuration, eventLoopGroup: eventLoopGroup)
            } catch let e as OVSDBClientError {
                configuration.logger.info("\(e)")
                lastError = e
            }
        }
        throw lastError ?? OVSDBClientError.invalidRemote(remotes, reason: "no remote given")
    }

    public static func connect(to remote: RemoteAddress, configuration: Configuration = Configuration(),
                               eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> OVSDBConnection {
        let sslContext: NIOSSLContext?
        if remote.isTLS {
            guard let files = configuration.tls else {
                throw OVSDBClientError.tlsConfiguration("an ssl: remote needs a private key, a certificate and a CA certificate")
            }
            sslContext = try makeSSLContext(files)
        } else {
            sslContext = nil
        }
        let closeReason = CloseReason()
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(configuration.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: nil)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maximumMessageSize: configuration.maximumMessageSize, largeMessageSize: configuration.inPlaceReadingSize)))
                    try channel.pipeline.syncOperations.addHandler(RPCHandler(closeReason: closeReason))
                }
            }
        let channel: Channel
        do {
            switch remote {
            case .unix(let path):
                channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            case .tcp(let host, let port), .ssl(let host, let port):
                channel = try await bootstrap.connect(host: host, port: port).get()
            }
        } catch {
            throw OVSDBClientError.connectionFailed(remote: remote.description, reason: "\(error)")
        }
        let connection = OVSDBConnection(remote: remote, channel: channel, logger: configuration.logger, closeReason: closeReason)
        if remote.isTLS {
            // The handshake happens after connect; a refused certificate shows up on the first
            // request, so make one here and report it as a failed connection.
            do {
                _ = try await connection.call("echo", [])
            } catch {
                await connection.close()
                throw OVSDBClientError.connectionFailed(remote: remote.description, reason: "\(error)")
            }
        }
        return connection
    }

    private static func makeSSLContext(_ files: TLSFiles) throws -> NIOSSLContext {
        do {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: files.privateKey, format: .pem))
            tls.trustRoots = .file(files.caCertificate)
            // OVSDB peers are authenticated by CA only (ovsdb-server and ovn-nbctl check no names).
            tls.certificateVerification = .noHostnameVerification
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw OVSDBClientError.tlsConfiguration("\(error)")
        }
    }

    /// Sends a request and waits for its reply's `result`.
    public func call(_ method: String, _ params: [JSON]) async throws -> JSON {
        try await call(method, .json(params), monitor: nil)
    }

    /// Sends a request; a monitor request also registers the sink its updates go to.
    func call(_ method: String, _ params: consuming RequestParams, monitor: (id: JSON, sink: any NotificationSink)?,
              reader: (any InPlaceReplyReader)? = nil) async throws -> JSON {
        try Task.checkCancellation()
        let promise = channel.eventLoop.makePromise(of: JSON.self)
        let id = nextID.withLockedValue { n in
            defer { n += 1 }
            return n
        }
        let channel = self.channel
        let closeReason = self.closeReason
        // Taken by the write, so the request's bytes are freed once they are sent, not held
        // until the reply.
        var request: RPCOutbound? = .request(id: id, method: method, params: consume params, promise: promise,
                                             monitor: monitor, reader: reader)
        return try await withTaskCancellationHandler {
            let written = channel.eventLoop.makePromise(of: Void.self)
            // A write on a closed channel never reaches the handler: fail the caller here.
            written.futureResult.whenFailure { error in
                // A TLS handler fails buffered writes before it reports why the handshake
                // failed, so the reason is read once the channel has closed.
                channel.closeFuture.whenComplete { _ in
                    promise.fail(closeReason.value ?? (error as? OVSDBClientError) ?? OVSDBClientError.connectionClosed(reason: "\(error)"))
                }
            }
            channel.writeAndFlush(request.take()!, promise: written)
            return try await promise.futureResult.get()
        } onCancel: {
            // Open vSwitch drops a cancelled request without answering it, so the caller is
            // failed locally and a late reply is ignored. The cancel may reach the handler
            // before the request does; the state machine then never sends the request.
            channel.writeAndFlush(RPCOutbound.cancel(id: id), promise: nil)
        }
    }

    /// Hands a control message to the handler, in order with requests.
    func control(_ message: RPCOutbound) async {
        try? await channel.writeAndFlush(message).get()
    }

    /// Sends a notification (no reply expected).
    public func notify(_ method: String, _ params: [JSON]) async throws {
        try await channel.writeAndFlush(RPCOutbound.notification(method: method, params: params)).get()
    }

    /// `list_dbs`: the databases the server serves.
    public func listDatabases() async throws -> [String] {
        let result = try await call("list_dbs", [])
        guard let names = result.arrayValue?.compactMap(\.stringValue) else {
            throw OVSDBClientError.protocolViolation("list_dbs reply is not an array of strings")
        }
        return names
    }

    /// `get_schema`, asked once per connection and database: a database converted to a new
    /// schema while connected is seen by a new connection.
    public func schema(of database: String) async throws -> DatabaseSchema {
        if let known = schemas.withLockedValue({ $0[database] }) { return known }
        let result = try await call("get_schema", [.string(database)])
        let schema: DatabaseSchema
        do {
            schema = try DatabaseSchema(json: result)
        } catch {
            throw OVSDBClientError.protocolViolation("schema of \(database) does not parse: \(error)")
        }
        schemas.withLockedValue { $0[database] = schema }
        return schema
    }

    /// `echo`: the server returns the parameters.
    public func echo(_ params: [JSON] = []) async throws -> [JSON] {
        let result = try await call("echo", params)
        return result.arrayValue ?? []
    }

    /// `transact`: runs `operations` atomically. With a `schema`, operations are checked
    /// before sending and result rows are typed; any failed operation throws
    /// `OVSDBClientError.transactionFailed` naming it.
    ///
    /// `operations` is read once, as it is encoded: a sequence that makes each operation as it
    /// is asked for (`Plan.operationSequence`) is never held whole. The encoded request is
    /// released once it is written, so a large transaction's reply is read into that memory.
    public func transact<Operations: Sequence<OVSDBOperation>>(_ database: String, _ operations: Operations,
                                                               schema: DatabaseSchema? = nil) async throws -> [OperationResult] {
        var tables: [TableSchema?] = []
        var names: [String] = []
        tables.reserveCapacity(operations.underestimatedCount)
        names.reserveCapacity(operations.underestimatedCount)
        var params = ByteBufferAllocator().buffer(capacity: 256)
        try OVSDBOperation.encodeTransactParams(database: database, operations, into: &params) { op in
            if let schema {
                do throws(OVSDBError) { try op.validate(against: schema) } catch { throw OVSDBClientError.invalidRequest(error) }
            }
            tables.append(op.table.flatMap { schema?.tables[$0] })
            names.append(op.name)
        }
        let inPlace = TransactReplyReader(tables: tables)
        let reply = try await call("transact", .encoded(consume params), monitor: nil, reader: inPlace)
        let parsed: [Result<OperationResult, OVSDBError>]
        if let read = inPlace.results {
            parsed = read
        } else {
            guard let elements = reply.arrayValue else {
                throw OVSDBClientError.protocolViolation("transact reply is not an array")
            }
            parsed = elements.enumerated().map { i, element in
                Result { () throws(OVSDBError) in try OperationResult(json: element, table: i < tables.count ? tables[i] : nil) }
            }
        }
        var results: [OperationResult] = []
        results.reserveCapacity(parsed.count)
        for (i, outcome) in parsed.enumerated() {
            let result: OperationResult
            switch outcome {
            case .success(let r): result = r
            case .failure(let error): throw OVSDBClientError.protocolViolation("result \(i) does not parse: \(error)")
            }
            if let e = result.error {
                let index = i < names.count ? i : nil
                throw OVSDBClientError.transactionFailed(operationIndex: index, operation: index.map { names[$0] }, error: e)
            }
            results.append(result)
        }
        return results
    }

    /// Closes the connection; requests still waiting fail with `connectionClosed`.
    public func close() async {
        await control(.beginClosing)
        try? await channel.close().get()
    }

    /// Completes when the connection has closed, with the reason.
    public func closed() async -> OVSDBClientError {
        try? await channel.closeFuture.get()
        return closeReason.value ?? .connectionClosed(reason: nil)
    }

    public var isActive: Bool { channel.isActive }
}
