/// Monitors, conditions and locks (RFC 7047 4.1.5-4.1.10 and Open vSwitch's extensions).
extension OVSDBConnection {
    /// Starts a monitor. Its reply is passed to `sink` first, then every update for `id`, in
    /// order, on the connection's event loop; the reply is also returned.
    ///
    /// `since` (monitor_cond_since only) is the last transaction id already seen.
    public func monitor(_ database: String, id: JSON, requests: [MonitorRequest], method: MonitorMethod,
                        since: OVSDBUUID? = nil, sink: any NotificationSink) async throws -> JSON {
        var byTable: [String: JSON] = [:]
        for r in requests {
            // Several requests for one table are an array of them.
            let one = r.json(withCondition: method.supportsConditions)
            if case .array(var list)? = byTable[r.table] {
                list.append(one)
                byTable[r.table] = .array(list)
            } else {
                byTable[r.table] = [one]
            }
        }
        var params: [JSON] = [.string(database), id, .object(byTable)]
        if method == .monitorCondSince { params.append(.string((since ?? .zero).description)) }
        return try await call(method.rawValue, .json(params), monitor: (id, sink))
    }

    /// `monitor_cancel`: the server stops sending updates for `id`.
    public func cancelMonitor(_ id: JSON) async throws {
        await control(.unregisterMonitor(id))
        _ = try await call("monitor_cancel", [id])
    }

    /// `monitor_cond_change`: replaces the conditions of the monitor `id`. The server answers
    /// with an update that removes rows leaving the condition and adds rows entering it.
    public func changeConditions(_ id: JSON, requests: [MonitorRequest]) async throws {
        var byTable: [String: JSON] = [:]
        for r in requests {
            let one: JSON = ["where": (r.condition ?? .all).json]
            if case .array(var list)? = byTable[r.table] {
                list.append(one)
                byTable[r.table] = .array(list)
            } else {
                byTable[r.table] = [one]
            }
        }
        _ = try await call("monitor_cond_change", [id, id, .object(byTable)])
    }

    /// `set_db_change_aware`: the server then cancels monitors of a database that is removed
    /// or converted (notifying `monitor_canceled`) instead of closing the connection.
    public func setDatabaseChangeAware(_ aware: Bool = true) async throws {
        _ = try await call("set_db_change_aware", [.bool(aware)])
    }

    /// `lock`: true if granted now; otherwise `sink` gets `locked` when it is.
    /// `stolen` also goes to `sink`.
    public func lock(_ name: String, sink: any NotificationSink) async throws -> Bool {
        await control(.registerLock(name, sink))
        return try await Self.lockReply(call("lock", [.string(name)]))
    }

    /// `steal`: takes the lock from its holder, who is told `stolen`.
    public func steal(_ name: String, sink: any NotificationSink) async throws -> Bool {
        await control(.registerLock(name, sink))
        return try await Self.lockReply(call("steal", [.string(name)]))
    }

    public func unlock(_ name: String) async throws {
        _ = try await call("unlock", [.string(name)])
        await control(.unregisterLock(name))
    }

    private static func lockReply(_ result: JSON) throws -> Bool {
        guard let locked = result["locked"]?.boolValue else {
            throw OVSDBClientError.protocolViolation("lock reply has no boolean \"locked\"")
        }
        return locked
    }
}
