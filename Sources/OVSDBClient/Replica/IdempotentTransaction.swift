/// A transaction that can be sent again after its connection dropped without ever applying
/// twice. A reply lost with the connection leaves it unknown whether the transaction
/// committed; a blind resend of an insert could then add the row twice. Here every insert
/// carries a UUID the client chose, so a resend of a transaction that did commit fails with
/// Open vSwitch's `duplicate uuid` on that insert, and changes nothing (transactions are
/// atomic). That failure, on a resend, means "committed by an earlier attempt".
///
/// Transactions without inserts are made safe the same way with `wait` guards on the rows
/// they expect (as the egress engine does): a resend after a commit fails its guard.
public enum IdempotentOutcome: Sendable {
    /// This attempt committed; its results.
    case committed([OperationResult], attempts: Int)
    /// An earlier attempt had committed (the resend found its inserted UUIDs).
    case committedEarlier(attempts: Int)
}

extension OVSDBReplica {
    /// Runs `operations`, resending after connection losses and failovers until `deadline`.
    /// Every insert must name its UUID (`OVSDBOperation.insert(..., uuid:)`).
    public func transactIdempotently(_ operations: [OVSDBOperation], until deadline: ContinuousClock.Instant) async throws -> IdempotentOutcome {
        for op in operations {
            if case .insert(_, _, _, nil) = op {
                throw OVSDBClientError.invalidRequest(OVSDBError(tag: "syntax error", details: "an idempotent transaction's inserts must name their uuid"))
            }
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                // Bounded also while it waits for a reconnect.
                let results = try await runBefore(deadline, orThrow: { OVSDBClientError.timedOut("no usable server before the deadline") }) {
                    try await self.transact(operations)
                }
                return .committed(results, attempts: attempt)
            } catch OVSDBClientError.transactionFailed(let index?, _, let error) where error.tag == "duplicate uuid" && attempt > 1 {
                if case .insert = operations[index] { return .committedEarlier(attempts: attempt) }
                throw OVSDBClientError.transactionFailed(operationIndex: index, operation: operations[index].name, error: error)
            } catch let e as OVSDBClientError where Self.isConnectionLoss(e) {
                guard ContinuousClock.now < deadline else { throw e }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Errors after which the transaction may or may not have committed, or was not sent.
    static func isConnectionLoss(_ e: OVSDBClientError) -> Bool {
        switch e {
        case .connectionClosed, .connectionFailed, .timedOut, .noUsableServer: return true
        case .transactionFailed(nil, _, let error):
            // A member that lost the leadership mid-transaction.
            return error.tag == "not leader" || error.tag == "cluster error"
        case .rpcError(_, let error):
            return error["error"]?.stringValue == "not leader"
        default: return false
        }
    }
}
