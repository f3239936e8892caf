/// A notification the server sends without being asked (RFC 7047 4.1.6, 4.1.9, 4.1.10 and
/// Open vSwitch's `update2`/`update3`), checked for shape before it is routed.
public enum ServerNotification: Sendable, Hashable {
    /// `update` (from `monitor`): row changes as old/new row objects.
    case update(monitor: JSON, tableUpdates: JSON)
    /// `update2` (from `monitor_cond`): row changes as initial/insert/modify(diff)/delete.
    case update2(monitor: JSON, tableUpdates: JSON)
    /// `update3` (from `monitor_cond_since`): like update2, with the transaction's id.
    case update3(monitor: JSON, lastTransactionID: OVSDBUUID, tableUpdates: JSON)
    /// The lock was granted after waiting.
    case locked(lock: String)
    /// Another client stole the lock.
    case stolen(lock: String)
    /// The server cancelled the monitor (its database was removed or converted; sent after
    /// `set_db_change_aware`).
    case monitorCanceled(monitor: JSON)

    /// Returns nil for a method this client does not know (the caller ignores it), throws for
    /// a known method with malformed params.
    init?(method: String, params: [JSON]) throws(OVSDBClientError) {
        let bad = { (why: String) in OVSDBClientError.protocolViolation("\(method) notification: \(why)") }
        switch method {
        case "update", "update2":
            guard params.count == 2 else { throw bad("expected 2 params, got \(params.count)") }
            guard case .object = params[1] else { throw bad("table updates are not an object") }
            self = method == "update" ? .update(monitor: params[0], tableUpdates: params[1])
                                      : .update2(monitor: params[0], tableUpdates: params[1])
        case "update3":
            guard params.count == 3 else { throw bad("expected 3 params, got \(params.count)") }
            guard let text = params[1].stringValue, let id = OVSDBUUID(text) else { throw bad("last transaction id is not a UUID") }
            guard case .object = params[2] else { throw bad("table updates are not an object") }
            self = .update3(monitor: params[0], lastTransactionID: id, tableUpdates: params[2])
        case "monitor_canceled":
            guard params.count == 1 else { throw bad("expected one monitor id") }
            self = .monitorCanceled(monitor: params[0])
        case "locked", "stolen":
            guard params.count == 1, let name = params[0].stringValue else { throw bad("expected one lock name") }
            self = method == "locked" ? .locked(lock: name) : .stolen(lock: name)
        default:
            return nil
        }
    }

    /// The monitor id an update belongs to, or nil for lock notifications.
    var monitorID: JSON? {
        switch self {
        case .update(let m, _), .update2(let m, _), .update3(let m, _, _), .monitorCanceled(let m): return m
        case .locked, .stolen: return nil
        }
    }
}
