/// Everything the client can fail with. Each case carries what a person needs to act on it.
public enum OVSDBClientError: Error, Sendable, CustomStringConvertible {
    /// A remote string that cannot be parsed.
    case invalidRemote(String, reason: String)
    /// No connection could be made (refused, no such socket, TLS handshake refused, ...).
    case connectionFailed(remote: String, reason: String)
    /// The TLS files could not be loaded.
    case tlsConfiguration(String)
    /// The connection closed; requests that were waiting fail with this.
    case connectionClosed(reason: String?)
    /// The server sent something the protocol does not allow; the connection is closed.
    case protocolViolation(String)
    /// A JSON-RPC call failed with a non-null `error` (for example an unknown database).
    case rpcError(method: String, error: JSON)
    /// An operation (or the commit) failed; `operationIndex` is nil for a commit-level error.
    case transactionFailed(operationIndex: Int?, operation: String?, error: OVSDBError)
    /// A request did not complete in time.
    case timedOut(String)
    /// Checked before sending: the request would have been refused.
    case invalidRequest(OVSDBError)
    /// The database is not served, or its schema lacks what was asked for.
    case unknownDatabase(String)
    /// None of the remotes could be used: each reason names a remote and what it was
    /// ("follower", "disconnected from the cluster", "unreachable (...)").
    case noUsableServer(database: String, leaderOnly: Bool, reasons: [String])

    public var description: String {
        switch self {
        case .invalidRemote(let r, let why): return "invalid remote \"\(r)\": \(why)"
        case .connectionFailed(let r, let why): return "\(r): connection failed (\(why))"
        case .tlsConfiguration(let why): return "TLS configuration: \(why)"
        case .connectionClosed(let why): return "connection closed" + (why.map { ": \($0)" } ?? "")
        case .protocolViolation(let why): return "protocol violation: \(why)"
        case .rpcError(let method, let error):
            if let e = OVSDBError(json: error) { return "\(method) failed: \(e.ovsText)" }
            return "\(method) failed: \(error)"
        case .transactionFailed(let index, let op, let error):
            if let index, let op { return "transaction failed at operation \(index) (\(op)): \(error)" }
            return "transaction failed: \(error)"
        case .timedOut(let what): return "timed out: \(what)"
        case .invalidRequest(let e): return "invalid request: \(e)"
        case .unknownDatabase(let db): return "unknown database \(db)"
        case .noUsableServer(let db, let leaderOnly, let reasons):
            // One remote that cannot be reached is not about a cluster: say what to check.
            if reasons.count == 1, let cut = reasons[0].firstRange(of: " unreachable (") {
                let remote = reasons[0][..<cut.lowerBound]
                let why = reasons[0][cut.upperBound...].dropLast()
                return "cannot connect to \(remote) (\(why)): is ovsdb-server running, with --remote=p\(remote)?"
            }
            let what = leaderOnly ? "no cluster leader for \(db)" : "no server for \(db)"
            return "\(what) among \(reasons.count) remote\(reasons.count == 1 ? "" : "s"): " + reasons.joined(separator: "; ")
        }
    }
}
