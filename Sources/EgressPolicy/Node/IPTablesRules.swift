/// The `OVN-KUBE-EGRESS-SVC` chain of the nat table for one family, and the jump to it from
/// `POSTROUTING` (inserted first, once). Written with one `iptables-restore --noflush` that
/// declares and flushes only this chain, so no other chain or rule is touched; read back
/// with `iptables -S`.
struct IPTablesRules: NodeRuleSet {
    let family: IPAddress.Family

    var name: String { family == .v4 ? "iptables" : "ip6tables" }
    private var restoreTool: String { family == .v4 ? "iptables-restore" : "ip6tables-restore" }
    static let jump = "-A POSTROUTING -j \(NodePlan.chain)"

    /// What a rule of the chain does, as far as the plan decides it.
    enum Rule: Hashable {
        case skipMarked
        case snat(source: String, to: String)
        case other(String)
    }

    func desiredRules(_ plan: NodePlan) -> [Rule] {
        [.skipMarked] + plan.snat.filter { $0.endpoint.family == family }.map { .snat(source: $0.endpoint.description, to: $0.loadBalancerIP.description) }
    }

    /// The rules `iptables -S CHAIN` lists, in order.
    static func parse(_ listing: String, host: String) -> [Rule] {
        var rules: [Rule] = []
        for line in listing.split(separator: "\n") where line.hasPrefix("-A ") {
            let words = line.split(separator: " ").map(String.init)
            let value = { (flag: String) in words.firstIndex(of: flag).flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil } }
            if words.contains("RETURN"), value("--mark") == "0x3f0" {
                rules.append(.skipMarked)
            } else if let source = value("-s"), let to = value("--to-source"), words.contains("SNAT") {
                let address = source.hasSuffix(host) ? String(source.dropLast(host.count)) : source
                rules.append(.snat(source: address, to: to))
            } else {
                rules.append(.other(String(line)))
            }
        }
        return rules
    }

    private func tool(_ arguments: [String]) async throws(NodeAgentError) -> HostCommand {
        try await HostCommand.run(family == .v4 ? "iptables" : "ip6tables", ["-w", "-t", "nat"] + arguments)
    }

    private func hasJump() async throws(NodeAgentError) -> Bool {
        let postrouting = try await tool(["-S", "POSTROUTING"])
        guard postrouting.succeeded else { throw postrouting.failure(name) }
        return postrouting.output.split(separator: "\n").contains { $0 == Self.jump }
    }

    func bringInStep(_ plan: NodePlan) async throws(NodeAgentError) -> String? {
        let jumps = try await hasJump()
        guard let why = try await chainDrift(plan) ?? (jumps ? nil : "no jump to \(NodePlan.chain) in POSTROUTING") else { return nil }
        var text = plan.iptablesRestore(family)
        if !jumps { text = text.replacingLastCommit(with: "-I POSTROUTING 1 -j \(NodePlan.chain)\nCOMMIT\n") }
        let restore = try await HostCommand.run(restoreTool, ["-w", "--noflush"], input: text)
        guard restore.succeeded else { throw restore.failure(restoreTool) }
        return why
    }

    /// How the chain differs from the plan's rules; nil: the same rules in the same order.
    private func chainDrift(_ plan: NodePlan) async throws(NodeAgentError) -> String? {
        let chain = try await tool(["-S", NodePlan.chain])
        guard chain.succeeded else { return "chain \(NodePlan.chain) missing" }
        let live = Self.parse(chain.output, host: family == .v4 ? "/32" : "/128")
        let desired = desiredRules(plan)
        guard live != desired else { return nil }
        let extra = Set(live).subtracting(desired).count, missing = Set(desired).subtracting(live).count
        return "chain \(NodePlan.chain): \(missing) rule(s) missing, \(extra) unexpected" + (extra + missing == 0 ? " (order)" : "")
    }
}

private extension String {
    func replacingLastCommit(with replacement: String) -> String {
        guard hasSuffix("COMMIT\n") else { return self }
        return String(dropLast("COMMIT\n".count)) + replacement
    }
}
