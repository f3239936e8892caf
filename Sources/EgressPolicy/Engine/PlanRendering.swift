import OVSDBClient

extension Plan {
    /// For people: grouped by service, then the address sets and the no-reroute policy.
    public var text: String {
        var lines: [String] = []
        var owners = Set(additions.map(\.owner)).union(removals.map(\.owner)).union(repairs.map(\.owner))
        owners.formUnion(hosts.keys)
        for owner in owners.sorted() {
            let added = additions.filter { $0.owner == owner }
            let removed = removals.filter { $0.owner == owner }
            let changed = repairs.filter { $0.owner == owner }
            let host = hosts[owner].map { $0.isEmpty ? "(none)" : $0 } ?? "(not in manifests)"
            if added.isEmpty && removed.isEmpty && changed.isEmpty {
                lines.append("\(owner): host \(host), no change")
                continue
            }
            lines.append("\(owner): host \(host)")
            for a in added { lines.append("  + 101 \(a.match) reroute \(a.nexthop)") }
            for c in changed { lines.append("  ~ 101 \(c.match) reroute \(c.from.joined(separator: ",")) -> \(c.to)") }
            for r in removed { lines.append("  - 101 \(r.match) (\(r.reason))") }
        }
        for c in addressChanges {
            let verb = c.create != nil ? "create" : "update"
            lines.append("address set \(c.name) (\(c.family)): \(verb), +\(c.add.count) -\(c.remove.count)\(c.externalIDs != nil ? ", external_ids" : "")")
        }
        for n in noRerouteAdditions { lines.append("+ 102 \(n.match) allow pkt_mark=1008") }
        if isEmpty { lines.append("no changes") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// For scripts; keys are stable.
    public var json: JSON {
        var services: [String: JSON] = [:]
        for owner in Set(additions.map(\.owner)).union(removals.map(\.owner)).union(repairs.map(\.owner)).union(hosts.keys) {
            services[owner] = [
                "host": hosts[owner].map(JSON.string) ?? .null,
                "added": .array(additions.filter { $0.owner == owner }.map { ["match": .string($0.match), "nexthop": .string($0.nexthop.description)] }),
                "changed": .array(repairs.filter { $0.owner == owner }.map {
                    ["match": .string($0.match), "uuid": .string($0.uuid.description), "from": .array($0.from.map(JSON.string)), "to": .string($0.to)]
                }),
                "removed": .array(removals.filter { $0.owner == owner }.map {
                    ["match": .string($0.match), "uuid": .string($0.uuid.description), "reason": .string($0.reason)]
                }),
            ]
        }
        return [
            "router": .string(router),
            "services": .object(services),
            "addressSets": .array(addressChanges.map {
                ["name": .string($0.name), "family": .string($0.family.rawValue), "create": .bool($0.create != nil),
                 "add": .array($0.add.map(JSON.string)), "remove": .array($0.remove.map(JSON.string))]
            }),
            "noRerouteAdded": .array(noRerouteAdditions.map { .string($0.match) }),
            "writeOperations": .integer(Int64(writeCount)),
            "warnings": .array(warnings.map(JSON.string)),
        ]
    }
}
