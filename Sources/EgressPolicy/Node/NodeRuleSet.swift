/// One kind of host state the node agent keeps in step with a `NodePlan`: read, compared,
/// and rewritten as a whole, in one atomic step of the host tool, when it differs.
protocol NodeRuleSet: Sendable {
    /// For logs and metrics: `iptables`, `ip6tables`, `nftables`, `ip rules`.
    var name: String { get }
    /// Reads the host's state once and, when it differs from `plan`, rewrites it; returns
    /// what differed, nil when it was in step.
    func bringInStep(_ plan: NodePlan) async throws(NodeAgentError) -> String?
}
