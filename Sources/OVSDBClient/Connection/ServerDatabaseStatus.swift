/// One database's row of the server's `_Server.Database` table: how the server holds it and,
/// for a clustered database, whether this member is connected to the cluster and leads it.
public struct ServerDatabaseStatus: Sendable, Hashable {
    public enum Model: String, Sendable {
        case standalone, clustered, relay
    }

    public var name: String
    public var model: Model
    public var connected: Bool
    public var leader: Bool
    /// The last Raft log index this member has applied (clustered only).
    public var index: Int64?
    /// The cluster's id (clustered only).
    public var clusterID: OVSDBUUID?

    public init(name: String, model: Model, connected: Bool = true, leader: Bool = true, index: Int64? = nil, clusterID: OVSDBUUID? = nil) {
        self.name = name
        self.model = model
        self.connected = connected
        self.leader = leader
        self.index = index
        self.clusterID = clusterID
    }

    init?(row: [String: JSON]) {
        guard let name = row["name"]?.stringValue, let m = row["model"]?.stringValue, let model = Model(rawValue: m) else { return nil }
        self.name = name
        self.model = model
        connected = row["connected"]?.boolValue ?? false
        leader = row["leader"]?.boolValue ?? false
        index = row["index"]?.integerValue
        if case .array(let parts)? = row["cid"], parts.count == 2, parts[0] == "uuid", let t = parts[1].stringValue {
            clusterID = OVSDBUUID(t)
        }
    }

    /// Why this server must not be used, or nil when it may.
    /// `minimumIndex` is the highest index seen so far: a member behind it has older data.
    public func refusal(leaderOnly: Bool, minimumIndex: Int64?) -> String? {
        switch model {
        case .standalone, .relay:
            return nil
        case .clustered:
            if !connected { return "disconnected from the cluster" }
            if leaderOnly, !leader { return "follower" }
            if let minimumIndex, let index, index < minimumIndex {
                return "behind (index \(index) < \(minimumIndex) already seen)"
            }
            return nil
        }
    }

    /// From a replicated `_Server.Database` row.
    init?(row: Row) {
        guard case .string(let name)? = row["name"]?.keys.first, case .string(let m)? = row["model"]?.keys.first,
              let model = Model(rawValue: m) else { return nil }
        self.name = name
        self.model = model
        if case .boolean(let b)? = row["connected"]?.keys.first { connected = b } else { connected = false }
        if case .boolean(let b)? = row["leader"]?.keys.first { leader = b } else { leader = false }
        if case .integer(let i)? = row["index"]?.keys.first { index = i }
    }

    static let columns: [JSON] = ["name", "model", "connected", "leader", "index", "cid"]
}

extension OVSDBConnection {
    /// Reads `_Server.Database` for `database`. A server without `_Server` (older than Open
    /// vSwitch 2.9) is taken as standalone.
    public func databaseStatus(_ database: String) async throws -> ServerDatabaseStatus {
        let select: JSON = ["op": "select", "table": "Database",
                            "where": [["name", "==", .string(database)]], "columns": .array(ServerDatabaseStatus.columns)]
        let reply: JSON
        do {
            reply = try await call("transact", ["_Server", select])
        } catch OVSDBClientError.rpcError(_, let error) where error["error"]?.stringValue == "unknown database" {
            return ServerDatabaseStatus(name: database, model: .standalone)
        }
        guard case .array(let rows)? = reply.arrayValue?.first?["rows"], let first = rows.first?.objectValue else {
            throw OVSDBClientError.unknownDatabase(database)
        }
        guard let status = ServerDatabaseStatus(row: first) else {
            throw OVSDBClientError.protocolViolation("_Server.Database row for \(database) does not parse")
        }
        return status
    }
}
