/// One kind of host state the node agent keeps in step with a `NodePlan`: read, compared,
/// and rewritten as a whole, in one atomic step of the host tool, when it differs.
protocol NodeRuleSet: Sendable {
    /// For logs and metrics: `iptables`, `ip6tables`, `nftables`, `ip rules`.
    var name: String { get }
    /// What differs between the host and `plan`; nil: in step.
    func drift(from plan: NodePlan) async throws(NodeAgentError) -> String?
    func apply(_ plan: NodePlan) async throws(NodeAgentError)
}
