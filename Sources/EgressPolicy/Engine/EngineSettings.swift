/// Cluster-wide settings, with defaults that fit a stock OVN-Kubernetes cluster.
public struct EngineSettings: Sendable, Hashable {
    /// The address-set naming scheme of the OVN-Kubernetes release in the cluster.
    public enum Profile: String, Sendable, Hashable, CaseIterable {
        case v2023 = "2023", v2024 = "2024", v2025 = "2025"
    }

    public var profile: Profile = .v2023
    /// Pod networks; nil: the union of the nodes' subnets.
    public var clusterSubnets: [CIDR]?
    /// Create the priority-102 no-reroute policy when it is missing.
    public var ensureNoReroutePolicy = true
    /// IP families to manage; nil: the families of the nodes' subnets.
    public var families: Set<IPAddress.Family>?
    public var router = "ovn_cluster_router"
    /// Turn tolerated states (a missing Service, no ingress) into errors.
    public var strict = false

    public init() {}
}
