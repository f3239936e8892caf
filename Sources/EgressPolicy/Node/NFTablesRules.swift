import OVSDBClient

/// The nftables form newer OVN-Kubernetes releases use: in table `inet ovn-kubernetes`, the
/// maps `egress-service-snat-v4`/`-v6` (endpoint to load balancer IP) and the base chain
/// `egress-services` (nat, postrouting) that SNATs through them. Written as
/// `NodePlan.nftables`, one `nft -f` transaction; read back with `nft -j list table`.
struct NFTablesRules: NodeRuleSet {
    var name: String { "nftables" }
    func bringInStep(_ plan: NodePlan) async throws(NodeAgentError) -> String? {
        guard let why = try await drift(from: plan) else { return nil }
        let run = try await HostCommand.run("nft", ["-f", "-"], input: plan.nftables)
        guard run.succeeded else { throw run.failure("nft") }
        return why
    }

    private func drift(from plan: NodePlan) async throws(NodeAgentError) -> String? {
        let listing = try await HostCommand.run("nft", ["-j", "list", "table", "inet", NodePlan.nftTable])
        guard listing.succeeded else { return "table inet \(NodePlan.nftTable) missing" }
        let objects: [JSON]
        do {
            objects = try JanssonCodec.decode(listing.output)["nftables"]?.arrayValue ?? []
        } catch {
            throw .unreadable("nft -j output", reason: "\(error)")
        }
        var maps: [String: Set<[String]>] = [:]
        var hooked = false
        var rules = 0
        for o in objects {
            if let map = o["map"], let name = map["name"]?.stringValue {
                var elements: Set<[String]> = []
                for e in map["elem"]?.arrayValue ?? [] { elements.insert((e.arrayValue ?? []).map { $0.stringValue ?? "\($0)" }) }
                maps[name] = elements
            } else if let chain = o["chain"], chain["name"]?.stringValue == NodePlan.nftChain {
                hooked = chain["hook"]?.stringValue == "postrouting" && chain["type"]?.stringValue == "nat"
            } else if let rule = o["rule"], rule["chain"]?.stringValue == NodePlan.nftChain {
                rules += 1
            }
        }
        for family in IPAddress.Family.allCases {
            let desired = Set(plan.snat.filter { $0.endpoint.family == family }.map { [$0.endpoint.description, $0.loadBalancerIP.description] })
            guard let live = maps[NodePlan.nftMap(family)] else { return "map \(NodePlan.nftMap(family)) missing" }
            if live != desired {
                return "map \(NodePlan.nftMap(family)): \(desired.subtracting(live).count) element(s) missing, \(live.subtracting(desired).count) unexpected"
            }
        }
        guard hooked else { return "chain \(NodePlan.nftChain) missing or not a nat postrouting hook" }
        return rules == 3 ? nil : "chain \(NodePlan.nftChain) holds \(rules) rule(s), not 3"
    }
}
