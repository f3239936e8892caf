/// One interconnect zone: one Northbound database and the nodes whose pods it routes. A
/// zone's rows differ from another's only by which nodes are its members ("local").
public struct Zone: Sendable, Hashable {
    /// `NB_Global.name`, `global` when that is empty.
    public var name: String
    /// The member nodes; nil: every node (one database for the whole cluster).
    public var members: Set<String>?

    public static let globalName = "global"

    /// The zone of a cluster with one Northbound database: every node is local.
    public static let everyNode = Zone(name: globalName, members: nil)

    public init(name: String, members: Set<String>?) {
        self.name = name
        self.members = members
    }

    /// The zone named `name`, with the nodes of `input` that belong to it: those annotated
    /// `k8s.ovn.org/zone-name: <name>`, and those without the annotation when the zone is
    /// `global` or is named like the node (one node per zone).
    public init(named name: String, in input: ClusterInput) {
        self.name = name
        members = Set(input.nodes.values.filter { Self.isMember($0, ofZoneNamed: name) }.map(\.name))
    }

    public static func isMember(_ node: Node, ofZoneNamed name: String) -> Bool {
        if let zone = node.zoneName { return zone == name }
        return name == globalName || name == node.name
    }

    /// The zone name a database's `NB_Global.name` gives.
    public static func name(fromNBGlobal name: String) -> String {
        name.isEmpty ? globalName : name
    }

    public func contains(_ node: String) -> Bool {
        members?.contains(node) ?? true
    }

    /// Whether every node of `input` is a member: then no endpoint is remote, and planning
    /// does exactly what it does for one database.
    func holdsEveryNode(of input: ClusterInput) -> Bool {
        guard let members else { return true }
        return members.count >= input.nodes.count && input.nodes.keys.allSatisfy(members.contains)
    }
}
