import OVSDBClient

/// What the chosen host node must do for its egress services: SNAT rules, `ip rule`s for
/// `spec.network`, and the label. Printed for a person or a pipe; the tool runs none of it.
public struct NodePlan: Sendable {
    public struct SNAT: Sendable, Hashable {
        public var owner: String
        public var endpoint: IPAddress
        public var loadBalancerIP: IPAddress
    }

    public struct IPRule: Sendable, Hashable {
        public var source: IPAddress
        public var table: String
    }

    public var node: String
    public var snat: [SNAT] = []
    public var ipRules: [IPRule] = []
    public var labels: [String] = []
    /// EgressService key -> the status.host it should report.
    public var statusHosts: [String: String] = [:]

    public static let chain = "OVN-KUBE-EGRESS-SVC"

    /// The host node's label for a service key `namespace/name`:
    /// `egress-service.k8s.ovn.org/namespace-name`.
    public static func label(_ key: String) -> String {
        "egress-service.k8s.ovn.org/" + String(key.map { $0 == "/" ? "-" : $0 })
    }

    public init(node: String, input: ClusterInput, desired: DesiredState) {
        self.node = node
        for es in input.egressServices.sorted(by: { $0.key < $1.key }) {
            let host = desired.assignment.hosts[es.key] ?? ""
            statusHosts[es.key] = host
            guard host == node, let service = input.services[es.key] else { continue }
            labels.append(Self.label(es.key))
            // A pod IP shared with a service that won it is SNATed on the winner's host only.
            let endpoints = desired.servedEndpoints[es.key] ?? []
            for family in IPAddress.Family.allCases {
                // With several ingress IPs, the last one of each family is used.
                guard let lb = service.ingressIPs.last(where: { $0.family == family }) else { continue }
                for ep in endpoints where ep.family == family {
                    snat.append(SNAT(owner: es.key, endpoint: ep, loadBalancerIP: lb))
                }
            }
            if let network = es.network {
                for ip in endpoints + service.clusterIPs { ipRules.append(IPRule(source: ip, table: network)) }
            }
        }
    }

    /// `iptables-restore --noflush` input for one family (`ip6tables-restore` for v6): the
    /// chain declared and flushed, then its rules. The jump to it from `POSTROUTING` is not in
    /// it (fed twice, it would be there twice): `run --node` adds that once. The comment is
    /// quoted as iptables-save prints it; it holds a validated namespace/name.
    public func iptablesRestore(_ family: IPAddress.Family) -> String {
        let rules = snat.filter { $0.endpoint.family == family }
        var lines = ["*nat", ":\(Self.chain) - [0:0]", "-F \(Self.chain)",
                     "-A \(Self.chain) -m mark --mark 0x3f0 -m comment --comment DoNotSNAT -j RETURN"]
        let host = family == .v4 ? "/32" : "/128"
        for r in rules {
            lines.append("-A \(Self.chain) -s \(r.endpoint)\(host) -m comment --comment \"\(r.owner)\" -j SNAT --to-source \(r.loadBalancerIP)")
        }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The nftables variant newer releases use: in table `inet ovn-kubernetes`, the maps
    /// `egress-service-snat-v4`/`-v6` (endpoint IP to load balancer IP) and the postrouting
    /// chain `egress-services` that SNATs through them. One `nft -f` transaction that creates
    /// what is missing, then flushes and refills only these three objects: fed again after a
    /// change, it leaves exactly this node's elements (a service that moved away loses its).
    public var nftables: String {
        let t = "inet \(Self.nftTable)"
        var lines = ["add table \(t)"]
        for family in IPAddress.Family.allCases {
            let type = family == .v4 ? "ipv4_addr" : "ipv6_addr"
            let map = "\(t) \(Self.nftMap(family))"
            lines.append("add map \(map) { type \(type) : \(type) ; }")
            lines.append("flush map \(map)")
            let elements = snat.filter { $0.endpoint.family == family }.map { "\($0.endpoint) : \($0.loadBalancerIP)" }
            if !elements.isEmpty { lines.append("add element \(map) { \(elements.joined(separator: ", ")) }") }
        }
        lines.append("add chain \(t) \(Self.nftChain) { type nat hook postrouting priority 100 ; }")
        lines.append("flush chain \(t) \(Self.nftChain)")
        lines.append("add rule \(t) \(Self.nftChain) meta mark 0x3f0 return")
        lines.append("add rule \(t) \(Self.nftChain) snat ip to ip saddr map @\(Self.nftMap(.v4))")
        lines.append("add rule \(t) \(Self.nftChain) snat ip6 to ip6 saddr map @\(Self.nftMap(.v6))")
        return lines.joined(separator: "\n") + "\n"
    }

    public static let nftTable = "ovn-kubernetes"
    public static let nftChain = "egress-services"
    public static func nftMap(_ family: IPAddress.Family) -> String { "egress-service-snat-\(family.rawValue)" }

    /// `ip rule` commands for services with `spec.network`, one shell command a line; the
    /// table (a validated id or name) is a single-quoted shell word all the same.
    public var ipRuleCommands: String {
        ipRules.map { "ip \($0.source.family == .v6 ? "-6 " : "")rule add prio 5000 from \($0.source) table \(SafeText.shellWord($0.table))" }
            .joined(separator: "\n") + (ipRules.isEmpty ? "" : "\n")
    }

    public var json: JSON {
        [
            "node": .string(node),
            "labels": .array(labels.map(JSON.string)),
            "snat": .array(snat.map { ["service": .string($0.owner), "endpoint": .string($0.endpoint.description), "to": .string($0.loadBalancerIP.description)] }),
            "ipRules": .array(ipRules.map { ["from": .string($0.source.description), "table": .string($0.table)] }),
            "statusHosts": .object(statusHosts.mapValues(JSON.string)),
        ]
    }
}
