import ArgumentParser
import EgressPolicy
import OVSDBClient

struct NodePlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node-plan",
        abstract: "Print the node-side rules for one node, ready to pipe (the database is not contacted).",
        discussion: """
        The iptables output declares and flushes chain OVN-KUBE-EGRESS-SVC and fills it; the jump to it from POSTROUTING is the caller's (run --node adds it, once). The nftables output is one transaction that flushes and refills the maps and the chain, so feeding it again after a change leaves only this node's rules. To keep a node in step, run the node agent: ovn-egressctl run --node NODE -f PATH.

        Examples:
          ovn-egressctl node-plan work002 -f examples/worked-example \\
              | iptables-restore --noflush
          ovn-egressctl node-plan work002 -f manifests/ --output nftables | nft -f -
          ovn-egressctl node-plan work002 -f manifests/ --output ip-rules | sh
        """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case iptables, ip6tables, nftables, ipRules = "ip-rules", labels, json }

    @OptionGroup var engine: EngineOptions
    @Argument(help: "Node name.") var node: String
    @Option(name: .shortAndLong, help: "Manifest file or folder (repeatable; - for stdin).")
    var file: [String] = []
    @Option(name: .long, help: "iptables, ip6tables, nftables, ip-rules, labels or json.")
    var output: Output = .iptables

    func run() async throws {
        guard !file.isEmpty else { throw ValidationError("node-plan needs -f PATH") }
        let settings = try engine.settings()
        let input = try loadManifests(file)
        guard input.nodes[node] != nil else { throw CommandFailure("no Node \(SafeText.quoted(node)) in the manifests") }
        let desired = DesiredState(input, settings: settings)
        try checkWarnings(desired.warnings, strict: settings.strict)
        let plan = NodePlan(node: node, input: input, desired: desired)
        switch output {
        case .iptables: print(plan.iptablesRestore(.v4), terminator: "")
        case .ip6tables: print(plan.iptablesRestore(.v6), terminator: "")
        case .nftables: print(plan.nftables, terminator: "")
        case .ipRules: print(plan.ipRuleCommands, terminator: "")
        case .labels: for l in plan.labels { print("\(l)=") }
        case .json: print(CanonicalJSON.string(plan.json))
        }
    }
}
