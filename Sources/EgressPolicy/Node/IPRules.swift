import OVSDBClient

/// The `ip rule`s at priority 5000 (OVN-Kubernetes' for egress services with
/// `spec.network`): each endpoint and cluster IP of a service hosted here looks up the named
/// table. Rules at that priority are the agent's; it adds what is missing and deletes the
/// rest, one `ip -batch` per family. No other priority is read or touched.
struct IPRules: NodeRuleSet {
    var name: String { "ip rules" }
    static let priority = "5000"

    struct Rule: Hashable {
        var source: String
        var table: String
    }

    private static func live(_ family: IPAddress.Family) async throws(NodeAgentError) -> Set<Rule> {
        let listing = try await HostCommand.run("ip", ["-j", family == .v4 ? "-4" : "-6", "rule", "show", "priority", priority])
        guard listing.succeeded else { throw listing.failure("ip rule show") }
        let rules: [JSON]
        do {
            rules = try JanssonCodec.decode(listing.output.isEmpty ? "[]" : listing.output).arrayValue ?? []
        } catch {
            throw .unreadable("ip -j rule output", reason: "\(error)")
        }
        var out: Set<Rule> = []
        for r in rules {
            guard let src = r["src"]?.stringValue, let table = r["table"]?.stringValue ?? r["table"]?.integerValue.map({ "\($0)" }) else { continue }
            out.insert(Rule(source: src, table: table))
        }
        return out
    }

    private static func desired(_ plan: NodePlan, _ family: IPAddress.Family) -> Set<Rule> {
        Set(plan.ipRules.filter { $0.source.family == family }.map { Rule(source: $0.source.description, table: $0.table) })
    }

    func bringInStep(_ plan: NodePlan) async throws(NodeAgentError) -> String? {
        var why: [String] = []
        for family in IPAddress.Family.allCases {
            let live = try await Self.live(family), desired = Self.desired(plan, family)
            guard live != desired else { continue }
            let extra = live.subtracting(desired), missing = desired.subtracting(live)
            why.append("\(family.rawValue) rules at priority \(Self.priority): \(missing.count) missing, \(extra.count) unexpected")
            // Each line holds an address and a table that were parsed and checked (a table is
            // a number or a name of letters, digits, '-', '_' and '.').
            let order = { (a: Rule, b: Rule) in (a.source, a.table) < (b.source, b.table) }
            let lines = extra.sorted(by: order).filter(Self.isSafe).map { "rule del priority \(Self.priority) from \($0.source) table \($0.table)" }
                + missing.sorted(by: order).filter(Self.isSafe).map { "rule add priority \(Self.priority) from \($0.source) table \($0.table)" }
            guard !lines.isEmpty else { continue }
            let run = try await HostCommand.run("ip", [family == .v4 ? "-4" : "-6", "-batch", "-"], input: lines.joined(separator: "\n") + "\n")
            guard run.succeeded else { throw run.failure("ip -batch") }
        }
        return why.isEmpty ? nil : why.joined(separator: "; ")
    }

    /// A value read back from `ip` goes into a batch line only when it cannot split it.
    static func isSafe(_ rule: Rule) -> Bool {
        IPAddress(rule.source) != nil && !rule.table.isEmpty
            && rule.table.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
    }
}
