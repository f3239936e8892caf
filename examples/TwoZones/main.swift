#if canImport(Glibc)
import Glibc
#endif
import EgressPolicy

// Plans the rows of two interconnect zones from one read of the manifests, without a
// database: the host of each service is chosen once for the whole cluster, and each zone is
// an input of the same planner (its name and member nodes). Against real databases,
// `ZonedEngine` does the same with each zone's live rows and writes each zone's plan.
//
//     swift run egress-two-zones examples/interconnect zone-a zone-b

let arguments = Array(CommandLine.arguments.dropFirst())
let folder = arguments.first ?? "examples/interconnect"
let zoneNames = arguments.count > 1 ? Array(arguments.dropFirst()) : ["zone-a", "zone-b"]

do {
    let input = try ManifestLoader.load([folder])
    var settings = EngineSettings()
    settings.clusterSubnets = [CIDR("10.128.0.0/14")!]
    // One host choice, the same in every zone.
    let assignment = HostSelection.select(input, settings: settings)
    for name in zoneNames {
        let zone = Zone(named: name, in: input)
        let desired = DesiredState(input, settings: settings, assignment: assignment, zone: zone)
        print("zone \(name): nodes \((zone.members ?? []).sorted().joined(separator: ", "))")
        for p in desired.policies.sorted(by: { ($0.owner, $0.ip.description) < ($1.owner, $1.ip.description) }) {
            print("  101 \(p.match) reroute \(p.nexthop)  (\(p.owner))")
        }
        for set in desired.addressSets {
            print("  served pods (\(set.family)): \(set.addresses.sorted().joined(separator: " "))")
        }
        for r in desired.routes {
            print("  route src-ip \(r.subnet) via \(r.nexthop) (\(r.node)'s gateway router)")
        }
        for w in desired.warnings { print("  warning: \(w)") }
    }
} catch {
    print("error: \(error)")
    exit(2)
}
