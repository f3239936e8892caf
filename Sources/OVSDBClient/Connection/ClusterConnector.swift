import NIOCore
import NIOPosix

/// Picks a server among several remotes the way ovn-nbctl does: with `leaderOnly`, only the
/// leader of a clustered database (or a standalone server, or a relay) is used; followers and
/// members cut off from the cluster are skipped at once, and a member whose data is older than
/// what was already seen is never used.
public struct ClusterConnector: Sendable {
    public var remotes: [RemoteAddress]
    public var database: String
    public var leaderOnly: Bool
    public var configuration: OVSDBConnection.Configuration
    public var eventLoopGroup: any EventLoopGroup

    public init(remotes: [RemoteAddress], database: String, leaderOnly: Bool = true,
                configuration: OVSDBConnection.Configuration = .init(),
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.remotes = remotes
        self.database = database
        self.leaderOnly = leaderOnly
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
    }

    /// One pass over the remotes, starting at `start`: the first usable server, or an error
    /// naming what each remote was.
    public func connectOnce(start: Int = 0, minimumIndex: Int64? = nil) async throws -> (OVSDBConnection, ServerDatabaseStatus, remoteIndex: Int) {
        var followers = 0
        return try await connectOnce(start: start, minimumIndex: minimumIndex, followersSeen: &followers)
    }

    /// As `connectOnce(start:minimumIndex:)`, counting the members that refused only because
    /// they follow a cluster that still has quorum: a leader is then at most an election away.
    func connectOnce(start: Int, minimumIndex: Int64?, followersSeen: inout Int) async throws -> (OVSDBConnection, ServerDatabaseStatus, remoteIndex: Int) {
        var reasons: [String] = []
        for k in 0..<remotes.count {
            try Task.checkCancellation()
            let i = (start + k) % remotes.count
            let remote = remotes[i]
            let connection: OVSDBConnection
            do {
                connection = try await OVSDBConnection.connect(to: remote, configuration: configuration, eventLoopGroup: eventLoopGroup)
            } catch let e as OVSDBClientError {
                reasons.append("\(remote) unreachable (\(Self.shortReason(e)))")
                continue
            }
            do {
                // A server that accepts but does not answer (stopped, overloaded, a relay not
                // yet synced with its source) must not hold up the pass.
                let limit = configuration.connectTimeout
                let status = try await runBefore(.now + .nanoseconds(limit.nanoseconds),
                                                 orThrow: { OVSDBClientError.timedOut("no answer within \(limit.nanoseconds / 1_000_000) ms") }) {
                    try await connection.databaseStatus(database)
                }
                if let why = status.refusal(leaderOnly: leaderOnly, minimumIndex: minimumIndex) {
                    if status.model == .clustered, status.connected, !status.leader { followersSeen += 1 }
                    reasons.append("\(remote) \(why)")
                    await connection.close()
                    continue
                }
                return (connection, status, i)
            } catch is CancellationError {
                await connection.close()
                throw CancellationError()
            } catch OVSDBClientError.timedOut(let why) {
                reasons.append("\(remote) unresponsive (\(why))")
                await connection.close()
            } catch OVSDBClientError.unknownDatabase {
                reasons.append("\(remote) does not serve \(database)")
                await connection.close()
            } catch {
                reasons.append("\(remote) failed (\(error))")
                await connection.close()
            }
        }
        throw OVSDBClientError.noUsableServer(database: database, leaderOnly: leaderOnly, reasons: reasons)
    }

    /// Retries passes with a short pause until one succeeds or `deadline` passes, then throws
    /// the last pass's error: an election takes a moment, a lost quorum does not end.
    public func connect(until deadline: ContinuousClock.Instant, minimumIndex: Int64? = nil) async throws -> (OVSDBConnection, ServerDatabaseStatus, remoteIndex: Int) {
        var start = 0
        while true {
            do {
                return try await connectOnce(start: start, minimumIndex: minimumIndex)
            } catch let e as OVSDBClientError {
                guard case .noUsableServer = e, ContinuousClock.now.advanced(by: .milliseconds(250)) < deadline else { throw e }
                configuration.logger.info("\(e); retrying")
                try await Task.sleep(for: .milliseconds(200))
                start += 1
            }
        }
    }

    /// The reason in a few words: NIO's connect errors carry the syscall and errno.
    static func shortReason(_ e: OVSDBClientError) -> String {
        guard case .connectionFailed(_, let why) = e else { return "\(e)" }
        for (needle, short) in [("Connection refused", "connection refused"), ("No such file", "no such socket"),
                                ("timed out", "connect timed out"), ("Permission denied", "permission denied")]
        where why.contains(needle) {
            return short
        }
        return why
    }
}
