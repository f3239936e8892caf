import OVSDBClient

extension Plan {
    /// The plan's changes by service, built in one pass over each list.
    struct ByOwner {
        var added: [String: [DesiredPolicy]] = [:]
        var changed: [String: [NexthopRepair]] = [:]
        var removed: [String: [PolicyRemoval]] = [:]
        var owners: [String] = []
    }

    var byOwner: ByOwner {
        var g = ByOwner()
        for a in additions { g.added[a.owner, default: []].append(a) }
        for r in repairs { g.changed[r.owner, default: []].append(r) }
        for r in removals { g.removed[r.owner, default: []].append(r) }
        var owners = Set(hosts.keys)
        owners.formUnion(g.added.keys)
        owners.formUnion(g.changed.keys)
        owners.formUnion(g.removed.keys)
        g.owners = owners.sorted()
        return g
    }

    /// The host of an owner's service (`ns/name:ic` rows are `ns/name`'s).
    private func host(of owner: String) -> String? {
        hosts[owner] ?? hosts[String(DesiredState.service(ofOwner: owner))]
    }

    /// For people: grouped by service, then the kept services, shared pod IPs, the address
    /// sets and the no-reroute policy. Owners read from the database are escaped.
    public var text: String {
        var lines: [String] = []
        let g = byOwner
        for owner in g.owners {
            let added = g.added[owner] ?? [], changed = g.changed[owner] ?? [], removed = g.removed[owner] ?? []
            let name = SafeText.escaped(owner)
            let host = host(of: owner).map { $0.isEmpty ? "(none)" : $0 } ?? "(not in the input)"
            if added.isEmpty && removed.isEmpty && changed.isEmpty {
                lines.append("\(name): host \(host), no change")
                continue
            }
            lines.append("\(name): host \(host)")
            for a in added { lines.append("  + 101 \(a.match) reroute \(a.nexthop)") }
            for c in changed { lines.append("  ~ 101 \(c.match) reroute \(c.from.map { SafeText.escaped($0) }.joined(separator: ",")) -> \(c.to)") }
            for r in removed { lines.append("  - 101 \(SafeText.escaped(r.match)) (\(r.reason))") }
        }
        for k in kept {
            let count = k.policies == 1 ? "1 policy" : "\(k.policies) policies"
            lines.append("\(SafeText.escaped(k.owner)): not in the input, kept (\(count); --prune removes them)")
        }
        for s in sharedIPs {
            lines.append("shared pod IP \(s.ip): rerouted by \(s.winner), not by \(s.losers.joined(separator: ", "))")
        }
        for c in addressChanges {
            let verb = c.create != nil ? "create" : "update"
            lines.append("address set \(c.name) (\(c.family)): \(verb), +\(c.add.count) -\(c.remove.count)\(c.externalIDs != nil ? ", external_ids" : "")")
        }
        for n in noRerouteAdditions { lines.append("+ 102 \(n.match) allow pkt_mark=1008") }
        lines += routeLines
        if isEmpty { lines.append("no changes") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// For scripts; keys are stable.
    public var json: JSON {
        let g = byOwner
        var services: [String: JSON] = [:]
        for owner in g.owners {
            services[owner] = [
                "host": host(of: owner).map(JSON.string) ?? .null,
                "added": .array((g.added[owner] ?? []).map { ["match": .string($0.match), "nexthop": .string($0.nexthop.description)] }),
                "changed": .array((g.changed[owner] ?? []).map {
                    ["match": .string($0.match), "uuid": .string($0.uuid.description), "from": .array($0.from.map(JSON.string)), "to": .string($0.to)]
                }),
                "removed": .array((g.removed[owner] ?? []).map {
                    ["match": .string($0.match), "uuid": .string($0.uuid.description), "reason": .string($0.reason)]
                }),
            ]
        }
        var out: [String: JSON] = [
            "router": .string(router),
            "services": .object(services),
            "kept": .array(kept.map { ["service": .string($0.owner), "policies": .integer(Int64($0.policies))] }),
            "sharedPodIPs": .array(sharedIPs.map {
                ["ip": .string($0.ip.description), "winner": .string($0.winner), "losers": .array($0.losers.map(JSON.string))]
            }),
            "addressSets": .array(addressChanges.map {
                ["name": .string($0.name), "family": .string($0.family.rawValue), "create": .bool($0.create != nil),
                 "add": .array($0.add.map(JSON.string)), "remove": .array($0.remove.map(JSON.string))]
            }),
            "noRerouteAdded": .array(noRerouteAdditions.map { .string($0.match) }),
            "writeOperations": .integer(Int64(writeCount)),
            "warnings": .array(warnings.map(JSON.string)),
        ]
        if routesRead { out["staticRoutes"] = routeJSON }
        return .object(out)
    }
}
